"""Guessing credentials is slowed down: after `limit` failed attempts from one client within
`window` seconds, its next attempts at the token endpoints and at API-key APIs are 429 with
`Retry-After`, until its oldest failure leaves the window.

A failed attempt is a wrong credential: an unknown or revoked API key (401), a token request
refused as `invalid_client` or `invalid_grant`. The error handler, which knows, says so in the
request's `Attempt` (ApiError.wrong_credential). A malformed request, or one without
any credential, is no guess and is not counted. Counts live in each worker's memory: with N
workers a client gets at most N times `limit` guesses a window.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from specserve.apis import ApiDefinition, ErrorStyle, api_for_path
from specserve.errors import ATTEMPT, ApiError, Attempt, error_response

_TOKEN_STYLES = (ErrorStyle.OAUTH, ErrorStyle.B2C)
# Clients forgotten at once when this many are counted (a scan from many addresses).
_MOST_CLIENTS = 100_000


class CredentialGuesses:
    """The failed attempts of each client within the window."""

    def __init__(
        self, *, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again; None when it may now."""
        failures = self._current(client)
        if len(failures) < self.limit:
            return None
        return max(1, math.ceil(failures[0] + self.window - self._clock()))

    def failed(self, client: str) -> None:
        if len(self._failures) >= _MOST_CLIENTS:
            self._failures.clear()
        self._current(client).append(self._clock())

    def _current(self, client: str) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        oldest_kept = self._clock() - self.window
        while failures and failures[0] <= oldest_kept:
            failures.popleft()
        return failures


class ThrottleCredentialGuesses:
    def __init__(
        self,
        app: ASGIApp,
        *,
        apis: tuple[ApiDefinition, ...],
        guesses: CredentialGuesses,
    ) -> None:
        self.app = app
        self.apis = apis
        self.guesses = guesses
        # Whether a path can be guarded at all is told by these without looking its API up,
        # which most requests (neither a token endpoint nor an API-key API) need not do.
        self._key_apis = tuple(api for api in apis if api.api_keys)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        api = self._guarded_api(path)
        if api is None:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.guesses.retry_after(client)
        if wait is not None:
            error = ApiError(
                status=429,
                detail=f"Too many failed attempts with wrong credentials; try again in {wait} s.",
                headers={"Retry-After": str(wait)},
            )
            await error_response(api, error, path)(scope, receive, send)
            return
        attempt = Attempt()
        # Inner layers copy the scope; the attempt they are handed is this one.
        await self.app({**scope, ATTEMPT: attempt}, receive, send)
        if attempt.refused:
            self.guesses.failed(client)

    def _guarded_api(self, path: str) -> ApiDefinition | None:
        """The API of `path` when it is an API-key API or the path its token endpoint."""
        token_path = path.rstrip("/").lower().endswith("/token")
        if not token_path and not any(api.owns_path(path) for api in self._key_apis):
            return None
        api = api_for_path(self.apis, path)
        if api is None or not (api.api_keys or (token_path and api.error_style in _TOKEN_STYLES)):
            return None
        return api
