"""The AnsysID demo data and tokens for tests: users signed in with the B2C password grant."""

from __future__ import annotations

import uuid
from typing import Any

import yaml
from starlette.testclient import TestClient

from specserve.settings import PROJECT_ROOT

SEED = yaml.safe_load((PROJECT_ROOT / "fixtures" / "seed" / "ansysid.yaml").read_text())

TENANT = "ansysaccount.onmicrosoft.com"
POLICY = "B2C_1A_ANSYSID_SIGNUP_SIGNIN"
TOKEN_PATH = f"/{TENANT}/{POLICY}/oauth2/v2.0/token"
AUTHORIZE_PATH = f"/{TENANT}/{POLICY}/oauth2/v2.0/authorize"
# The published scripts' form: the policy in the query.
TOKEN_PATH_P = f"/{TENANT}/oauth2/v2.0/token?p={POLICY}"
AUTHORIZE_PATH_P = f"/{TENANT}/oauth2/v2.0/authorize"

API_SCOPE = "https://ansysaccount.onmicrosoft.com/AnsysID/Authentication"
LAAS_SCOPE = "https://ansysaccount.onmicrosoft.com/LicensingAsAService/LicensingAsAService"
USER_SCOPE = f"openid offline_access {API_SCOPE}"
ANSYSID_AUDIENCE = "f4a9bd2c-5e0b-4f8e-9a53-4a1c1c5d0a11"

TEST_SCRIPTS_CLIENT = "b5e3d1c0-7f6a-4b2e-9d8c-1a2b3c4d5e6f"  # password grant
SYNC_TOOL_CLIENT = "7ef9d43e-407a-40a2-94d7-14eb40416af8"  # public, code flow
PAT_HELPER_CLIENT = "28982bbf-f354-4e48-8bfb-e542d44c588c"  # public, code flow
NATIVE_REDIRECT = "https://login.microsoftonline.com/common/oauth2/nativeclient"
SERVICE_APP = {
    "client_id": "5d1c3f7a-0b9e-4c1e-8f2a-6e7d9c0b1a22",
    "client_secret": "AnsysId_Demo_Secret_987",
}

ACCOUNTS = {account["name"]: uuid.UUID(account["id"]) for account in SEED["accounts"]}
CONTOSO = ACCOUNTS["Contoso Engineering"]
FABRIKAM = ACCOUNTS["Fabrikam Aerospace"]
NORTHWIND = ACCOUNTS["Northwind Motors"]
USERS = {user["email"]: uuid.UUID(user["id"]) for user in SEED["users"]}
PASSWORDS = {user["email"]: user["password"] for user in SEED["users"]}
ROLES = {role["name"]: uuid.UUID(role["id"]) for role in SEED["roles"]}
GROUPS = {group["name"]: uuid.UUID(group["id"]) for group in SEED["groups"]}

ADMIN = "ansys.admin@ansys.com"
VIEWER = "ansys.viewer@ansys.com"
SUPPORT = "support.coordinator@ansys.com"
CONTOSO_ADMIN = "anna.admin@contoso.com"
CONTOSO_VIEWER = "carl.viewer@contoso.com"
CONTOSO_MEMBER = "mia.member@contoso.com"
CONTOSO_OWNER = "omar.owner@contoso.com"  # a Member, owner of "Simulation Engineers"
FABRIKAM_ADMIN = "frank.admin@fabrikam.com"
FABRIKAM_MEMBER = "fiona.member@fabrikam.com"


def password_grant(client: TestClient, email: str, scope: str = USER_SCOPE) -> dict[str, Any]:
    response = client.post(
        TOKEN_PATH,
        data={
            "grant_type": "password",
            "client_id": TEST_SCRIPTS_CLIENT,
            "username": email,
            "password": PASSWORDS[email],
            "scope": scope,
        },
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


_tokens: dict[tuple[int, str], str] = {}


def user_auth(client: TestClient, email: str) -> dict[str, str]:
    """Authorization header of a demo user (one token per app and user: bcrypt is slow)."""
    key = (id(client.app), email)
    if key not in _tokens:
        _tokens[key] = password_grant(client, email)["access_token"]
    return {"Authorization": f"Bearer {_tokens[key]}"}


def service_auth(client: TestClient) -> dict[str, str]:
    """The registered confidential app (an Ansys Administrator service account)."""
    response = client.post(
        TOKEN_PATH,
        data={
            "grant_type": "client_credentials",
            **SERVICE_APP,
            "scope": "https://ansysaccount.onmicrosoft.com/AnsysID/.default",
        },
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
