"""Operations of the tag Discovery."""

from __future__ import annotations

from typing import Any

from handlers.b2c.tenant import checked_policy
from specserve.context import services, unit_of_work
from specserve.identity.b2c import OIDC_SCOPES, TENANT

GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials", "password"]
CLAIMS = [
    "sub", "oid", "email", "emails", "name", "given_name", "family_name", "roles", "tfp",
    "nonce", "auth_time", "azp", "scp", "pat_id", "account_id", "iss", "aud", "iat", "nbf", "exp",
    "ver",
]  # fmt: skip


def get_openid_configuration(tenant: str, policy: str) -> dict[str, Any]:
    policy = checked_policy(tenant, policy)
    with unit_of_work() as uow:
        resources = uow.ansysid.signin.resources()
    resource_scopes = [
        f"{resource.app_id_uri}/{scope}"
        for resource in resources
        for scope in sorted(resource.scopes)
    ]
    current = services()
    base = f"{current.settings.public_url.rstrip('/')}/{TENANT}/{policy.lower()}"
    return {
        "issuer": current.b2c.issuer,
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query"],
        "response_types_supported": ["code"],
        "scopes_supported": [*OIDC_SCOPES, *resource_scopes],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": CLAIMS,
        "grant_types_supported": GRANT_TYPES,
        "code_challenge_methods_supported": ["plain", "S256"],
    }


def get_jwks(tenant: str, policy: str) -> dict[str, Any]:
    checked_policy(tenant, policy)
    jwks: dict[str, Any] = services().b2c.jwks()
    return jwks
