"""The password grant for DFS identities, and the tenant claims of DFS tokens."""

from __future__ import annotations

import jwt
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

TOKEN_URL = "/ids/connect/token"
BACK_OFFICE = {"client_id": "dfs.backoffice", "client_secret": "DfsBackOffice_Secret_789"}
ADMIN_ID = "01000000-0000-0000-0000-000000000000"
ADDITIV_UID = "4ffd1a62-2c9e-4c2d-b495-18d00141498e"


def sign_in(client: TestClient, **form: str):
    return client.post(TOKEN_URL, data={"grant_type": "password", **BACK_OFFICE, **form})


def claims_of(response) -> dict:
    assert response.status_code == 200, response.text
    return jwt.decode(response.json()["access_token"], options={"verify_signature": False})


@pytest.mark.parametrize(
    "form",
    [
        {"username": "additiv", "password": "Additiv-Demo-1", "acr_values": "tenant:Additiv"},
        {"username": "ADDITIV", "password": "Additiv-Demo-1"},
        {"username": "additiv", "password": "Additiv-Demo-1", "acr_values": "idp:x tenant:additiv"},
    ],
)
def test_an_identity_signs_in_to_its_tenant(client: TestClient, form: dict[str, str]) -> None:
    claims = claims_of(sign_in(client, **form))
    assert claims["sub"] == ADMIN_ID
    assert claims["name"] == "additiv"
    assert (claims["tenant_id"], claims["tenant_uid"], claims["tenant_key"]) == (
        "2",
        ADDITIV_UID,
        "Additiv",
    )
    assert claims["aud"] == ["DFS.Api"]
    assert claims["scope"] == "DFS.Api.Full"
    assert claims["client_id"] == "dfs.backoffice"


@pytest.mark.parametrize(
    "form",
    [
        {"username": "additiv", "password": "wrong"},
        {"username": "nobody", "password": "Additiv-Demo-1"},
        {"username": "additiv", "password": "Additiv-Demo-1", "acr_values": "tenant:Nowhere"},
    ],
)
def test_wrong_credentials_are_invalid_grant(client: TestClient, form: dict[str, str]) -> None:
    response = sign_in(client, **form)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "Additiv-Demo-1" not in response.text


def test_missing_credentials_are_invalid_request(client: TestClient) -> None:
    response = sign_in(client, username="additiv")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("UPDATE dfs_identities SET is_sign_in_enabled = false WHERE user_name = 'additiv'",
         "Sign-in is disabled"),
        ("UPDATE dfs_tenant_access SET is_enabled = false "
         "WHERE identity_id IN (SELECT id FROM dfs_identities WHERE user_name = 'additiv')",
         "access to the tenant is disabled"),
    ],
)  # fmt: skip
def test_a_disabled_identity_cannot_sign_in(
    client: TestClient, database_url: str, statement: str, message: str
) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(statement))
    engine.dispose()
    response = sign_in(client, username="additiv", password="Additiv-Demo-1")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert message in response.json()["error_description"]


def test_a_dfs_app_token_carries_its_tenant(client: TestClient) -> None:
    response = client.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": "zy4I5dHA5tjMkgaeZBNmQShGpzP8vo",
            "client_secret": "Member_App_Secret_321",
        },
    )
    claims = claims_of(response)
    assert claims["sub"] == "zy4I5dHA5tjMkgaeZBNmQShGpzP8vo"
    assert (claims["tenant_id"], claims["tenant_key"]) == ("2", "Additiv")
    assert claims["aud"] == ["DFS.Api"]


def test_a_user_name_in_two_tenants_reveals_nothing_to_a_wrong_password(
    all_client: TestClient, bluebank: dict[str, str]
) -> None:
    second_bdou = {"FirstName": "Bea", "LastName": "Dou", "IdentityRoleId": 51}
    second_bdou |= {"Username": "bdou", "Password": "Another-Password-2"}
    response = all_client.post("/v1.2/identities", json=second_bdou, headers=bluebank)
    assert response.status_code == 200, response.text

    wrong = sign_in(all_client, username="bdou", password="not-a-password")
    unknown = sign_in(all_client, username="nobody-at-all", password="not-a-password")
    assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json())
    # Each password names its own identity, so no tenant need be named.
    bill = claims_of(sign_in(all_client, username="bdou", password="superseretPassword.123"))
    bea = claims_of(sign_in(all_client, username="bdou", password="Another-Password-2"))
    assert (bill["tenant_key"], bea["tenant_key"]) == ("Additiv", "Bluebank")
