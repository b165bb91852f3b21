"""The tag IdentityManagement of the DFS Admin Services API, in real mode, over the demo data
(tenant 2 Additiv, tenant 3 Bluebank)."""

from __future__ import annotations

import base64
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from httpx2 import Response
from starlette.testclient import TestClient

from specserve.settings import PROJECT_ROOT
from store.dfs.identities import is_complete_png
from tests.support.dfs import (
    ADMIN,
    ADMIN_MEMBER_DATA,
    BILL_DOE,
    MEMBER_APP,
    ROLE_APP,
    TEAM_LEADER,
    app_auth,
    identity_auth,
)
from tests.support.pictures import b64, png

JACK = "11655f64-5717-4562-b3fc-2cab3f66af00"
CAPTAIN = "11655f64-5717-4562-b3fc-2cab3f66bb77"
RITA = "2d7f1c3e-8a4b-4c6d-9e0f-1a2b3c4d5e01"
PAUL = "2d7f1c3e-8a4b-4c6d-9e0f-1a2b3c4d5e02"
ANNA = "b1000000-0000-0000-0000-000000000001"
SERVICE = "b1000000-0000-0000-0000-000000000002"
UNKNOWN = "3fa85f64-5717-4562-b3fc-2c963f66afa5"

TOKEN_URL = "/ids/connect/token"
BACK_OFFICE = {"client_id": "dfs.backoffice", "client_secret": "DfsBackOffice_Secret_789"}


@pytest.fixture
def role_app(all_client: TestClient) -> dict[str, str]:
    """An app holding RRole and WRole only."""
    return app_auth(all_client, ROLE_APP)


def error(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"Code", "SubCode", "Message", "CorrelationId"}
    return dict(body)


def sign_in(client: TestClient, user: str, password: str, tenant: str | None = None) -> Response:
    form = {"grant_type": "password", "username": user, "password": password, **BACK_OFFICE}
    if tenant is not None:
        form["acr_values"] = f"tenant:{tenant}"
    return client.post(TOKEN_URL, data=form)


def spec_example(path: str, method: str, status: str) -> Any:
    spec = yaml.safe_load((PROJECT_ROOT / "specs" / "dfs-admin.yaml").read_text())
    return spec["paths"][path][method]["responses"][status]["content"]["application/json"][
        "example"
    ]


# GET /v1.0/identities/{identityId}

ADMIN_DETAILS = {
    "MemberId": 1,
    "IdentityId": ADMIN,
    "UserName": "additiv",
    **ADMIN_MEMBER_DATA,
    "IdentityProviderSettingId": 1,
    "IdentityRole": {"Id": 1, "Name": "System-Administrator"},
    "IdentityProvider": {"Id": 1, "Name": "DFS.Identity"},
    "BankBranch": {"Id": 1, "Name": "<root><en>Branch 1a</en><de>Filiale 1a</de></root>"},
    "IsSignInEnabled": True,
    "IsTenantAccessEnabled": True,
    "AssignedContactsCount": 2,
    "ParticipantIds": [1],
}


def test_get_identity_answers_every_property(all_client: TestClient, admin: dict[str, str]) -> None:
    response = all_client.get(f"/v1.0/identities/{ADMIN}", headers=admin)
    assert response.status_code == 200
    assert response.json() == ADMIN_DETAILS
    # The app holding RMember reads it too; bank branch names stay as stored in any language.
    headers = {**app_auth(all_client, MEMBER_APP), "Accept-Language": "de"}
    paul = all_client.get(f"/v1.0/identities/{PAUL}", headers=headers).json()
    assert paul["BankBranch"] is None and paul["Phone"] is None and paul["Fax"] is None
    assert paul["IsSignInEnabled"] is False and paul["IsTenantAccessEnabled"] is False
    assert paul["ParticipantIds"] == []
    bill = all_client.get(f"/v1.0/identities/{BILL_DOE}", headers=headers).json()
    assert bill["BankBranch"]["Name"] == (
        "<root><en>BD Local Branch</en><de>BD Lokale Filiale</de></root>"
    )
    assert bill["IdentityRole"] == {"Id": 2, "Name": "General Manager"}


def test_get_identity_errors(
    all_client: TestClient,
    admin: dict[str, str],
    bluebank: dict[str, str],
    role_app: dict[str, str],
) -> None:
    error(all_client.get(f"/v1.0/identities/{UNKNOWN}", headers=admin), 404)
    error(all_client.get(f"/v1.0/identities/{ANNA}", headers=admin), 404)
    error(all_client.get(f"/v1.0/identities/{ADMIN}", headers=bluebank), 404)
    error(all_client.get("/v1.0/identities/not-a-uuid", headers=admin), 400)
    refused = error(all_client.get(f"/v1.0/identities/{ADMIN}", headers=role_app), 403)
    assert "RMember" in refused["Message"]
    assert all_client.get(f"/v1.0/identities/{ANNA}", headers=bluebank).json()["MemberId"] == 101


def test_an_identity_without_a_member_cannot_be_shown(
    all_client: TestClient, bluebank: dict[str, str]
) -> None:
    # The seed's system account has no member yet (the member import creates it), and the
    # answer's MemberId, FirstName and LastName cannot be null.
    refused = error(all_client.get(f"/v1.0/identities/{SERVICE}", headers=bluebank), 422)
    assert "no member" in refused["Message"]
    error(all_client.get(f"/v1.0/identities/{SERVICE}/hierarchy", headers=bluebank), 422)
    policies = all_client.get(f"/v1.0/identities/{SERVICE}/access-policies", headers=bluebank)
    assert policies.json() == {
        "accessPolicies": [{"id": 1, "key": "AuthContact", "name": "AuthContact"}]
    }


# POST /v1.2/identities

CREATE_SAMPLE = {
    "FirstName": "John",
    "LastName": "Connor",
    "SalutationId": 2,
    "Email": "jct@additiv.com",
    "Description": "John Connor account description",
    "Phone": "41|522672742",
    "Fax": "41|32112335",
    "Mobile": "41|633783853",
    "BankBranchId": 1,
    "IdentityRoleId": 1,
    "ExternalId": "EX006D34-9",
    "Username": "jconnor",
    "Password": "superseretPassword.123",
    "ParticipantIds": [1],
}


def test_create_identity_makes_its_member_and_access(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    response = all_client.post("/v1.2/identities", json=CREATE_SAMPLE, headers=admin)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"IdentityId"}
    created = response.json()["IdentityId"]
    details = all_client.get(f"/v1.0/identities/{created}", headers=admin).json()
    member_id = details.pop("MemberId")
    assert isinstance(member_id, int) and member_id not in (1, 6, 16, 20, 21, 55, 56)
    assert details == {
        "IdentityId": created,
        "UserName": "jconnor",
        "FirstName": "John",
        "LastName": "Connor",
        "SalutationId": 2,
        "Email": "jct@additiv.com",
        "Description": "John Connor account description",
        "Phone": "41|522672742",
        "Fax": "41|32112335",
        "Mobile": "41|633783853",
        "IdentityProviderSettingId": 1,
        "ExternalId": "EX006D34-9",
        "IdentityRole": {"Id": 1, "Name": "System-Administrator"},
        "IdentityProvider": {"Id": 1, "Name": "DFS.Identity"},
        "BankBranch": {"Id": 1, "Name": "<root><en>Branch 1a</en><de>Filiale 1a</de></root>"},
        "IsSignInEnabled": True,
        "IsTenantAccessEnabled": True,
        "AssignedContactsCount": 0,
        "ParticipantIds": [1],
    }
    # The password signs in (a bcrypt hash is stored, never the password), with the role's
    # policies: System-Administrator allows all.
    token = identity_auth(all_client, user="JConnor", password="superseretPassword.123")
    assert all_client.get(f"/v1.0/identities/{created}", headers=token).status_code == 200


def test_create_identity_minimal_in_another_tenant(
    all_client: TestClient, bluebank: dict[str, str]
) -> None:
    # `UserName` is accepted for `Username` (names match without regard to case).
    body = {"firstName": "Ben", "LastName": "Blau", "UserName": "additiv", "IdentityRoleId": 51}
    response = all_client.post("/v1.2/identities", json=body, headers=bluebank)
    assert response.status_code == 200, response.text
    created = response.json()["IdentityId"]
    details = all_client.get(f"/v1.0/identities/{created}", headers=bluebank).json()
    assert details["IdentityProviderSettingId"] == 2
    assert details["IdentityRole"] == {"Id": 51, "Name": "Advisor"}
    assert details["Email"] is None and details["BankBranch"] is None
    assert details["ParticipantIds"] == []
    # Without a password it cannot sign in with one.
    assert sign_in(all_client, "additiv", "anything-1A", tenant="Bluebank").status_code == 400


CREATE_REFUSALS: list[tuple[dict[str, Any], int]] = [
    ({"Username": "ADDITIV"}, 422),
    ({"Username": "Additiv"}, 422),
    ({"FirstName": None}, 400),
    ({"LastName": None}, 400),
    ({"Username": None}, 400),
    ({"IdentityRoleId": None}, 400),
    ({"Password": "alllowercase1"}, 400),
    ({"Password": "Short1a"}, 400),
    # At most 72 characters (schema), and 72 bytes, which bcrypt reads: longer is refused, not cut.
    ({"Password": "Aa1" + "x" * 70}, 400),
    ({"Password": "Aa1" + "\u00e9" * 40}, 422),
    ({"Username": "x"}, 400),
    ({"Phone": "+41 522"}, 400),
    ({"IdentityRoleId": 50}, 422),
    ({"IdentityRoleId": 999}, 422),
    ({"SalutationId": 99}, 422),
    ({"BankBranchId": 4}, 422),
    ({"ParticipantIds": [1, 8]}, 422),
]


def test_create_identity_refusals(all_client: TestClient, admin: dict[str, str]) -> None:
    # Without the sample's password unless the case is about it: bcrypt is slow on purpose.
    sample = {k: v for k, v in CREATE_SAMPLE.items() if k != "Password"}
    for change, status in CREATE_REFUSALS:
        response = all_client.post("/v1.2/identities", json=sample | change, headers=admin)
        assert response.status_code == status, (change, response.text)
        error(response, status)
    found = all_client.post(
        "/v1.0/identities/search", json={"SearchTerm": "Connor"}, headers=admin
    ).json()
    assert found["TotalCount"] == 0


def test_create_identity_needs_write_member(
    all_client: TestClient, role_app: dict[str, str]
) -> None:
    body = {**CREATE_SAMPLE, "Username": "appmade"}
    assert error(all_client.post("/v1.2/identities", json=body, headers=role_app), 403)
    member_app = app_auth(all_client, MEMBER_APP)
    body.pop("Password")
    assert all_client.post("/v1.2/identities", json=body, headers=member_app).status_code == 200


def test_concurrent_creates_of_one_user_name_make_one_identity(
    all_client: TestClient, admin: dict[str, str], database_url: str
) -> None:
    racers = 20
    start = threading.Barrier(racers, timeout=60)

    def create(number: int) -> Response:
        body = {
            "FirstName": "Racer",
            "LastName": f"Number {number}",
            "Username": "Racer" if number % 2 else "RACER",
            "IdentityRoleId": 2,
        }
        start.wait()
        return all_client.post("/v1.2/identities", json=body, headers=admin)

    with ThreadPoolExecutor(max_workers=racers) as pool:
        answers = list(pool.map(create, range(racers)))
    assert sorted(answer.status_code for answer in answers) == [200] + [422] * (racers - 1)
    for refused in (answer for answer in answers if answer.status_code == 422):
        refusal = error(refused, 422)
        assert refusal["Code"] == "UnprocessableEntity"
        assert "already" in refusal["Message"]
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            count = connection.scalar(
                sa.text("SELECT count(*) FROM dfs_identities WHERE user_name_normalized = 'racer'")
            )
            members = connection.scalar(
                sa.text("SELECT count(*) FROM dfs_members WHERE first_name = 'Racer'")
            )
    finally:
        engine.dispose()
    assert count == 1
    assert members == 1


# PATCH /v1.3/identities/{identityId}

UPDATE_SAMPLE = {
    "FirstName": "Sarah",
    "LastName": "Connor",
    "SalutationId": 1,
    "Email": "sconnor@additiv.com",
    "Description": "Sarah Connor account description",
    "Phone": "41|9379992",
    "Fax": "41|43223446",
    "Mobile": "41|0480003",
    "BankBranchId": 2,
    "IdentityRoleId": 1,
    "ExternalId": "0001EXT-F",
    "UserName": "sconn",
    "ResetPassword": {"Password": "Test@1234", "ConfirmPassword": "Test@1234"},
    "ChangePassword": {
        "OldPassword": "superseretPassword.123",
        "Password": "Test@1234",
        "ConfirmPassword": "Test@1234",
    },
    "IsSignInEnabled": True,
    "IsTenantAccessEnabled": True,
    "ParticipantIds": [1],
    "UpdateProperties": [
        "FirstName",
        "LastName",
        "SalutationId",
        "Email",
        "Description",
        "Phone",
        "Fax",
        "Mobile",
        "Url",
        "BankBranchId",
        "IdentityRoleId",
        "ExternalId",
        "UserName",
        "IsSignInEnabled",
        "IsTenantAccessEnabled",
        "ParticipantIds",
        "ResetPassword",
        "ChangePassword",
    ],
}


def patch(
    client: TestClient, identity: str, body: dict[str, Any], headers: dict[str, str]
) -> Response:
    return client.patch(f"/v1.3/identities/{identity}", json=body, headers=headers)


def test_update_identity_with_the_sample(all_client: TestClient, admin: dict[str, str]) -> None:
    response = patch(all_client, BILL_DOE, UPDATE_SAMPLE, admin)
    assert response.status_code == 204, response.text
    assert response.content == b""
    details = all_client.get(f"/v1.0/identities/{BILL_DOE}", headers=admin).json()
    assert details == {
        "MemberId": 16,
        "IdentityId": BILL_DOE,
        "UserName": "sconn",
        "FirstName": "Sarah",
        "LastName": "Connor",
        "SalutationId": 1,
        "Email": "sconnor@additiv.com",
        "Description": "Sarah Connor account description",
        "Phone": "41|9379992",
        "Fax": "41|43223446",
        "Mobile": "41|0480003",
        "IdentityProviderSettingId": 1,
        "ExternalId": "0001EXT-F",
        "IdentityRole": {"Id": 1, "Name": "System-Administrator"},
        "IdentityProvider": {"Id": 1, "Name": "DFS.Identity"},
        "BankBranch": {"Id": 2, "Name": "<root><en>Branch 2</en><de>Filiale 2</de></root>"},
        "IsSignInEnabled": True,
        "IsTenantAccessEnabled": True,
        "AssignedContactsCount": 2,
        "ParticipantIds": [1],
    }
    assert sign_in(all_client, "bdou", "superseretPassword.123").status_code == 400
    assert sign_in(all_client, "SCONN", "Test@1234").status_code == 200


def test_update_changes_only_the_named_properties(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    before = all_client.get(f"/v1.0/identities/{BILL_DOE}", headers=admin).json()
    body = {
        "UpdateProperties": ["firstname", "FIRSTNAME", "email", "Fax", "participantIds"],
        "FirstName": "William",
        "LastName": "Ignored",
        "BankBranchId": 999,
    }
    assert patch(all_client, BILL_DOE, body, admin).status_code == 204
    after = all_client.get(f"/v1.0/identities/{BILL_DOE}", headers=admin).json()
    assert after == {
        **before,
        "FirstName": "William",
        "Email": None,
        "Fax": None,
        "ParticipantIds": [],
    }


def test_an_update_that_names_nothing_changes_nothing(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    # As the vendor's sample sends it: an empty list, and password objects it does not name.
    before = all_client.get(f"/v1.0/identities/{BILL_DOE}", headers=admin).json()
    body = {"UpdateProperties": [], "FirstName": "Ignored", "ResetPassword": {}}
    response = all_client.patch(f"/v1.3/identities/{BILL_DOE}", json=body, headers=admin)
    assert response.status_code == 204, response.text
    assert all_client.get(f"/v1.0/identities/{BILL_DOE}", headers=admin).json() == before


UPDATE_REFUSALS: list[tuple[dict[str, Any], int]] = [
    ({"UpdateProperties": ["ResetPassword"], "ResetPassword": {"Password": "Test@1234"}}, 422),
    ({"UpdateProperties": ["ChangePassword"], "ChangePassword": {}}, 422),
    ({"UpdateProperties": None}, 400),
    ({"FirstName": "X"}, 400),
    ({"UpdateProperties": ["Nickname"]}, 422),
    ({"UpdateProperties": ["LastName"]}, 422),
    ({"UpdateProperties": ["UserName"]}, 422),
    ({"UpdateProperties": ["IsSignInEnabled"]}, 422),
    ({"UpdateProperties": ["ResetPassword"]}, 422),
    ({"UpdateProperties": ["UserName"], "UserName": "ADDITIV"}, 422),
    ({"UpdateProperties": ["UserName"], "UserName": "a b"}, 400),
    ({"UpdateProperties": ["IdentityRoleId"], "IdentityRoleId": 50}, 422),
    ({"UpdateProperties": ["SalutationId"], "SalutationId": 99}, 422),
    ({"UpdateProperties": ["ParticipantIds"], "ParticipantIds": [8]}, 422),
    (
        {
            "UpdateProperties": ["FirstName", "BankBranchId"],
            "FirstName": "Never",
            "BankBranchId": 4,
        },
        422,
    ),
    (
        {
            "UpdateProperties": ["ResetPassword"],
            "ResetPassword": {"Password": "Test@1234", "ConfirmPassword": "Test@12345"},
        },
        422,
    ),
    (
        {
            "UpdateProperties": ["ChangePassword"],
            "ChangePassword": {
                "OldPassword": "wrong-Password-1",
                "Password": "Test@1234",
                "ConfirmPassword": "Test@1234",
            },
        },
        422,
    ),
    (
        {
            "UpdateProperties": ["ResetPassword", "ChangePassword"],
            "ResetPassword": {"Password": "Other@1234", "ConfirmPassword": "Other@1234"},
            "ChangePassword": {
                "OldPassword": "superseretPassword.123",
                "Password": "Test@1234",
                "ConfirmPassword": "Test@1234",
            },
        },
        422,
    ),
    (
        {
            "UpdateProperties": ["ResetPassword"],
            "ResetPassword": {"Password": "weak", "ConfirmPassword": "weak"},
        },
        400,
    ),
]


def test_update_refusals_change_nothing(all_client: TestClient, admin: dict[str, str]) -> None:
    before = all_client.get(f"/v1.0/identities/{BILL_DOE}", headers=admin).json()
    for body, status in UPDATE_REFUSALS:
        response = patch(all_client, BILL_DOE, body, admin)
        assert response.status_code == status, (body, response.text)
        error(response, status)
    assert all_client.get(f"/v1.0/identities/{BILL_DOE}", headers=admin).json() == before
    assert sign_in(all_client, "bdou", "superseretPassword.123").status_code == 200


def test_update_errors(
    all_client: TestClient,
    admin: dict[str, str],
    bluebank: dict[str, str],
    role_app: dict[str, str],
) -> None:
    body = {"UpdateProperties": ["FirstName"], "FirstName": "Nobody"}
    error(patch(all_client, UNKNOWN, body, admin), 404)
    error(patch(all_client, ANNA, body, admin), 404)
    error(patch(all_client, ADMIN, body, bluebank), 404)
    error(patch(all_client, BILL_DOE, body, role_app), 403)
    error(patch(all_client, BILL_DOE, {"UpdateProperties": ["Bogus"]}, role_app), 403)
    # Member properties of an identity that has no member yet.
    error(patch(all_client, SERVICE, body, bluebank), 422)


def test_an_identity_cannot_lock_itself_out(all_client: TestClient, admin: dict[str, str]) -> None:
    for name in ("IsSignInEnabled", "IsTenantAccessEnabled"):
        error(patch(all_client, ADMIN, {"UpdateProperties": [name], name: False}, admin), 422)
    assert sign_in(all_client, "additiv", "Additiv-Demo-1").status_code == 200


@pytest.mark.parametrize("name", ["IsSignInEnabled", "IsTenantAccessEnabled"])
def test_disabling_sign_in_or_tenant_access_stops_the_password_grant(
    all_client: TestClient, admin: dict[str, str], name: str
) -> None:
    assert sign_in(all_client, "teamleader1", "Additiv-Demo-1").status_code == 200
    assert (
        patch(all_client, TEAM_LEADER, {"UpdateProperties": [name], name: False}, admin).status_code
        == 204
    )
    refused = sign_in(all_client, "teamleader1", "Additiv-Demo-1")
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    details = all_client.get(f"/v1.0/identities/{TEAM_LEADER}", headers=admin).json()
    assert details[name] is False
    assert (
        patch(all_client, TEAM_LEADER, {"UpdateProperties": [name], name: True}, admin).status_code
        == 204
    )
    assert sign_in(all_client, "teamleader1", "Additiv-Demo-1").status_code == 200


def test_reset_password_needs_no_old_one(all_client: TestClient, admin: dict[str, str]) -> None:
    body = {
        "UpdateProperties": ["resetpassword"],
        "ResetPassword": {"Password": "Fresh-Pass-9", "ConfirmPassword": "Fresh-Pass-9"},
    }
    assert patch(all_client, TEAM_LEADER, body, admin).status_code == 204
    assert sign_in(all_client, "teamleader1", "Additiv-Demo-1").status_code == 400
    assert sign_in(all_client, "teamleader1", "Fresh-Pass-9").status_code == 200


# POST /v1.0/identities/search


def search(client: TestClient, headers: dict[str, str], **criteria: Any) -> dict[str, Any]:
    response = client.post("/v1.0/identities/search", json=criteria, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def user_names(result: dict[str, Any]) -> list[str]:
    return [item["UserName"] for item in result["Results"]]


def test_search_defaults(all_client: TestClient, admin: dict[str, str]) -> None:
    result = search(all_client, admin)
    # Enabled tenant access and sign-in only, by LastName (ties by FirstName).
    assert user_names(result) == ["additiv", "jdaniels", "bdou", "teamleader1", "cmorgan"]
    assert (result["Page"], result["PageSize"], result["PageCount"], result["TotalCount"]) == (
        1,
        10,
        1,
        5,
    )
    assert result["Results"][0] == {
        "IdentityId": ADMIN,
        "ParticipantIds": [1],
        "FirstName": "Admin",
        "LastName": "Admin",
        "Email": "admin@additiv.com",
        "Description": "Admin account description",
        "UserName": "additiv",
        "IdentityRole": {"Id": 1, "Name": "System-Administrator"},
        "IsSignInEnabled": True,
        "IsTenantAccessEnabled": True,
        "AssignedContactsCount": 2,
        "IdentityProvider": {"Id": 1, "Name": "DFS.Identity"},
        "MemberId": 1,
        "BankBranch": {"Id": 1, "Name": "<root><en>Branch 1a</en><de>Filiale 1a</de></root>"},
    }


def test_search_scope(
    all_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    # The admin identity may search by all tenants: disabled tenant access too.
    everyone = search(all_client, admin, SearchByAllTenants=True)
    assert "rmeier" in user_names(everyone) and everyone["TotalCount"] == 6
    rita = next(i for i in everyone["Results"] if i["UserName"] == "rmeier")
    assert rita["IsTenantAccessEnabled"] is False
    assert (
        search(all_client, admin, SearchByAllTenants=True, SearchByInactive=True)["TotalCount"] == 7
    )
    # Paul's tenant access is disabled too: SearchByInactive alone does not find him.
    assert search(all_client, admin, SearchByInactive=True)["TotalCount"] == 5
    # Honoured only for identities that see all tenants: not for Jack nor for an app.
    jack = identity_auth(all_client, user="jdaniels")
    assert search(all_client, jack, SearchByAllTenants=True)["TotalCount"] == 5
    member_app = app_auth(all_client, MEMBER_APP)
    assert search(all_client, member_app, SearchByAllTenants=True)["TotalCount"] == 5
    # Another tenant's token finds its own identities; its system account has no member and
    # so cannot be a result.
    assert user_names(search(all_client, bluebank)) == ["bluebank.admin"]
    assert user_names(search(all_client, bluebank, SearchBySystemAccounts=True)) == [
        "bluebank.admin"
    ]


def test_search_finds_system_accounts_only_when_asked(
    all_client: TestClient, admin: dict[str, str], database_url: str
) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "UPDATE dfs_identities SET is_system_account = true "
                    "WHERE user_name = 'teamleader1'"
                )
            )
    finally:
        engine.dispose()
    assert "teamleader1" not in user_names(search(all_client, admin))
    assert "teamleader1" in user_names(search(all_client, admin, SearchBySystemAccounts=True))
    # Nor is a system account listed with the hierarchy levels.
    listed = all_client.get("/v1.0/identities/roles/hierarchy-level", headers=admin).json()
    assert TEAM_LEADER not in [entry["Identity"]["IdentityId"] for entry in listed]


SEARCH_FILTERS: list[tuple[dict[str, Any], list[str] | None]] = [
    ({"RoleIds": [43, 2]}, ["bdou", "teamleader1"]),
    ({"RoleIds": [35]}, []),
    ({"IdentityIds": [CAPTAIN, RITA, UNKNOWN]}, ["cmorgan"]),
    ({"ParticipantIds": [7, 99]}, ["bdou", "cmorgan"]),
    ({"FirstName": " team "}, ["teamleader1"]),
    ({"FirstName": "tea"}, []),
    ({"LastName": "LEADER 1", "FirstName": "Team"}, ["teamleader1"]),
    ({"SearchTerm": "DOU", "SearchIdentityBy": "UserName"}, ["bdou"]),
    ({"SearchTerm": "admin"}, ["additiv", "jdaniels", "cmorgan"]),
    ({"SearchTerm": "admin", "SearchIdentityBy": "FirstName"}, ["additiv"]),
    ({"SearchTerm": "manager", "SearchIdentityBy": "RoleName"}, ["bdou"]),
    ({"SearchTerm": "doe bill", "SearchIdentityBy": "FullName"}, ["bdou"]),
    ({"SearchTerm": "bill doe", "SearchIdentityBy": "FullName"}, ["bdou"]),
    ({"SearchTerm": "@ADDITIV.com", "SearchIdentityBy": "Email", "PageSize": 1}, ["additiv"]),
    ({"SearchTerm": "dfs.identity", "SearchIdentityBy": "IdentityProviderName"}, None),
    ({"SearchTerm": "   "}, None),
    ({"RoleIds": None, "IdentityIds": [], "SearchTerm": None}, None),
]


def test_search_filters(all_client: TestClient, admin: dict[str, str]) -> None:
    everyone = ["additiv", "jdaniels", "bdou", "teamleader1", "cmorgan"]
    for criteria, expected in SEARCH_FILTERS:
        found = user_names(search(all_client, admin, **criteria))
        assert found == (everyone if expected is None else expected), criteria


SEARCH_SORTS: list[tuple[dict[str, Any], str]] = [
    (
        {"SortBy": "firstname", "SortOrder": "Descending"},
        "teamleader1 jdaniels cmorgan bdou additiv",
    ),
    ({"SortBy": "MemberId"}, "additiv teamleader1 bdou jdaniels cmorgan"),
    ({"SortBy": "RoleName"}, "bdou additiv cmorgan jdaniels teamleader1"),
    (
        {"SortBy": "UserName", "SortOrder": "Descending"},
        "teamleader1 jdaniels cmorgan bdou additiv",
    ),
    ({"SortBy": "FullName"}, "additiv bdou cmorgan jdaniels teamleader1"),
    ({"SortBy": "Email"}, "additiv bdou cmorgan jdaniels teamleader1"),
    ({"SortBy": None, "SortOrder": "Descending"}, "cmorgan teamleader1 bdou jdaniels additiv"),
]


def test_search_sorts(all_client: TestClient, admin: dict[str, str]) -> None:
    for sort, expected in SEARCH_SORTS:
        assert user_names(search(all_client, admin, **sort)) == expected.split(), sort


def test_search_pages(all_client: TestClient, admin: dict[str, str]) -> None:
    third = search(all_client, admin, Page=3, PageSize=2)
    assert user_names(third) == ["cmorgan"]
    assert (third["Page"], third["PageSize"], third["PageCount"], third["TotalCount"]) == (
        3,
        2,
        3,
        5,
    )
    past = search(all_client, admin, Page=4, PageSize=2)
    assert past["Results"] == [] and past["TotalCount"] == 5
    nothing = search(all_client, admin, SearchTerm="no such person")
    assert (nothing["PageCount"], nothing["TotalCount"]) == (0, 0)


def test_search_errors(
    all_client: TestClient, admin: dict[str, str], role_app: dict[str, str]
) -> None:
    error(
        all_client.post("/v1.0/identities/search", json={"SortBy": "Nickname"}, headers=admin),
        422,
    )
    for criteria in (
        {"PageSize": 101},
        {"PageSize": 0},
        {"Page": 0},
        {"SortOrder": "Sideways"},
        {"SearchIdentityBy": "Shoe"},
        {"IdentityIds": ["not-a-uuid"]},
    ):
        error(all_client.post("/v1.0/identities/search", json=criteria, headers=admin), 400)
    error(all_client.post("/v1.0/identities/search", json={}, headers=role_app), 403)


def test_search_sees_a_created_identity(all_client: TestClient, admin: dict[str, str]) -> None:
    body = {"FirstName": "Zoe", "LastName": "Zeta", "Username": "zzeta", "IdentityRoleId": 43}
    created = all_client.post("/v1.2/identities", json=body, headers=admin).json()["IdentityId"]
    result = search(all_client, admin, SearchTerm="zeta")
    assert [i["IdentityId"] for i in result["Results"]] == [created]


# PATCH /v1.0/tenants/{tenantId}/identities/{identityId}/access


def set_access(
    client: TestClient, tenant: int, identity: str, body: dict[str, Any], headers: dict[str, str]
) -> Response:
    return client.patch(
        f"/v1.0/tenants/{tenant}/identities/{identity}/access", json=body, headers=headers
    )


def test_tenant_access_enable_disable_and_role(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    assert set_access(all_client, 2, RITA, {"IsEnabled": True}, admin).status_code == 204
    rita = all_client.get(f"/v1.0/identities/{RITA}", headers=admin).json()
    assert rita["IsTenantAccessEnabled"] is True
    assert rita["IdentityRole"] == {"Id": 35, "Name": "Relationship Manager"}
    assert "rmeier" in user_names(search(all_client, admin))
    assert sign_in(all_client, "rmeier", "Additiv-Demo-1").status_code == 200
    # Idempotent, and the role changes with the body's TenantId equal to the path's.
    body = {"TenantId": 2, "IdentityRoleId": 43, "IsEnabled": True}
    for _ in range(2):
        assert set_access(all_client, 2, RITA, body, admin).status_code == 204
    rita = all_client.get(f"/v1.0/identities/{RITA}", headers=admin).json()
    assert rita["IdentityRole"] == {"Id": 43, "Name": "Team Leader"}
    # Disabled: the role is kept, sign-in stops.
    assert set_access(all_client, 2, RITA, {"IsEnabled": False}, admin).status_code == 204
    rita = all_client.get(f"/v1.0/identities/{RITA}", headers=admin).json()
    assert rita["IsTenantAccessEnabled"] is False and rita["IdentityRole"]["Id"] == 43
    assert sign_in(all_client, "rmeier", "Additiv-Demo-1").status_code == 400


def test_tenant_access_to_another_tenant_is_404(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    # Tenant Additiv may not grant its identities access into tenant Bluebank, nor learn
    # which of Bluebank's roles exist: another tenant answers as a missing one.
    for body in (
        {"IsEnabled": True},
        {"IsEnabled": True, "IdentityRoleId": 2},
        {"IsEnabled": True, "IdentityRoleId": 51, "TenantId": 3},
    ):
        error(set_access(all_client, 3, BILL_DOE, body, admin), 404)
    assert (
        sign_in(all_client, "bdou", "superseretPassword.123", tenant="Bluebank").status_code == 400
    )
    bill = all_client.get(f"/v1.0/identities/{BILL_DOE}", headers=admin).json()
    assert bill["IdentityRole"] == {"Id": 2, "Name": "General Manager"}


def test_tenant_access_errors(
    all_client: TestClient,
    admin: dict[str, str],
    bluebank: dict[str, str],
    role_app: dict[str, str],
) -> None:
    enable = {"IsEnabled": True}
    error(set_access(all_client, 2, BILL_DOE, {"TenantId": 3, "IsEnabled": True}, admin), 422)
    error(set_access(all_client, 2, BILL_DOE, {"IdentityRoleId": 1}, admin), 400)
    error(set_access(all_client, 99, BILL_DOE, enable, admin), 404)
    error(set_access(all_client, 2, UNKNOWN, enable, admin), 404)
    error(set_access(all_client, 3, ANNA, enable, admin), 404)
    error(set_access(all_client, 2, BILL_DOE, enable, bluebank), 404)
    error(
        set_access(all_client, 2, BILL_DOE, {"IsEnabled": True, "IdentityRoleId": 50}, admin), 422
    )
    error(set_access(all_client, 2, ADMIN, {"IsEnabled": False}, admin), 422)
    error(set_access(all_client, 2, BILL_DOE, enable, role_app), 403)
    assert sign_in(all_client, "additiv", "Additiv-Demo-1").status_code == 200


# Profile pictures


def picture_url(identity: str) -> str:
    return f"/v1.0/identities/{identity}/profilepicture"


def test_get_profile_picture(all_client: TestClient, admin: dict[str, str]) -> None:
    response = all_client.get(picture_url(ADMIN), headers=admin)
    assert response.status_code == 200
    assert response.json() == spec_example(
        "/v1.0/identities/{identityId}/profilepicture", "get", "200"
    )
    bill = all_client.get(picture_url(BILL_DOE), headers=admin).json()
    assert bill["IsDefaultImage"] is True
    assert is_complete_png(base64.b64decode(bill["ImageContentBase64"], validate=True))
    jack = all_client.get(picture_url(JACK), headers=admin).json()
    assert jack == bill


def test_upload_and_delete_profile_picture(all_client: TestClient, admin: dict[str, str]) -> None:
    picture = b64(png())
    response = all_client.put(
        picture_url(BILL_DOE), json={"imageContentBase64": picture}, headers=admin
    )
    assert response.status_code == 204, response.text
    assert all_client.get(picture_url(BILL_DOE), headers=admin).json() == {
        "ImageContentBase64": picture,
        "IsDefaultImage": False,
    }
    jpeg = b64(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")
    assert (
        all_client.put(
            picture_url(BILL_DOE), json={"ImageContentBase64": jpeg}, headers=admin
        ).status_code
        == 204
    )
    assert all_client.get(picture_url(BILL_DOE), headers=admin).json()["ImageContentBase64"] == jpeg
    for _ in range(2):
        assert all_client.delete(picture_url(BILL_DOE), headers=admin).status_code == 204
    assert all_client.get(picture_url(BILL_DOE), headers=admin).json()["IsDefaultImage"] is True
    assert all_client.delete(picture_url(ADMIN), headers=admin).status_code == 204
    assert all_client.get(picture_url(ADMIN), headers=admin).json()["IsDefaultImage"] is True


UPLOAD_REFUSALS = [
    (None, 400),
    ("", 400),
    ("AAAAA", 400),
    ("not base64!", 400),
    ("data:image/png;base64," + b64(png()), 400),
    (b64(png())[:40] + "\n" + b64(png())[40:], 400),
    # Longer than the 1,398,104 base64 characters of 1 MiB decoded.
    ("A" * 1398108, 400),
    (b64(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 422),
    (b64(png()[:-12]), 422),
    (b64(png()[:-1] + b"\x00"), 422),
    (b64(b"\x89PNG\r\n\x1a\n"), 422),
    (b64(b"\xff\xd8\xff\xe0\x00\x10JFIF"), 422),
    (b64(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), 422),
]


def test_upload_refusals(all_client: TestClient, admin: dict[str, str]) -> None:
    for value, status in UPLOAD_REFUSALS:
        body = {"ImageContentBase64": value}
        response = all_client.put(picture_url(ADMIN), json=body, headers=admin)
        assert response.status_code == status, (str(value)[:60], response.text)
        error(response, status)
    assert all_client.get(picture_url(ADMIN), headers=admin).json()["IsDefaultImage"] is False


def test_profile_picture_errors(
    all_client: TestClient,
    admin: dict[str, str],
    bluebank: dict[str, str],
    role_app: dict[str, str],
) -> None:
    body = {"ImageContentBase64": b64(png())}
    for identity, headers in ((UNKNOWN, admin), (ANNA, admin), (ADMIN, bluebank)):
        error(all_client.get(picture_url(identity), headers=headers), 404)
        error(all_client.put(picture_url(identity), json=body, headers=headers), 404)
        error(all_client.delete(picture_url(identity), headers=headers), 404)
    error(all_client.get(picture_url(ADMIN), headers=role_app), 403)
    error(all_client.put(picture_url(ADMIN), json=body, headers=role_app), 403)
    error(all_client.delete(picture_url(ADMIN), headers=role_app), 403)
    member_app = app_auth(all_client, MEMBER_APP)
    assert all_client.get(picture_url(ADMIN), headers=member_app).json()["IsDefaultImage"] is False


# GET /v1.0/identities/{identityId}/access-policies


def test_access_policies(
    all_client: TestClient,
    admin: dict[str, str],
    bluebank: dict[str, str],
    role_app: dict[str, str],
) -> None:
    everything = all_client.get(f"/v1.0/identities/{ADMIN}/access-policies", headers=admin)
    assert everything.status_code == 200
    policies = everything.json()["accessPolicies"]
    assert [p["id"] for p in policies] == list(range(1, 10))
    assert (
        policies[:5]
        == spec_example("/v1.0/identities/{identityId}/access-policies", "get", "200")[
            "accessPolicies"
        ]
    )
    leader = all_client.get(f"/v1.0/identities/{TEAM_LEADER}/access-policies", headers=admin)
    assert leader.json() == {
        "accessPolicies": [
            {"id": 1, "key": "AuthContact", "name": "AuthContact"},
            {"id": 2, "key": "AuthContactMobile", "name": "AuthContactMobile"},
        ]
    }
    error(all_client.get(f"/v1.0/identities/{UNKNOWN}/access-policies", headers=admin), 404)
    error(all_client.get(f"/v1.0/identities/{ANNA}/access-policies", headers=admin), 404)
    error(all_client.get(f"/v1.0/identities/{ADMIN}/access-policies", headers=bluebank), 404)
    error(all_client.get(f"/v1.0/identities/{ADMIN}/access-policies", headers=role_app), 403)


def test_access_policies_follow_a_role_change(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    body = {"UpdateProperties": ["IdentityRoleId"], "IdentityRoleId": 2}
    assert patch(all_client, TEAM_LEADER, body, admin).status_code == 204
    leader = all_client.get(f"/v1.0/identities/{TEAM_LEADER}/access-policies", headers=admin)
    assert [p["key"] for p in leader.json()["accessPolicies"]] == ["AuthContact"]


# Hierarchies


def item(identity: str, member: int, names: str, role: tuple[int, str, int]) -> dict[str, Any]:
    """A hierarchy item; `names` is "First|Last"."""
    first, last = names.split("|")
    return {
        "Identity": {
            "IdentityId": identity,
            "MemberId": member,
            "FirstName": first,
            "LastName": last,
        },
        "Role": {"Id": role[0], "Name": role[1], "HierarchyLevel": role[2]},
    }


ADMIN_ITEM = item(ADMIN, 1, "Admin|Admin", (1, "System-Administrator", 6))
JACK_ITEM = item(JACK, 55, "Jack|Daniels", (1, "System-Administrator", 6))
CAPTAIN_ITEM = item(CAPTAIN, 56, "Captain|Morgan", (1, "System-Administrator", 6))
LEADER_ITEM = item(TEAM_LEADER, 6, "Team|Leader 1", (43, "Team Leader", 4))
BILL_ITEM = item(BILL_DOE, 16, "Bill|Doe", (2, "General Manager", 2))


def test_identities_with_role_hierarchy_level(
    all_client: TestClient,
    admin: dict[str, str],
    bluebank: dict[str, str],
    role_app: dict[str, str],
) -> None:
    url = "/v1.0/identities/roles/hierarchy-level"
    response = all_client.get(url, headers=admin)
    assert response.status_code == 200
    assert response.json() == [ADMIN_ITEM, JACK_ITEM, CAPTAIN_ITEM, LEADER_ITEM, BILL_ITEM]
    # The system account is not listed.
    assert all_client.get(url, headers=bluebank).json() == [
        item(ANNA, 101, "Anna|Blau", (50, "System-Administrator", 6))
    ]
    error(all_client.get(url, headers=role_app), 403)
    assert set_access(all_client, 2, RITA, {"IsEnabled": True}, admin).status_code == 204
    rita = item(RITA, 20, "Rita|Meier", (35, "Relationship Manager", 5))
    assert all_client.get(url, headers=admin).json()[3] == rita


def hierarchy_of(client: TestClient, identity: str, headers: dict[str, str]) -> Response:
    return client.get(f"/v1.0/identities/{identity}/hierarchy", headers=headers)


def test_identity_hierarchy(all_client: TestClient, admin: dict[str, str]) -> None:
    response = hierarchy_of(all_client, ADMIN, admin)
    assert response.status_code == 200
    assert response.json() == {
        "Superiors": [JACK_ITEM, CAPTAIN_ITEM],
        "Base": ADMIN_ITEM,
        "HierarchyItems": [LEADER_ITEM, BILL_ITEM],
    }
    assert hierarchy_of(all_client, TEAM_LEADER, admin).json() == {
        "Superiors": [ADMIN_ITEM, JACK_ITEM, CAPTAIN_ITEM],
        "Base": LEADER_ITEM,
        "HierarchyItems": [BILL_ITEM],
    }
    # An identity whose tenant access is disabled is nobody's superior nor item, but has a
    # hierarchy of its own.
    rita = hierarchy_of(all_client, RITA, admin).json()
    assert rita["Base"]["Role"]["HierarchyLevel"] == 5
    assert rita["HierarchyItems"] == [LEADER_ITEM, BILL_ITEM]


def test_identity_hierarchy_errors(
    all_client: TestClient,
    admin: dict[str, str],
    bluebank: dict[str, str],
    role_app: dict[str, str],
) -> None:
    error(hierarchy_of(all_client, UNKNOWN, admin), 404)
    error(hierarchy_of(all_client, ANNA, admin), 404)
    error(hierarchy_of(all_client, ADMIN, bluebank), 404)
    error(hierarchy_of(all_client, ADMIN, role_app), 403)


def exclude(client: TestClient, identity: str, ids: Any, headers: dict[str, str]) -> Response:
    return client.put(f"/v1.0/identities/{identity}/hierarchy/exclude", json=ids, headers=headers)


def test_hierarchy_exclusions(all_client: TestClient, admin: dict[str, str]) -> None:
    assert exclude(all_client, ADMIN, [BILL_DOE, BILL_DOE.upper()], admin).status_code == 204
    assert hierarchy_of(all_client, ADMIN, admin).json()["HierarchyItems"] == [LEADER_ITEM]
    # The whole list is replaced; an identity not below is accepted and changes nothing.
    assert exclude(all_client, ADMIN, [TEAM_LEADER, JACK], admin).status_code == 204
    admin_hierarchy = hierarchy_of(all_client, ADMIN, admin).json()
    assert admin_hierarchy["HierarchyItems"] == [BILL_ITEM]
    assert admin_hierarchy["Superiors"] == [JACK_ITEM, CAPTAIN_ITEM]
    # Only the base's own list counts.
    assert hierarchy_of(all_client, CAPTAIN, admin).json()["HierarchyItems"] == [
        LEADER_ITEM,
        BILL_ITEM,
    ]
    assert exclude(all_client, ADMIN, [], admin).status_code == 204
    assert hierarchy_of(all_client, ADMIN, admin).json()["HierarchyItems"] == [
        LEADER_ITEM,
        BILL_ITEM,
    ]


def test_hierarchy_exclusion_errors(
    all_client: TestClient,
    admin: dict[str, str],
    bluebank: dict[str, str],
    role_app: dict[str, str],
) -> None:
    error(exclude(all_client, ADMIN, [ADMIN], admin), 422)
    error(exclude(all_client, ADMIN, [BILL_DOE, UNKNOWN], admin), 422)
    error(exclude(all_client, ADMIN, [ANNA], admin), 422)
    error(exclude(all_client, ADMIN, ["not-a-uuid"], admin), 400)
    error(exclude(all_client, ADMIN, [str(uuid.uuid4()) for _ in range(1001)], admin), 400)
    error(exclude(all_client, UNKNOWN, [BILL_DOE], admin), 404)
    error(exclude(all_client, ADMIN, [BILL_DOE], bluebank), 404)
    error(exclude(all_client, ADMIN, [BILL_DOE], role_app), 403)
    assert hierarchy_of(all_client, ADMIN, admin).json()["HierarchyItems"] == [
        LEADER_ITEM,
        BILL_ITEM,
    ]


# Person access checks


def person_access(
    client: TestClient, identity: str, person: Any, headers: dict[str, str]
) -> Response:
    return client.get(f"/v1.0/identities/{identity}/hierarchy/{person}/exists", headers=headers)


def person_uid_access(
    client: TestClient, identity: str, person: str, headers: dict[str, str]
) -> Response:
    return client.get(
        f"/v1.0/identities/{identity}/hierarchy/person-uid/{person}/exists", headers=headers
    )


PERSON_ACCESS = [
    (ADMIN, 1, True),
    (ADMIN, 6, True),
    (ADMIN, 16, True),
    (ADMIN, 55, False),
    (ADMIN, 20, False),
    (ADMIN, 101, False),
    (ADMIN, 99999, False),
    (BILL_DOE, 16, True),
    (BILL_DOE, 6, False),
    (TEAM_LEADER, 16, True),
    (TEAM_LEADER, 1, False),
]


def test_person_access(all_client: TestClient, admin: dict[str, str]) -> None:
    for identity, person, allowed in PERSON_ACCESS:
        response = person_access(all_client, identity, person, admin)
        assert response.status_code == 200
        assert response.json() is allowed, (identity, person)


def test_person_access_follows_exclusions_and_checks_errors(
    all_client: TestClient,
    admin: dict[str, str],
    bluebank: dict[str, str],
    role_app: dict[str, str],
) -> None:
    assert exclude(all_client, ADMIN, [BILL_DOE], admin).status_code == 204
    assert person_access(all_client, ADMIN, 16, admin).json() is False
    assert person_uid_access(all_client, ADMIN, BILL_DOE, admin).json() is False
    error(person_access(all_client, ADMIN, 0, admin), 400)
    error(person_access(all_client, UNKNOWN, 1, admin), 404)
    error(person_access(all_client, ANNA, 101, admin), 404)
    error(person_access(all_client, ADMIN, 1, bluebank), 404)
    error(person_access(all_client, ADMIN, 1, role_app), 403)


PERSON_UID_ACCESS = [
    (ADMIN, ADMIN, True),
    (ADMIN, BILL_DOE, True),
    (ADMIN, TEAM_LEADER.upper(), True),
    (ADMIN, JACK, False),
    (ADMIN, RITA, False),
    (ADMIN, ANNA, False),
    (ADMIN, UNKNOWN, False),
    (BILL_DOE, ADMIN, False),
]


def test_person_access_by_uid(all_client: TestClient, admin: dict[str, str]) -> None:
    # Members have no uid of their own: a member's unique id is its identity's.
    for identity, person, allowed in PERSON_UID_ACCESS:
        response = person_uid_access(all_client, identity, person, admin)
        assert response.status_code == 200
        assert response.json() is allowed, (identity, person)


def test_person_access_by_uid_errors(
    all_client: TestClient,
    admin: dict[str, str],
    bluebank: dict[str, str],
    role_app: dict[str, str],
) -> None:
    error(person_uid_access(all_client, ADMIN, "not-a-uuid", admin), 400)
    error(person_uid_access(all_client, UNKNOWN, ADMIN, admin), 404)
    error(person_uid_access(all_client, UNKNOWN, UNKNOWN, admin), 404)
    error(person_uid_access(all_client, ADMIN, ADMIN, bluebank), 404)
    error(person_uid_access(all_client, ADMIN, ADMIN, role_app), 403)
    # The system account without a member reaches nobody, and is nobody's person.
    assert person_uid_access(all_client, ANNA, SERVICE, bluebank).json() is False
    assert person_uid_access(all_client, SERVICE, ANNA, bluebank).json() is False
