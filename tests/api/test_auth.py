"""Only valid tokens of our issuer, for the primedocs audience, with an accepted scope, get in."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.testclient import TestClient

from tests.conftest import PRIMEDOCS_DATASOURCE
from tests.support.tokens import NO_ADMIN_SCOPE_CLIENT, bearer, fetch_token, forged_token

URL = f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/Admin/Users"


@pytest.fixture(scope="module")
def stranger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_a_real_token_gets_in(client: TestClient) -> None:
    assert client.get(URL, headers=bearer(fetch_token(client))).status_code == 200


def test_the_documents_oo_webapi_scope_is_accepted(client: TestClient, app) -> None:
    assert client.get(URL, headers=bearer(forged_token(app, scope="oo_WebApi"))).status_code == 200


def test_no_token_is_401_with_a_challenge(client: TestClient) -> None:
    response = client.get(URL)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["title"] == "Unauthorized"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer not.a.jwt", "Basic Q3VzdG9tQXBpQ2xpZW50OnNlY3JldA==", "Bearer a b c"],
)
def test_malformed_credentials_are_401(client: TestClient, authorization: str) -> None:
    response = client.get(URL, headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_a_token_signed_by_another_key_is_401(client: TestClient, app, stranger_key) -> None:
    response = client.get(URL, headers=bearer(forged_token(app, key=stranger_key)))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_an_expired_token_is_401(client: TestClient, app) -> None:
    past = int(time.time()) - 3600
    token = forged_token(app, iat=past - 600, nbf=past - 600, exp=past)
    assert client.get(URL, headers=bearer(token)).status_code == 401


def test_a_token_not_yet_valid_is_401(client: TestClient, app) -> None:
    future = int(time.time()) + 3600
    assert client.get(URL, headers=bearer(forged_token(app, nbf=future))).status_code == 401


def test_a_token_for_another_audience_is_401(client: TestClient, app) -> None:
    token = forged_token(app, aud=["dfs.api"])
    assert client.get(URL, headers=bearer(token)).status_code == 401


def test_a_token_of_another_issuer_is_401(client: TestClient, app) -> None:
    token = forged_token(app, iss="https://elsewhere.example/ids")
    assert client.get(URL, headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("missing", ["exp", "sub", "aud"])
def test_a_token_without_a_required_claim_is_401(client: TestClient, app, missing: str) -> None:
    assert client.get(URL, headers=bearer(forged_token(app, **{missing: None}))).status_code == 401


def test_an_unsigned_token_is_401(client: TestClient, app) -> None:
    claims = jwt.decode(forged_token(app), options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    assert client.get(URL, headers=bearer(unsigned)).status_code == 401


def test_an_hmac_token_keyed_with_the_public_key_is_401(client: TestClient, app) -> None:
    claims = jwt.decode(forged_token(app), options={"verify_signature": False})
    public_jwk = app.services.tokens.jwks()["keys"][0]
    forged = jwt.encode(claims, key=public_jwk["n"].encode() * 2, algorithm="HS256")
    assert client.get(URL, headers=bearer(forged)).status_code == 401


def test_a_real_token_of_a_client_without_the_admin_scope_is_403(client: TestClient) -> None:
    token = fetch_token(client, scope=None, **NO_ADMIN_SCOPE_CLIENT)
    response = client.get(URL, headers=bearer(token))
    assert response.status_code == 403
    assert response.headers["www-authenticate"] == 'Bearer error="insufficient_scope"'


@pytest.mark.parametrize("scope", [5, ["pd_AdminWebApi"], {"scope": "pd_AdminWebApi"}])
def test_a_token_whose_scope_is_not_a_string_is_401(client: TestClient, app, scope) -> None:
    assert client.get(URL, headers=bearer(forged_token(app, scope=scope))).status_code == 401


def test_a_token_without_a_scope_is_403(client: TestClient, app) -> None:
    assert client.get(URL, headers=bearer(forged_token(app, scope=None))).status_code == 403


def test_a_valid_token_without_the_scope_is_403(client: TestClient, app) -> None:
    response = client.get(URL, headers=bearer(forged_token(app, scope="openid profile")))
    assert response.status_code == 403
    body = response.json()
    assert body["title"] == "Forbidden"
    assert "pd_AdminWebApi" in body["detail"]
    assert response.headers["www-authenticate"] == 'Bearer error="insufficient_scope"'


def test_tokens_are_never_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    token = fetch_token(client)
    with caplog.at_level("DEBUG"):
        client.get(URL, headers=bearer(token))
        client.get(URL, headers=bearer(token[:-4] + "AAAA"))
    assert caplog.records
    assert all(token[:40] not in record.getMessage() for record in caplog.records)
    assert "CustomClient_Secret_123" not in caplog.text
