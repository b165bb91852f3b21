"""The IdentityServer emulation: discovery, keys, and the client-credentials token grant."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from starlette.testclient import TestClient

from store.identity.repository import IdentityRepository
from tests.support.tokens import DEMO_CLIENT, NO_ADMIN_SCOPE_CLIENT, fetch_token

TOKEN_URL = "/ids/connect/token"


def oauth_error(response, status: int, error: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["error"] == error
    return str(body["error_description"])


def test_the_seed_example_gets_a_token(client: TestClient) -> None:
    response = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "scope": "pd_AdminWebApi", **DEMO_CLIENT},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "pd_AdminWebApi"


def test_the_token_verifies_against_the_published_keys(client: TestClient) -> None:
    token = fetch_token(client)
    discovery = client.get("/ids/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "http://testserver/ids"
    assert discovery["token_endpoint"] == "http://testserver/ids/connect/token"
    jwks_path = discovery["jwks_uri"].removeprefix("http://testserver")
    keys = client.get(jwks_path).json()["keys"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    key = next(k for k in keys if k["kid"] == header["kid"])
    claims = jwt.decode(
        token,
        jwt.PyJWK(key).key,
        algorithms=["RS256"],
        audience="primedocs.webapi",
        issuer=discovery["issuer"],
    )
    assert claims["client_id"] == "CustomApiClient"
    assert claims["scope"] == "pd_AdminWebApi"
    assert claims["exp"] - claims["iat"] == 3600
    assert "CustomClient_Secret_123" not in json.dumps(claims)


def test_without_scope_the_token_carries_all_allowed_scopes(client: TestClient) -> None:
    response = client.post(TOKEN_URL, data={"grant_type": "client_credentials", **DEMO_CLIENT})
    assert response.json()["scope"] == "pd_AdminWebApi"


def test_http_basic_client_authentication(client: TestClient) -> None:
    basic = base64.b64encode(b"CustomApiClient:CustomClient_Secret_123").decode()
    response = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [
        {"client_id": "CustomApiClient", "client_secret": "wrong"},
        {"client_id": "NoSuchClient", "client_secret": "CustomClient_Secret_123"},
        {"client_id": "CustomApiClient"},
        {},
    ],
)
def test_bad_client_credentials_are_invalid_client(client: TestClient, credentials) -> None:
    response = client.post(TOKEN_URL, data={"grant_type": "client_credentials", **credentials})
    oauth_error(response, 401, "invalid_client")


def test_wrong_basic_credentials_get_a_basic_challenge(client: TestClient) -> None:
    basic = base64.b64encode(b"CustomApiClient:nope").decode()
    response = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")


def test_basic_and_form_secret_together_are_invalid_request(client: TestClient) -> None:
    basic = base64.b64encode(b"CustomApiClient:CustomClient_Secret_123").decode()
    response = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", **DEMO_CLIENT},
        headers={"Authorization": f"Basic {basic}"},
    )
    oauth_error(response, 400, "invalid_request")


def test_a_scope_the_client_may_not_have_is_invalid_scope(client: TestClient) -> None:
    response = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "scope": "pd_AdminWebApi admin", **DEMO_CLIENT},
    )
    assert "'admin'" in oauth_error(response, 400, "invalid_scope")


def test_a_client_asking_for_anothers_scope_gets_invalid_scope(client: TestClient) -> None:
    response = client.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "scope": "pd_AdminWebApi",
            **NO_ADMIN_SCOPE_CLIENT,
        },
    )
    assert "'pd_AdminWebApi'" in oauth_error(response, 400, "invalid_scope")


def test_a_repeated_parameter_is_invalid_request(client: TestClient) -> None:
    response = client.post(
        TOKEN_URL,
        content=(
            "grant_type=client_credentials&grant_type=password"
            "&client_id=CustomApiClient&client_secret=CustomClient_Secret_123"
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "'grant_type'" in oauth_error(response, 400, "invalid_request")


def test_basic_for_one_client_and_a_form_client_id_of_another_is_invalid_request(
    client: TestClient,
) -> None:
    basic = base64.b64encode(b"CustomApiClient:CustomClient_Secret_123").decode()
    response = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_id": "ReportingClient"},
        headers={"Authorization": f"Basic {basic}"},
    )
    oauth_error(response, 400, "invalid_request")


def test_a_form_without_content_type_is_415(client: TestClient) -> None:
    response = client.post(TOKEN_URL, content=b"grant_type=client_credentials")
    assert response.status_code == 415
    assert response.json()["error"] == "invalid_request"


def test_a_long_secret_is_neither_echoed_nor_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "S3cret-" * 60
    with caplog.at_level("DEBUG"):
        response = client.post(
            TOKEN_URL,
            data={
                "grant_type": "client_credentials",
                "client_id": "CustomApiClient",
                "client_secret": secret,
            },
        )
    oauth_error(response, 401, "invalid_client")
    assert secret not in response.text
    assert "S3cret-S3cret" not in caplog.text


def test_a_crash_is_a_500_server_error(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self, **kwargs):
        raise RuntimeError("internals")

    monkeypatch.setattr(IdentityRepository, "authenticate_client", explode)
    response = client.post(TOKEN_URL, data={"grant_type": "client_credentials", **DEMO_CLIENT})
    assert response.status_code == 500
    assert response.json()["error"] == "server_error"
    assert "internals" not in response.text


@pytest.mark.parametrize(
    "grant_type", ["refresh_token", "authorization_code", "CLIENT_CREDENTIALS"]
)
def test_other_grants_are_unsupported(client: TestClient, grant_type: str) -> None:
    response = client.post(TOKEN_URL, data={"grant_type": grant_type, **DEMO_CLIENT})
    oauth_error(response, 400, "unsupported_grant_type")


def test_missing_grant_type_is_invalid_request(client: TestClient) -> None:
    response = client.post(TOKEN_URL, data=DEMO_CLIENT)
    oauth_error(response, 400, "invalid_request")


def test_a_json_body_is_unsupported_media_type(client: TestClient) -> None:
    response = client.post(TOKEN_URL, json={"grant_type": "client_credentials", **DEMO_CLIENT})
    assert response.status_code == 415
    assert response.json()["error"] == "invalid_request"


def test_a_grant_the_client_may_not_use_is_unauthorized_client(client: TestClient) -> None:
    response = client.post(
        TOKEN_URL,
        data={"grant_type": "password", "username": "additiv", "password": "x", **DEMO_CLIENT},
    )
    assert "'password'" in oauth_error(response, 400, "unauthorized_client")
