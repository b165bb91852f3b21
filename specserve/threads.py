"""How many synchronous handlers a worker runs at once (`SPECSERVE_HANDLER_THREADS`).

Connexion runs synchronous handlers, and the security checks that need the store, in anyio's
thread pool: 40 threads unless told. Under load that many threads contend for the GIL with
the event loop, which then reads requests and writes answers late: measured at 16
connections on PostgreSQL, 4 threads answered more requests a second than 40, with a third
of the p99 (see BENCHMARKS.md). Requests beyond the limit wait on the event loop, in order.
The store's connection pool is sized to match (specserve/app.py), so that no request opens
and closes a connection of its own.
"""

from __future__ import annotations

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send


class HandlerThreads:
    def __init__(self, app: ASGIApp, *, threads: int) -> None:
        self.app = app
        self.threads = threads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The limiter belongs to the running event loop, so it is set from within it.
        limiter = anyio.to_thread.current_default_thread_limiter()
        if limiter.total_tokens != self.threads:
            limiter.total_tokens = self.threads
        await self.app(scope, receive, send)
