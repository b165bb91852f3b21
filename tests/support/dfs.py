"""Tokens of DFS callers: signed-in identities (password grant) and client apps."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

# The seeded member data of Admin Admin (user additiv), as the samples show it.
ADMIN_MEMBER_DATA = {
    "FirstName": "Admin",
    "LastName": "Admin",
    "SalutationId": 2,
    "Email": "admin@additiv.com",
    "Description": "Admin account description",
    "Phone": "41|522672742",
    "Fax": "41|522672742",
    "Mobile": "41|797353960",
    "ExternalId": "EX001245",
}
BACK_OFFICE = {"client_id": "dfs.backoffice", "client_secret": "DfsBackOffice_Secret_789"}
ADMIN = "01000000-0000-0000-0000-000000000000"
TEAM_LEADER = "06000000-0000-0000-0000-000000000000"
BILL_DOE = "3fa85f64-5717-4562-b3fc-2c963f66afa4"
ADDITIV_UID = "4ffd1a62-2c9e-4c2d-b495-18d00141498e"
MEMBER_APP = {
    "client_id": "zy4I5dHA5tjMkgaeZBNmQShGpzP8vo",
    "client_secret": "Member_App_Secret_321",
}
ROLE_APP = {"client_id": "dMJ8UyS8KCgsyKNC35bPYfjuZmuqFL", "client_secret": "Role_App_Secret_654"}


def identity_auth(
    client: TestClient,
    user: str = "additiv",
    password: str = "Additiv-Demo-1",
    tenant: str | None = None,
) -> dict[str, str]:
    """Authorization header of an identity signed in with the password grant."""
    form = {"grant_type": "password", "username": user, "password": password, **BACK_OFFICE}
    if tenant is not None:
        form["acr_values"] = f"tenant:{tenant}"
    response = client.post("/ids/connect/token", data=form)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def app_auth(client: TestClient, app: dict[str, str] = MEMBER_APP) -> dict[str, str]:
    """Authorization header of a DFS client app (client credentials)."""
    response = client.post("/ids/connect/token", data={"grant_type": "client_credentials", **app})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def envelope_error(response: Any, status: int, code: str) -> str:
    """The envelope's message, once the status and `Code` are as expected."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["Code"] == code
    return str(body["Message"])
