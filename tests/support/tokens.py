"""Tokens for auth tests: real ones from the token endpoint, and forged ones of every bad kind."""

from __future__ import annotations

import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.testclient import TestClient

DEMO_CLIENT = {"client_id": "CustomApiClient", "client_secret": "CustomClient_Secret_123"}
NO_ADMIN_SCOPE_CLIENT = {"client_id": "ReportingClient", "client_secret": "Reporting_Secret_456"}


def fetch_token(
    client: TestClient, scope: str | None = "pd_AdminWebApi", **credentials: str
) -> str:
    form = {"grant_type": "client_credentials", **(credentials or DEMO_CLIENT)}
    if scope is not None:
        form["scope"] = scope
    response = client.post("/ids/connect/token", data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def forged_token(app: Any, *, key: rsa.RSAPrivateKey | None = None, **overrides: Any) -> str:
    """A token like the server's own, with `overrides` in its claims, signed by `key`."""
    tokens = app.services.tokens
    now = int(time.time())
    claims = {
        "iss": tokens.issuer,
        "aud": ["primedocs.webapi"],
        "sub": "CustomApiClient",
        "client_id": "CustomApiClient",
        "scope": "pd_AdminWebApi",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "test",
        **overrides,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    signing_key = key or tokens._key.private_key
    kid = tokens._key.kid
    return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": kid})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
