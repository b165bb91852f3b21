"""Work done when the server shuts down, after the app's own shutdown, on its event loop.

Exit handlers are not enough: uvicorn ends on SIGTERM by raising the signal again once it has
shut down, and a process that dies of a signal runs none.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class AtShutdown:
    """Runs `action` (a function, or a coroutine function) as the lifespan shutdown completes."""

    def __init__(self, app: ASGIApp, action: Callable[[], Awaitable[None] | None]) -> None:
        self.app = app
        self.action = action

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_after_action(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                done = self.action()
                if inspect.isawaitable(done):
                    await done
            await send(message)

        await self.app(scope, receive, send_after_action)
