"""Auth in mock mode. `verify` (the default) keeps real mode's security functions: tokens of
the built-in token services and stored API keys. `presence` accepts any well-formed credential,
as Prism does; `off` drops the specs' security requirements."""

from __future__ import annotations

import copy
import re
from typing import Any

from specserve.contract import HTTP_METHODS

# RFC 6750's token68: what a bearer token may look like at all.
_TOKEN68 = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")
_PRESENCE_FUNCTIONS = {
    "x-bearerInfoFunc": "specserve.mock.auth.bearer_presence",
    "x-tokenInfoFunc": "specserve.mock.auth.bearer_presence",
    "x-apikeyInfoFunc": "specserve.mock.auth.api_key_presence",
    "x-basicInfoFunc": "specserve.mock.auth.basic_presence",
}


def for_auth_mode(document: dict[str, Any], mode: str) -> dict[str, Any]:
    """A copy of the spec for Connexion, with security as the mock's auth mode wants it."""
    if mode == "verify":
        return document
    document = copy.deepcopy(document)
    if mode == "off":
        document.pop("security", None)
        for item in document.get("paths", {}).values():
            for method in HTTP_METHODS:
                if method in item:
                    item[method].pop("security", None)
        return document
    for scheme in document.get("components", {}).get("securitySchemes", {}).values():
        for key, function in _PRESENCE_FUNCTIONS.items():
            if key in scheme:
                scheme[key] = function
    return document


def bearer_presence(token: str, required_scopes: Any = None) -> dict[str, Any] | None:
    """Any token68 text; it is granted the scopes the operation asks for."""
    if not _TOKEN68.match(token):
        return None
    return {"sub": "mock", "scope": list(required_scopes or [])}


def api_key_presence(api_key: str, required_scopes: Any = None) -> dict[str, Any] | None:
    return {"sub": "mock"} if api_key.strip() else None


def basic_presence(username: str, password: str, required_scopes: Any = None) -> dict[str, Any]:
    return {"sub": username}
