"""Where a worker runs synchronous handlers, and how many at once (`SPECSERVE_HANDLER_THREADS`).

Handlers (and the store under them) are synchronous code. On PostgreSQL a worker runs them on
its event loop, each in a greenlet (SQLAlchemy's `greenlet_spawn`), with the store's asyncio
connections: a query waits on the loop, as an `await` would, while other requests go on. In
threads instead, as Connexion runs them, every round trip to the database hands the GIL back
and forth between the handler's thread and the loop's: measured with 16 requests at once, a
request's two queries cost 900 to 1,060 us of CPU in threads against 560 to 640 on the loop.
Work that is slow for its own sake (bcrypt) leaves the loop for a thread (store.off_the_loop).

On SQLite, whose driver has no asyncio form, handlers run in anyio's thread pool.

Either way at most `threads` handlers run at once, and the store's connection pools are sized
to match, so that no request opens and closes a connection of its own: measured at 16
connections on PostgreSQL, 4 threads answered more requests a second than anyio's default 40,
with a third of the p99. Requests beyond the limit wait on the event loop, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import anyio.to_thread
from sqlalchemy.util import greenlet_spawn
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from specserve.context import services


async def run_handler(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a synchronous handler: on the event loop where the store can serve it there,
    else in a thread."""
    current = services()
    if not current.store.serves_loop(asyncio.get_running_loop()):
        return await run_in_threadpool(function, *args, **kwargs)
    async with current.handler_slots:
        return await greenlet_spawn(function, *args, **kwargs)


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
