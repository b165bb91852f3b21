"""Security functions named by the specs (`x-tokenInfoFunc`, `x-basicInfoFunc`).

They run on the event loop for every request, so they only verify a signature: no I/O.
"""

from __future__ import annotations

from typing import Any

from specserve.apis import api_for_path
from specserve.context import services


def bearer_token_info(token: str, request: Any) -> dict[str, Any] | None:
    """Claims of a token of our issuer meant for the API being called; None means 401."""
    current = services()
    api = api_for_path(current.apis, request.url.path)
    if api is None or api.audience is None:
        return None
    claims = current.tokens.verify(token, audience=api.audience)
    if claims is None or not isinstance(claims.get("scope", ""), str):
        return None
    return claims


def basic_client_passthrough(username: str, password: str) -> dict[str, Any]:
    """HTTP Basic on the token endpoint names the client; the endpoint itself checks the secret."""
    return {"sub": username}
