"""The outermost layer: binds the request's services and correlation id, logs one line a request.

The log line holds the method, the path (never the query string, which may carry an API key),
the status, the duration and the correlation id; never a header, a token or a body.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from urllib.parse import quote

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from specserve.context import Services, bind_services, correlation_id

logger = logging.getLogger("specserve.access")

CORRELATION_HEADER = "X-Correlation-ID"
_VALID_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class AccessLog:
    def __init__(self, app: ASGIApp, *, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        bind_services(self.services)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_correlation_id(scope) or uuid.uuid4().hex
        correlation_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[CORRELATION_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logger.info(
                "%s %s %d %.1fms correlation_id=%s",
                scope["method"],
                loggable_path(scope),
                status,
                (time.perf_counter() - started) * 1000,
                request_id,
            )


def loggable_path(scope: Scope) -> str:
    """The path as the client sent it, percent-encoded, so that it cannot forge a log line."""
    raw = scope.get("raw_path") or scope["path"].encode("utf-8")
    return quote(bytes(raw).split(b"?", 1)[0], safe="/%:@!$&'()*+,;=-._~")


def _incoming_correlation_id(scope: Scope) -> str | None:
    wanted = CORRELATION_HEADER.lower().encode("latin-1")
    for name, value in scope.get("headers", []):
        if name == wanted:
            text = value.decode("latin-1")
            return text if _VALID_CORRELATION_ID.match(text) else None
    return None
