"""Operations of the tag Discovery."""

from __future__ import annotations

from typing import Any

from specserve.context import services, unit_of_work

GRANT_TYPES = ["client_credentials", "password"]


def get_openid_configuration() -> dict[str, Any]:
    issuer = services().tokens.issuer
    with unit_of_work() as uow:
        scopes = uow.identity.all_scopes()
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/openid-configuration/jwks",
        "token_endpoint": f"{issuer}/connect/token",
        "grant_types_supported": GRANT_TYPES,
        "scopes_supported": scopes,
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }


def get_jwks() -> dict[str, Any]:
    return services().tokens.jwks()
