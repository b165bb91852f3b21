"""Security functions named by the specs (`x-bearerInfoFunc`, `x-apikeyInfoFunc`, ...).

They run on the event loop for every request: a token's is a signature check, no I/O; an API
key's needs the database, so it goes to a worker thread.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread

from specserve.apis import TokenIssuer, api_for_path
from specserve.context import services
from store import Store


def bearer_token_info(token: str, request: Any) -> dict[str, Any] | None:
    """Claims of a token of our issuer meant for the API being called; None means 401."""
    current = services()
    api = api_for_path(current.apis, str(request.scope.get("path") or request.url.path))
    if api is None or api.audience is None:
        return None
    if api.issuer is TokenIssuer.B2C:
        claims = current.b2c.verify_access_token(token, audience=api.audience)
    else:
        claims = current.tokens.verify(token, audience=api.audience)
    if claims is None or not isinstance(claims.get("scope", ""), str):
        return None
    return claims


def basic_client_passthrough(username: str, password: str) -> dict[str, Any]:
    """HTTP Basic on the token endpoint names the client; the endpoint itself checks the secret."""
    return {"sub": username}


async def api_key_info(api_key: str) -> dict[str, Any] | None:
    """The key's name when the key is known and not revoked; None means 401."""
    store = services().store
    name = await anyio.to_thread.run_sync(_key_name, store, api_key)
    return None if name is None else {"sub": name}


def _key_name(store: Store, api_key: str) -> str | None:
    with store.unit_of_work() as uow:
        return uow.api_keys.authenticate(api_key)
