"""CORS in mock and sandbox mode, so that browser apps can call the APIs; never for
specserve's own paths under /_specserve. The sandbox's reset and request log are the
developer's: a page from another origin may neither read the log nor reset the data, and a
cross-origin form post (which a browser sends without asking first) is refused outright."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from specserve.apis import SANDBOX_ADMIN
from specserve.errors import ApiError, error_response

OWN_PREFIX = "/_specserve"
# What browser code may read of an answer across origins (besides the CORS-safelisted ones).
EXPOSED_HEADERS = (
    "X-Correlation-ID",
    "Location",
    "WWW-Authenticate",
    "Retry-After",
    "Preference-Applied",
    "Specserve-Mock-Answer",
    "Content-Language",
)


class CrossOrigin:
    def __init__(self, app: ASGIApp, *, origins: tuple[str, ...]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=list(EXPOSED_HEADERS),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            # Not from a page of another origin (browsers always send Origin then): nothing
            # to allow, and no CORS layer to pass through.
            await self.app(scope, receive, send)
            return
        if not scope["path"].lower().startswith(OWN_PREFIX):
            await self.cors(scope, receive, send)
            return
        if urlsplit(origin).netloc != headers.get("host"):
            await _refused(origin)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _refused(origin: str) -> Response:
    error = ApiError(
        status=403,
        detail=f"specserve's own operations answer only their own origin, not '{origin[:100]}'.",
    )
    return error_response(SANDBOX_ADMIN, error)
