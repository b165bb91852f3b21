"""The AnsysID API operation by operation, over the store: accounts, users, account users and
their roles, groups, members, owners, roles, activities and their report, personal access
tokens, the health check, and the problem details of every error. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from store.ansysid.access import Caller
from store.ansysid.activities import OutboxRecord
from tests.support.ansysid import (
    ADMIN,
    AUTHORIZE_PATH,
    CONTOSO,
    CONTOSO_ADMIN,
    CONTOSO_MEMBER,
    CONTOSO_OWNER,
    CONTOSO_VIEWER,
    FABRIKAM,
    FABRIKAM_ADMIN,
    FABRIKAM_MEMBER,
    GROUPS,
    NATIVE_REDIRECT,
    NORTHWIND,
    ROLES,
    SUPPORT,
    SYNC_TOOL_CLIENT,
    TOKEN_PATH,
    USER_SCOPE,
    USERS,
    service_auth,
    user_auth,
)

Headers = dict[str, str]
# What the test client answers (its httpx flavour is the client's business).
Response = Any
Json = Any

ANNA = USERS[CONTOSO_ADMIN]
CARL = USERS[CONTOSO_VIEWER]
MIA = USERS[CONTOSO_MEMBER]
OMAR = USERS[CONTOSO_OWNER]
SAM = USERS[SUPPORT]
FIONA = USERS[FABRIKAM_MEMBER]
ADA = USERS[ADMIN]
SIMULATION_ENGINEERS = GROUPS["Simulation Engineers"]
CFD_TEAM = GROUPS["CFD Team"]
LEADERSHIP = GROUPS["Leadership"]
STRUCTURES = GROUPS["Structures"]
CUSTOMER_ADMINISTRATOR = ROLES["Customer Administrator"]
CUSTOMER_VIEWER = ROLES["Customer Viewer"]
MEMBER = ROLES["Member"]
NEW_EMAIL = "nina.new@contoso.com"
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-00000000dead")
CONTOSO_EMAILS = [
    CONTOSO_ADMIN,
    CONTOSO_VIEWER,
    CONTOSO_MEMBER,
    CONTOSO_OWNER,
    SUPPORT,
]
ALL_ACTIONS = {
    "AccountCreated",
    "AccountUpdated",
    "AccountDeleted",
    "UserCreated",
    "UserUpdated",
    "UserDeleted",
    "UserAddedToAccount",
    "UserRemovedFromAccount",
    "RoleGranted",
    "RoleRevoked",
    "GroupCreated",
    "GroupUpdated",
    "GroupDeleted",
    "GroupMemberAdded",
    "GroupMemberRemoved",
    "GroupOwnerAdded",
    "GroupOwnerRemoved",
    "InvitationEmailQueued",
    "PersonalAccessTokenCreated",
    "PersonalAccessTokenUpdated",
    "PersonalAccessTokenRevoked",
}


@pytest.fixture
def admin(ansysid_client: TestClient) -> Headers:
    """An Ansys Administrator (Ada)."""
    return user_auth(ansysid_client, ADMIN)


def problem(response: Response, status: int) -> dict[str, Any]:
    """The problem details of an error answer, once its status and format are as expected."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = dict(response.json())
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert body["traceId"] == response.headers["x-correlation-id"]
    return body


def ok(response: Response, status: int = 200) -> Json:
    """The JSON of a successful answer (None for a 204)."""
    assert response.status_code == status, response.text
    if status == 204:
        assert response.content == b""
        return None
    assert response.headers["content-type"] == "application/json"
    return response.json()


def moment(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def rfc3339(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def emails(items: list[dict[str, Any]]) -> list[str]:
    return [item["email"] for item in items]


def role_names(client: TestClient, headers: Headers, account: object, user: object) -> list[str]:
    answer = ok(client.get(f"/Account/{account}/User/{user}", headers=headers))
    return [role["roleName"] for role in answer["roles"]]


def activities(client: TestClient, headers: Headers, **params: Any) -> list[dict[str, Any]]:
    answer = ok(client.get("/Activities", headers=headers, params={"PageSize": 100, **params}))
    assert answer["totalCount"] == len(answer["activities"])
    listed: list[dict[str, Any]] = answer["activities"]
    return listed


def outbox(app: Any, to_email: str | None = None) -> list[OutboxRecord]:
    """The invitation e-mails the server queued, read through the store."""
    reader = Caller(id=ADA, name="tests", is_user=True, global_roles=frozenset())
    with app.services.store.unit_of_work() as uow:
        return uow.ansysid.acting_as(reader).activities.outbox(to_email)


def account_users(client: TestClient, headers: Headers, account: object) -> list[str]:
    answer = ok(client.post(f"/Account/{account}/Users", headers=headers, params={"PageSize": 100}))
    return emails(answer["users"])


def group_members(client: TestClient, headers: Headers, group: object) -> list[dict[str, Any]]:
    path = f"/Account/{CONTOSO}/Group/{group}/Members"
    members: list[dict[str, Any]] = ok(
        client.post(path, headers=headers, params={"PageSize": 100})
    )["members"]
    return members


def group_owners(client: TestClient, headers: Headers, group: object) -> list[str]:
    path = f"/Account/{CONTOSO}/Group/{group}/Owners"
    return emails(ok(client.post(path, headers=headers, params={"PageSize": 100}))["owners"])


def delete_with_body(client: TestClient, path: str, headers: Headers, body: Json) -> Response:
    return client.request("DELETE", path, headers=headers, json=body)


def create_user(client: TestClient, headers: Headers, email: str = NEW_EMAIL) -> str:
    body = {"email": email, "firstName": "Nina", "lastName": "New"}
    user_id: str = ok(client.post("/User", headers=headers, json=body))["userId"]
    return user_id


# Accounts


def test_create_read_update_and_delete_an_account(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """An account's whole life: created as sent, read back, changed property by property
    (`description: null` clears it), deleted, and then unknown."""
    body = {
        "accountNumber": "WG-1041822",
        "accountName": "Woodgrove Simulation Lab",
        "description": "New customer, onboarded March 2025",
    }
    created = ok(ansysid_client.post("/Account", headers=admin, json=body))
    account_id = created["accountId"]
    assert uuid.UUID(account_id).version == 4
    assert {key: created[key] for key in body} == body
    assert created["createdDate"] == created["modifiedDate"]
    path = f"/Account/{account_id}"
    assert ok(ansysid_client.get(path, headers=admin)) == created
    assert ok(
        ansysid_client.get(path.upper().replace("/ACCOUNT/", "/Account/"), headers=admin)
    ) == (created)

    renamed = ok(ansysid_client.put(path, headers=admin, json={"accountName": "Woodgrove Labs"}))
    assert renamed["accountName"] == "Woodgrove Labs"
    assert renamed["accountNumber"] == "WG-1041822"
    assert renamed["description"] == body["description"]
    assert renamed["createdDate"] == created["createdDate"]
    assert moment(renamed["modifiedDate"]) >= moment(created["modifiedDate"])
    cleared = ok(ansysid_client.put(path, headers=admin, json={"description": None}))
    assert cleared["description"] is None
    assert cleared["accountName"] == "Woodgrove Labs"
    problem(ansysid_client.put(path, headers=admin, json={}), 400)

    ok(ansysid_client.delete(path, headers=admin), 204)
    problem(ansysid_client.get(path, headers=admin), 404)
    problem(ansysid_client.delete(path, headers=admin), 404)


def test_a_new_account_without_a_description_has_none(ansysid_client: TestClient) -> None:
    """`description` may be left out; the service app (an Ansys Administrator) creates too."""
    service = service_auth(ansysid_client)
    body = {"accountNumber": "1041822", "accountName": "Woodgrove"}
    assert ok(ansysid_client.post("/Account", headers=service, json=body))["description"] is None


@pytest.mark.parametrize("number", ["ab-1001", "AB-1001", "Ab-1001"])
def test_a_taken_account_number_is_409_in_any_letter_case(
    ansysid_client: TestClient, admin: Headers, number: str
) -> None:
    """An account number is unique without regard to case, on creation and on update; an
    account may change the case of its own number."""
    body = {"accountNumber": "AB-1001", "accountName": "Alpha"}
    created = ok(ansysid_client.post("/Account", headers=admin, json=body))
    again = {"accountNumber": number, "accountName": "Beta"}
    assert (
        "AB-1001"
        in problem(ansysid_client.post("/Account", headers=admin, json=again), 409)[
            "detail"
        ].upper()
    )
    problem(
        ansysid_client.put(f"/Account/{CONTOSO}", headers=admin, json={"accountNumber": number}),
        409,
    )
    assert (
        ok(ansysid_client.get(f"/Account/{CONTOSO}", headers=admin))["accountNumber"] == "1015379"
    )
    own = ansysid_client.put(
        f"/Account/{created['accountId']}", headers=admin, json={"accountNumber": number}
    )
    assert ok(own)["accountNumber"] == number
    listed = ok(ansysid_client.get("/Accounts", headers=admin, params={"searchValue": "ab-1001"}))
    assert listed["totalCount"] == 1


def test_only_an_ansys_administrator_changes_an_account_number(ansysid_client: TestClient) -> None:
    """A Customer Administrator renames its account, and may send the number unchanged, but a
    new number is 403 and changes nothing."""
    anna = user_auth(ansysid_client, CONTOSO_ADMIN)
    path = f"/Account/{CONTOSO}"
    renamed = ok(ansysid_client.put(path, headers=anna, json={"accountName": "Contoso EMEA"}))
    assert renamed["accountName"] == "Contoso EMEA"
    same = {"accountNumber": "1015379", "accountName": "Contoso Engineering EMEA"}
    assert (
        ok(ansysid_client.put(path, headers=anna, json=same))["accountName"] == same["accountName"]
    )
    changed = {"accountNumber": "9999999", "accountName": "Contoso Renamed"}
    problem(ansysid_client.put(path, headers=anna, json=changed), 403)
    after = ok(ansysid_client.get(path, headers=anna))
    assert (after["accountNumber"], after["accountName"]) == ("1015379", same["accountName"])


def test_list_accounts_in_name_order_with_search_and_paging(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """An Ansys Administrator lists every account by name; `searchValue` matches number or name
    in any case; pages count from 0 and a page past the end is empty; a Customer Administrator
    lists only its own account."""
    names = ["Contoso Engineering", "Fabrikam Aerospace", "Northwind Motors"]
    listed = ok(ansysid_client.get("/Accounts", headers=admin))
    assert [item["accountName"] for item in listed["accounts"]] == names
    assert listed["totalCount"] == 3

    def search(value: str) -> list[str]:
        found = ok(ansysid_client.get("/Accounts", headers=admin, params={"searchValue": value}))
        return [item["accountId"] for item in found["accounts"]]

    assert search("FABRI") == [str(FABRIKAM)]
    assert search("1033") == [str(NORTHWIND)]
    assert search("nothing like it") == []
    page = ok(
        ansysid_client.get("/Accounts", headers=admin, params={"PageSize": 1, "PageNumber": 2})
    )
    assert ([item["accountName"] for item in page["accounts"]], page["totalCount"]) == (
        ["Northwind Motors"],
        3,
    )
    past = ok(
        ansysid_client.get("/Accounts", headers=admin, params={"PageSize": 1, "PageNumber": 3})
    )
    assert past == {"accounts": [], "totalCount": 3}
    anna = user_auth(ansysid_client, CONTOSO_ADMIN)
    own = ok(ansysid_client.get("/Accounts", headers=anna))
    assert ([item["accountId"] for item in own["accounts"]], own["totalCount"]) == (
        [str(CONTOSO)],
        1,
    )


def test_deleting_an_account_keeps_its_users_and_revokes_its_pats(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """Deleting an account takes its groups, its users' roles and its PATs with it (a PAT of it
    no longer signs in); the users stay, and so do the account's activities."""
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    pat = ok(
        ansysid_client.post(
            "/PersonalAccessTokens", headers=mia, json={"name": "sync", "accountId": str(CONTOSO)}
        )
    )
    ok(ansysid_client.put(f"/Account/{CONTOSO}/User/{CARL}/Role/{MEMBER}", headers=admin))
    ok(ansysid_client.delete(f"/Account/{CONTOSO}", headers=admin), 204)

    problem(ansysid_client.get(f"/Account/{CONTOSO}/Group/{CFD_TEAM}", headers=admin), 404)
    problem(ansysid_client.post(f"/Account/{CONTOSO}/Users", headers=admin), 404)
    assert ok(ansysid_client.get(f"/User/{MIA}", headers=admin))["email"] == CONTOSO_MEMBER
    details = ok(
        ansysid_client.get("/User/Details", headers=admin, params={"email": CONTOSO_MEMBER})
    )
    assert details["accounts"] == []
    assert authorize(ansysid_client, pat["token"])["error"] == ["access_denied"]
    kept = {
        item["action"]
        for item in activities(ansysid_client, admin)
        if item["accountId"] == str(CONTOSO)
    }
    assert {"RoleGranted", "PersonalAccessTokenCreated", "AccountDeleted"} <= kept
    # Only an Ansys Administrator sees what is left of an account it could no longer name.
    problem(
        ansysid_client.get("/Activities", headers=admin, params={"accountId": str(CONTOSO)}), 404
    )


# Users


def test_create_read_update_and_delete_a_user(ansysid_client: TestClient, admin: Headers) -> None:
    """A user's whole life; property names bind in any case, as on the real server."""
    body = {"Email": NEW_EMAIL, "FirstName": "Nina", "lastname": "New"}
    created = ok(ansysid_client.post("/User", headers=admin, json=body))
    assert {key: created[key] for key in ("email", "firstName", "lastName")} == {
        "email": NEW_EMAIL,
        "firstName": "Nina",
        "lastName": "New",
    }
    assert created["createdDate"] == created["modifiedDate"]
    path = f"/User/{created['userId']}"
    assert ok(ansysid_client.get(path, headers=admin)) == created
    details = ok(
        ansysid_client.get("/User/Details", headers=admin, params={"email": "NINA.New@contoso.com"})
    )
    assert (details["userId"], details["accounts"]) == (created["userId"], [])

    changed = ok(
        ansysid_client.put(
            path, headers=admin, json={"email": "nina.berg@contoso.com", "lastName": "Berg"}
        )
    )
    assert (changed["email"], changed["firstName"], changed["lastName"]) == (
        "nina.berg@contoso.com",
        "Nina",
        "Berg",
    )
    assert moment(changed["modifiedDate"]) >= moment(created["modifiedDate"])
    problem(ansysid_client.put(path, headers=admin, json={}), 400)
    problem(ansysid_client.get("/User/Details", headers=admin, params={"email": NEW_EMAIL}), 404)

    ok(ansysid_client.delete(path, headers=admin), 204)
    problem(ansysid_client.get(path, headers=admin), 404)
    problem(ansysid_client.delete(path, headers=admin), 404)


@pytest.mark.parametrize(
    "email", ["MIA.MEMBER@CONTOSO.COM", "Mia.Member@contoso.com", CONTOSO_MEMBER]
)
def test_a_taken_email_is_409_in_any_letter_case(
    ansysid_client: TestClient, admin: Headers, email: str
) -> None:
    """An e-mail address belongs to one user, without regard to case: creating or renaming to
    a taken one is 409, and nothing changes."""
    body = {"email": email, "firstName": "Mia", "lastName": "Again"}
    assert (
        "exists" in problem(ansysid_client.post("/User", headers=admin, json=body), 409)["detail"]
    )
    problem(ansysid_client.put(f"/User/{CARL}", headers=admin, json={"email": email}), 409)
    assert ok(ansysid_client.get(f"/User/{CARL}", headers=admin))["email"] == CONTOSO_VIEWER


def test_a_user_may_change_the_letter_case_of_its_own_email(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """The same address in another case is no conflict with the user itself: it is set as
    given, and still finds the user in any case."""
    changed = ok(
        ansysid_client.put(f"/User/{MIA}", headers=admin, json={"email": "Mia.Member@Contoso.com"})
    )
    assert changed["email"] == "Mia.Member@Contoso.com"
    found = ok(ansysid_client.get("/User/Details", headers=admin, params={"email": CONTOSO_MEMBER}))
    assert (found["userId"], found["email"]) == (str(MIA), "Mia.Member@Contoso.com")
    [updated] = activities(ansysid_client, admin, action="UserUpdated")
    assert updated["details"] == {"email": "Mia.Member@Contoso.com"}


def test_a_user_reads_its_own_details_and_those_of_users_it_shares_an_account_with(
    ansysid_client: TestClient,
) -> None:
    """`GET /User/Details` without `email` is the caller, with the accounts it holds a role
    in; with `email` (any case) a user it shares an account with; another user is 404."""
    sam = user_auth(ansysid_client, SUPPORT)
    own = ok(ansysid_client.get("/User/Details", headers=sam))
    assert own == {
        "userId": str(SAM),
        "email": SUPPORT,
        "firstName": "Sam",
        "lastName": "Support",
        "accounts": [
            {
                "accountId": str(CONTOSO),
                "accountNumber": "1015379",
                "accountName": "Contoso Engineering",
            },
            {
                "accountId": str(FABRIKAM),
                "accountNumber": "1020456",
                "accountName": "Fabrikam Aerospace",
            },
        ],
    }
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    # Mia sees Sam, but only the account she may view.
    sams = ok(ansysid_client.get("/User/Details", headers=mia, params={"email": SUPPORT.upper()}))
    assert [account["accountId"] for account in sams["accounts"]] == [str(CONTOSO)]
    problem(
        ansysid_client.get("/User/Details", headers=mia, params={"email": FABRIKAM_MEMBER}), 404
    )
    problem(
        ansysid_client.get("/User/Details", headers=mia, params={"email": "nobody@contoso.com"}),
        404,
    )
    problem(ansysid_client.get("/User/Details", headers=service_auth(ansysid_client)), 404)


def test_deleting_a_user_removes_its_memberships_and_ownerships(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """A deleted user leaves its accounts, groups and ownerships; the groups stay."""
    ok(ansysid_client.delete(f"/User/{OMAR}", headers=admin), 204)
    assert CONTOSO_OWNER not in account_users(ansysid_client, admin, CONTOSO)
    members = group_members(ansysid_client, admin, SIMULATION_ENGINEERS)
    assert [member["memberId"] for member in members] == [str(MIA), str(CFD_TEAM)]
    assert group_owners(ansysid_client, admin, SIMULATION_ENGINEERS) == []
    deleted = activities(ansysid_client, admin, action="UserDeleted")
    assert [(item["userId"], item["details"]) for item in deleted] == [
        (str(OMAR), {"email": CONTOSO_OWNER})
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"email": NEW_EMAIL, "firstName": "Nina"},
        {"email": "not-an-address", "firstName": "Nina", "lastName": "New"},
        {"email": NEW_EMAIL, "firstName": "", "lastName": "New"},
        {"email": NEW_EMAIL, "firstName": "Nina", "lastName": "New", "middleName": "X"},
        {"email": NEW_EMAIL, "firstName": "Ni\u0000na", "lastName": "New"},
    ],
    ids=["missing", "malformed-email", "empty", "undeclared", "nul"],
)
def test_a_malformed_new_user_is_400(
    ansysid_client: TestClient, admin: Headers, body: Json
) -> None:
    """The body is checked against the contract before anything is stored."""
    problem(ansysid_client.post("/User", headers=admin, json=body), 400)
    problem(ansysid_client.get("/User/Details", headers=admin, params={"email": NEW_EMAIL}), 404)


# Adding a user to accounts


def test_add_a_user_to_accounts_with_roles_and_invitations(
    ansysid_client: TestClient, ansysid_app: Any, admin: Headers
) -> None:
    """A new user joins two accounts (Member by default, or the role given), gets one
    invitation per account, and every step is an activity."""
    nina = create_user(ansysid_client, admin)
    body = {
        "accounts": [
            {"accountId": str(CONTOSO)},
            {"accountId": str(FABRIKAM), "roleId": str(CUSTOMER_VIEWER)},
        ]
    }
    answer = ok(ansysid_client.put(f"/User/{nina}/Accounts", headers=admin, json=body))
    assert answer["userId"] == nina
    assert {account["accountId"] for account in answer["accounts"]} == {str(CONTOSO), str(FABRIKAM)}
    assert role_names(ansysid_client, admin, CONTOSO, nina) == ["Member"]
    assert role_names(ansysid_client, admin, FABRIKAM, nina) == ["Customer Viewer"]
    sent = outbox(ansysid_app, NEW_EMAIL)
    assert sorted(str(mail.account_id) for mail in sent) == sorted([str(CONTOSO), str(FABRIKAM)])
    assert all("Ada Admin" in mail.body for mail in sent)
    done = Counter(item["action"] for item in activities(ansysid_client, admin, userId=nina))
    assert done == {
        "UserCreated": 1,
        "UserAddedToAccount": 2,
        "RoleGranted": 2,
        "InvitationEmailQueued": 2,
    }
    # Adding again changes nothing and sends nothing.
    ok(ansysid_client.put(f"/User/{nina}/Accounts", headers=admin, json=body))
    assert len(outbox(ansysid_app, NEW_EMAIL)) == 2


def test_adding_a_user_to_accounts_with_suppress_email_sends_nothing(
    ansysid_client: TestClient, ansysid_app: Any, admin: Headers
) -> None:
    """`SuppressEmail=true`: the user joins, no invitation is queued."""
    body = {"accounts": [{"accountId": str(FABRIKAM)}]}
    answer = ansysid_client.put(
        f"/User/{MIA}/Accounts", headers=admin, params={"SuppressEmail": "true"}, json=body
    )
    assert {account["accountId"] for account in ok(answer)["accounts"]} == {
        str(CONTOSO),
        str(FABRIKAM),
    }
    assert outbox(ansysid_app, CONTOSO_MEMBER) == []
    assert activities(ansysid_client, admin, action="InvitationEmailQueued") == []


def test_adding_a_user_to_an_account_it_is_in_grants_only_a_role_named(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """Member is the default for a user new to an account: a user already there keeps its roles
    when no role is named, and gets the role named."""
    body: Json = {"accounts": [{"accountId": str(CONTOSO)}]}
    ok(ansysid_client.put(f"/User/{CARL}/Accounts", headers=admin, json=body))
    assert role_names(ansysid_client, admin, CONTOSO, CARL) == ["Customer Viewer"]
    body = {"accounts": [{"accountId": str(CONTOSO), "roleId": str(MEMBER)}]}
    ok(ansysid_client.put(f"/User/{CARL}/Accounts", headers=admin, json=body))
    assert role_names(ansysid_client, admin, CONTOSO, CARL) == ["Customer Viewer", "Member"]
    assert [item["userId"] for item in activities(ansysid_client, admin)] == [str(CARL)]


@pytest.mark.parametrize(
    ("caller", "accounts", "status"),
    [
        # An unknown account after one that would do.
        (ADMIN, [{"accountId": str(FABRIKAM)}, {"accountId": str(UNKNOWN)}], 404),
        # Sam edits Fabrikam, but Northwind is outside his view.
        (SUPPORT, [{"accountId": str(FABRIKAM)}, {"accountId": str(NORTHWIND)}], 404),
        # An unknown role.
        (
            ADMIN,
            [{"accountId": str(FABRIKAM)}, {"accountId": str(NORTHWIND), "roleId": str(UNKNOWN)}],
            404,
        ),
        # A Customer Administrator may not grant Customer Viewer (Mia is in Contoso already).
        (CONTOSO_ADMIN, [{"accountId": str(CONTOSO), "roleId": str(CUSTOMER_VIEWER)}], 403),
        # A Customer Viewer may view but not edit its account.
        (CONTOSO_VIEWER, [{"accountId": str(CONTOSO)}], 403),
    ],
    ids=["unknown-account", "account-out-of-view", "unknown-role", "role-not-grantable", "viewer"],
)
def test_adding_a_user_to_accounts_is_all_or_nothing(
    ansysid_client: TestClient, ansysid_app: Any, caller: str, accounts: Json, status: int
) -> None:
    """One refused entry refuses the whole request: no account joined, no role granted, no
    invitation queued."""
    headers = user_auth(ansysid_client, caller)
    response = ansysid_client.put(
        f"/User/{MIA}/Accounts", headers=headers, json={"accounts": accounts}
    )
    problem(response, status)
    admin = user_auth(ansysid_client, ADMIN)
    details = ok(
        ansysid_client.get("/User/Details", headers=admin, params={"email": CONTOSO_MEMBER})
    )
    assert [account["accountId"] for account in details["accounts"]] == [str(CONTOSO)]
    assert role_names(ansysid_client, admin, CONTOSO, MIA) == ["Member"]
    assert outbox(ansysid_app) == []


# Account users


def test_list_account_users_a_page_at_a_time(ansysid_client: TestClient) -> None:
    """Users by e-mail with their roles; pages count from 0; `totalCount` is all pages'; a page
    past the end is empty; parameter names bind in any case."""
    carl = user_auth(ansysid_client, CONTOSO_VIEWER)
    path = f"/Account/{CONTOSO}/Users"
    pages = [
        ok(ansysid_client.post(path, headers=carl, params={"PageSize": 2, "PageNumber": number}))
        for number in range(4)
    ]
    assert [emails(page["users"]) for page in pages] == [
        CONTOSO_EMAILS[0:2],
        CONTOSO_EMAILS[2:4],
        CONTOSO_EMAILS[4:],
        [],
    ]
    assert {page["totalCount"] for page in pages} == {5}
    first = pages[0]["users"][0]
    assert first["userId"] == str(ANNA)
    assert first["roles"] == [
        {
            "roleId": str(CUSTOMER_ADMINISTRATOR),
            "roleName": "Customer Administrator",
            "roleType": "Customer",
        }
    ]
    assert moment(first["addedDate"])
    default = ok(ansysid_client.post(path, headers=carl))
    assert (emails(default["users"]), default["totalCount"]) == (CONTOSO_EMAILS, 5)
    lower = ok(ansysid_client.post(path, headers=carl, params={"pagesize": 1, "pagenumber": 1}))
    assert emails(lower["users"]) == [CONTOSO_VIEWER]
    found = ok(ansysid_client.post(path, headers=carl, params={"searchValue": "MOREAU"}))
    assert (emails(found["users"]), found["totalCount"]) == ([CONTOSO_MEMBER], 1)


@pytest.mark.parametrize(
    "params",
    [
        {"PageSize": 101},
        {"PageSize": 0},
        {"PageNumber": -1},
        {"PageNumber": 1000001},
        {"PageSize": "x"},
    ],
    ids=["size-101", "size-0", "number-negative", "number-too-big", "size-not-a-number"],
)
def test_paging_out_of_bounds_is_400(
    ansysid_client: TestClient, admin: Headers, params: Json
) -> None:
    """Paging parameters outside their bounds are refused, on every list."""
    for response in (
        ansysid_client.post(f"/Account/{CONTOSO}/Users", headers=admin, params=params),
        ansysid_client.get("/Accounts", headers=admin, params=params),
        ansysid_client.get("/Activities", headers=admin, params=params),
    ):
        problem(response, 400)


LISTING_POSTS = {
    "users": f"/Account/{CONTOSO}/Users",
    "groups": f"/Account/{CONTOSO}/Groups",
    "members": f"/Account/{CONTOSO}/Group/{SIMULATION_ENGINEERS}/Members",
    "owners": f"/Account/{CONTOSO}/Group/{SIMULATION_ENGINEERS}/Owners",
}


@pytest.mark.parametrize("path", list(LISTING_POSTS.values()), ids=list(LISTING_POSTS))
def test_listing_posts_take_no_body(ansysid_client: TestClient, path: str) -> None:
    """A listing POST answers the same with no body, with `Content-Type: application/json` and
    an empty body, and with any JSON body, which it ignores."""
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    bare = ok(ansysid_client.post(path, headers=mia))
    assert bare["totalCount"] > 0
    empty_json = ansysid_client.post(
        path, headers={**mia, "Content-Type": "application/json"}, content=b""
    )
    assert ok(empty_json) == bare
    assert (
        ok(ansysid_client.post(path, headers=mia, json={"pageSize": 1, "anything": [1, 2]})) == bare
    )


def test_get_an_account_user(ansysid_client: TestClient, admin: Headers) -> None:
    """A user of the account with its roles; a user of another account is 404 there."""
    answer = ok(ansysid_client.get(f"/Account/{CONTOSO}/User/{SAM}", headers=admin))
    assert answer["email"] == SUPPORT
    assert [role["roleType"] for role in answer["roles"]] == ["Support"]
    problem(ansysid_client.get(f"/Account/{CONTOSO}/User/{FIONA}", headers=admin), 404)
    problem(ansysid_client.get(f"/Account/{CONTOSO}/User/{UNKNOWN}", headers=admin), 404)


# Importing account users


def test_import_account_users(ansysid_client: TestClient, ansysid_app: Any) -> None:
    """Per entry: a new user is created, added and invited (`success`); a user given a role it
    lacks gets it (`success`); one already so, or listed again in another case, is
    `notModified`; a malformed address is an `error`; the rest are applied."""
    anna = user_auth(ansysid_client, CONTOSO_ADMIN)
    body = [
        {"email": CONTOSO_MEMBER},
        {"email": CONTOSO_VIEWER, "roleId": str(MEMBER)},
        {"email": NEW_EMAIL},
        {"email": "not-an-address"},
        {"email": CONTOSO_MEMBER.upper()},
    ]
    answer = ok(ansysid_client.put(f"/Account/{CONTOSO}/Users", headers=anna, json=body))
    nina = ok(ansysid_client.get("/User/Details", headers=anna, params={"email": NEW_EMAIL}))[
        "userId"
    ]
    assert answer["success"] == [
        {"email": CONTOSO_VIEWER, "userId": str(CARL)},
        {"email": NEW_EMAIL, "userId": nina},
    ]
    assert answer["notModified"] == [
        {"email": CONTOSO_MEMBER, "userId": str(MIA)},
        {"email": CONTOSO_MEMBER, "userId": str(MIA)},
    ]
    assert answer["removed"] == []
    assert emails(answer["error"]) == ["not-an-address"]
    assert "not-an-address" in answer["error"][0]["errorMessage"]

    admin = user_auth(ansysid_client, ADMIN)
    assert role_names(ansysid_client, admin, CONTOSO, CARL) == ["Customer Viewer", "Member"]
    assert role_names(ansysid_client, admin, CONTOSO, nina) == ["Member"]
    assert [(mail.to_email, mail.account_id) for mail in outbox(ansysid_app)] == [
        (NEW_EMAIL, CONTOSO)
    ]
    created = ok(ansysid_client.get(f"/User/{nina}", headers=admin))
    assert (created["firstName"], created["lastName"]) == ("", "")
    invited = activities(ansysid_client, admin, action="InvitationEmailQueued")
    assert [(item["userId"], item["accountId"], item["targetType"]) for item in invited] == [
        (nina, str(CONTOSO), "Email")
    ]
    # The target of an e-mail is the outbox message, by its id.
    assert invited[0]["targetId"].isdigit()


def test_import_with_suppress_email_queues_no_invitation(
    ansysid_client: TestClient, ansysid_app: Any, admin: Headers
) -> None:
    """`SuppressEmail=true`: users new to the account are added, and nobody is invited."""
    answer = ok(
        ansysid_client.put(
            f"/Account/{CONTOSO}/Users",
            headers=admin,
            params={"SuppressEmail": "true"},
            json=[{"email": NEW_EMAIL}, {"email": FABRIKAM_MEMBER}],
        )
    )
    assert emails(answer["success"]) == [NEW_EMAIL, FABRIKAM_MEMBER]
    assert outbox(ansysid_app) == []
    assert activities(ansysid_client, admin, action="InvitationEmailQueued") == []


def test_import_with_remove_others_as_an_administrator(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """`removeOthers=true`: the users left out are removed with their roles, memberships and
    ownerships (`removed`); an Ansys Support Coordinator cannot be removed (`error`)."""
    answer = ok(
        ansysid_client.put(
            f"/Account/{CONTOSO}/Users",
            headers=admin,
            params={"removeOthers": "true"},
            json=[{"email": CONTOSO_ADMIN}, {"email": CONTOSO_MEMBER}],
        )
    )
    assert emails(answer["notModified"]) == [CONTOSO_ADMIN, CONTOSO_MEMBER]
    assert answer["removed"] == [
        {"email": CONTOSO_VIEWER, "userId": str(CARL)},
        {"email": CONTOSO_OWNER, "userId": str(OMAR)},
    ]
    assert [(item["email"], bool(item["errorMessage"])) for item in answer["error"]] == [
        (SUPPORT, True)
    ]
    assert account_users(ansysid_client, admin, CONTOSO) == [CONTOSO_ADMIN, CONTOSO_MEMBER, SUPPORT]
    assert group_owners(ansysid_client, admin, SIMULATION_ENGINEERS) == []
    assert [m["memberId"] for m in group_members(ansysid_client, admin, CFD_TEAM)] == []
    removed = activities(ansysid_client, admin, action="UserRemovedFromAccount")
    assert sorted(item["userId"] for item in removed) == sorted([str(CARL), str(OMAR)])
    revoked = activities(ansysid_client, admin, action="RoleRevoked", userId=str(OMAR))
    assert [item["details"].get("roleName") for item in revoked] == ["Member"]


def test_import_with_remove_others_as_a_customer_administrator(ansysid_client: TestClient) -> None:
    """A Customer Administrator removes Members only: a Customer Viewer or the ASC left out is
    an `error`, and the caller itself stays (`notModified`)."""
    anna = user_auth(ansysid_client, CONTOSO_ADMIN)
    answer = ok(
        ansysid_client.put(
            f"/Account/{CONTOSO}/Users",
            headers=anna,
            params={"removeOthers": "true", "SuppressEmail": "true"},
            json=[],
        )
    )
    assert emails(answer["removed"]) == [CONTOSO_MEMBER, CONTOSO_OWNER]
    assert emails(answer["notModified"]) == [CONTOSO_ADMIN]
    assert emails(answer["error"]) == [CONTOSO_VIEWER, SUPPORT]
    assert account_users(ansysid_client, anna, CONTOSO) == [CONTOSO_ADMIN, CONTOSO_VIEWER, SUPPORT]


def test_import_entries_the_caller_may_not_apply_are_errors(ansysid_client: TestClient) -> None:
    """An unknown role, a fixed role and a role the caller may not grant each refuse their
    entry only."""
    anna = user_auth(ansysid_client, CONTOSO_ADMIN)
    body = [
        {"email": "one@contoso.com", "roleId": str(UNKNOWN)},
        {"email": "two@contoso.com", "roleId": str(ROLES["Ansys Support Coordinator"])},
        {"email": "three@contoso.com", "roleId": str(CUSTOMER_VIEWER)},
        {"email": "four@contoso.com", "roleId": str(MEMBER)},
    ]
    answer = ok(ansysid_client.put(f"/Account/{CONTOSO}/Users", headers=anna, json=body))
    assert emails(answer["error"]) == ["one@contoso.com", "two@contoso.com", "three@contoso.com"]
    assert emails(answer["success"]) == ["four@contoso.com"]
    admin = user_auth(ansysid_client, ADMIN)
    for refused in ("one@contoso.com", "two@contoso.com", "three@contoso.com"):
        problem(ansysid_client.get("/User/Details", headers=admin, params={"email": refused}), 404)


# Removing account users


def test_remove_account_users(ansysid_client: TestClient, admin: Headers) -> None:
    """Per id: removed (`success`, with its roles and group places); not a user of the account,
    unknown or listed twice (`notModified`); the ASC (`error`)."""
    body = [str(MIA), str(FIONA), str(MIA), str(SAM), str(UNKNOWN)]
    answer = ok(delete_with_body(ansysid_client, f"/Account/{CONTOSO}/Users", admin, body))
    assert answer["success"] == [str(MIA)]
    assert answer["notModified"] == [str(FIONA), str(MIA), str(UNKNOWN)]
    assert [item["id"] for item in answer["error"]] == [str(SAM)]
    problem(ansysid_client.get(f"/Account/{CONTOSO}/User/{MIA}", headers=admin), 404)
    assert str(MIA) not in [
        m["memberId"] for m in group_members(ansysid_client, admin, SIMULATION_ENGINEERS)
    ]
    assert ok(ansysid_client.get(f"/User/{MIA}", headers=admin))["email"] == CONTOSO_MEMBER
    done = Counter(item["action"] for item in activities(ansysid_client, admin, userId=str(MIA)))
    assert done == {"UserRemovedFromAccount": 1, "RoleRevoked": 1, "GroupMemberRemoved": 1}


def test_a_customer_administrator_removes_members_only(ansysid_client: TestClient) -> None:
    """A Customer Administrator may not remove a Customer Viewer (`error`), but removes a
    Member, with the user's ownerships in the account's groups."""
    anna = user_auth(ansysid_client, CONTOSO_ADMIN)
    answer = ok(
        delete_with_body(ansysid_client, f"/Account/{CONTOSO}/Users", anna, [str(CARL), str(OMAR)])
    )
    assert (answer["success"], [item["id"] for item in answer["error"]]) == (
        [str(OMAR)],
        [str(CARL)],
    )
    assert group_owners(ansysid_client, anna, SIMULATION_ENGINEERS) == []
    problem(delete_with_body(ansysid_client, f"/Account/{CONTOSO}/Users", anna, []), 400)


# Roles of account users


def test_grant_and_revoke_roles(ansysid_client: TestClient, admin: Headers) -> None:
    """Granting a role adds it (once: again is 200 and records nothing); revoking removes it,
    the user stays in the account with no role; revoking a role not held is 404."""
    path = f"/Account/{CONTOSO}/User/{MIA}/Role"
    granted = ok(ansysid_client.put(f"{path}/{CUSTOMER_VIEWER}", headers=admin))
    assert [role["roleName"] for role in granted["roles"]] == ["Customer Viewer", "Member"]
    again = ok(ansysid_client.put(f"{path}/{str(CUSTOMER_VIEWER).upper()}", headers=admin))
    assert again == granted
    assert len(activities(ansysid_client, admin, action="RoleGranted", userId=str(MIA))) == 1

    revoked = ok(ansysid_client.delete(f"{path}/{MEMBER}", headers=admin))
    assert [role["roleName"] for role in revoked["roles"]] == ["Customer Viewer"]
    problem(ansysid_client.delete(f"{path}/{MEMBER}", headers=admin), 404)
    ok(ansysid_client.delete(f"{path}/{CUSTOMER_VIEWER}", headers=admin))
    assert ok(ansysid_client.get(f"/Account/{CONTOSO}/User/{MIA}", headers=admin))["roles"] == []
    revocations = activities(ansysid_client, admin, action="RoleRevoked", userId=str(MIA))
    assert [item["details"]["roleName"] for item in revocations] == ["Customer Viewer", "Member"]


def test_granting_a_role_needs_a_known_user_of_the_account_and_a_known_role(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """A user of another account, an unknown user or role is 404; an id that is no uuid, 400."""
    problem(
        ansysid_client.put(f"/Account/{CONTOSO}/User/{FIONA}/Role/{MEMBER}", headers=admin), 404
    )
    problem(
        ansysid_client.put(f"/Account/{CONTOSO}/User/{UNKNOWN}/Role/{MEMBER}", headers=admin), 404
    )
    problem(ansysid_client.put(f"/Account/{CONTOSO}/User/{MIA}/Role/{UNKNOWN}", headers=admin), 404)
    problem(ansysid_client.put(f"/Account/{CONTOSO}/User/{MIA}/Role/member", headers=admin), 400)


# Groups


def test_create_read_update_and_delete_a_group(ansysid_client: TestClient) -> None:
    """A group's whole life, by a Customer Administrator, with both group types."""
    anna = user_auth(ansysid_client, CONTOSO_ADMIN)
    body = {"name": "Electromagnetics", "description": "HFSS and Maxwell users", "groupTypeId": 0}
    group_id = ok(ansysid_client.post(f"/Account/{CONTOSO}/Group", headers=anna, json=body))[
        "groupId"
    ]
    path = f"/Account/{CONTOSO}/Group/{group_id}"
    group = ok(ansysid_client.get(path, headers=anna))
    assert group == {
        "id": group_id,
        "accountId": str(CONTOSO),
        "name": "Electromagnetics",
        "description": "HFSS and Maxwell users",
        "groupTypeId": 0,
        "groupType": "Private",
        "memberCount": 0,
        "ownerCount": 0,
        "createdDate": group["createdDate"],
        "modifiedDate": group["createdDate"],
    }
    changed = ok(ansysid_client.put(path, headers=anna, json={"name": "EM", "groupTypeId": 1}))
    assert (changed["name"], changed["groupTypeId"], changed["groupType"]) == ("EM", 1, "General")
    assert changed["description"] == "HFSS and Maxwell users"
    assert (
        ok(ansysid_client.put(path, headers=anna, json={"description": None}))["description"]
        is None
    )
    problem(ansysid_client.put(path, headers=anna, json={}), 400)
    problem(ansysid_client.put(path, headers=anna, json={"groupTypeId": 2}), 400)
    ok(ansysid_client.delete(path, headers=anna), 204)
    problem(ansysid_client.get(path, headers=anna), 404)
    problem(ansysid_client.delete(path, headers=anna), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Electromagnetics", "groupTypeId": 2},
        {"name": "Electromagnetics"},
        {"name": "", "groupTypeId": 1},
    ],
    ids=["unknown-type", "no-type", "empty-name"],
)
def test_a_malformed_new_group_is_400(
    ansysid_client: TestClient, admin: Headers, body: Json
) -> None:
    """A group needs a name and one of the two group types (0 Private, 1 General)."""
    problem(ansysid_client.post(f"/Account/{CONTOSO}/Group", headers=admin, json=body), 400)
    listed = ok(ansysid_client.post(f"/Account/{CONTOSO}/Groups", headers=admin))
    assert listed["totalCount"] == 3


@pytest.mark.parametrize("name", ["cfd team", "CFD TEAM", "CFD Team"])
def test_a_taken_group_name_is_409_in_any_letter_case(
    ansysid_client: TestClient, admin: Headers, name: str
) -> None:
    """A group name is unique in its account without regard to case (creating or renaming);
    another account may have it; a group may change the case of its own name."""
    body = {"name": name, "groupTypeId": 1}
    problem(ansysid_client.post(f"/Account/{CONTOSO}/Group", headers=admin, json=body), 409)
    problem(
        ansysid_client.put(
            f"/Account/{CONTOSO}/Group/{LEADERSHIP}", headers=admin, json={"name": name}
        ),
        409,
    )
    ok(ansysid_client.post(f"/Account/{FABRIKAM}/Group", headers=admin, json=body))
    renamed = ok(
        ansysid_client.put(
            f"/Account/{CONTOSO}/Group/{CFD_TEAM}", headers=admin, json={"name": name}
        )
    )
    assert renamed["name"] == name


def test_list_groups_by_name_with_counts_search_and_paging(ansysid_client: TestClient) -> None:
    """Groups by name with their member and owner counts; `searchValue` in any case; paging."""
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    path = f"/Account/{CONTOSO}/Groups"
    listed = ok(ansysid_client.post(path, headers=mia))
    assert [
        (g["name"], g["memberCount"], g["ownerCount"], g["groupType"]) for g in listed["groups"]
    ] == [
        ("CFD Team", 1, 0, "General"),
        ("Leadership", 1, 1, "Private"),
        ("Simulation Engineers", 3, 1, "General"),
    ]
    assert listed["totalCount"] == 3
    found = ok(ansysid_client.post(path, headers=mia, params={"searchValue": "LEAD"}))
    assert [g["id"] for g in found["groups"]] == [str(LEADERSHIP)]
    page = ok(ansysid_client.post(path, headers=mia, params={"PageSize": 2, "PageNumber": 1}))
    assert ([g["name"] for g in page["groups"]], page["totalCount"]) == (
        ["Simulation Engineers"],
        3,
    )


def test_a_group_is_found_only_in_its_own_account(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """A group named under another account is 404, for reading and for changing."""
    problem(ansysid_client.get(f"/Account/{FABRIKAM}/Group/{CFD_TEAM}", headers=admin), 404)
    problem(
        ansysid_client.put(
            f"/Account/{FABRIKAM}/Group/{CFD_TEAM}", headers=admin, json={"name": "X"}
        ),
        404,
    )
    problem(
        ansysid_client.post(f"/Account/{FABRIKAM}/Group/{CFD_TEAM}/Members", headers=admin), 404
    )
    problem(ansysid_client.delete(f"/Account/{FABRIKAM}/Group/{CFD_TEAM}", headers=admin), 404)


def test_deleting_a_group_removes_it_from_the_groups_it_was_in(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """A deleted group is no longer a member of another group; its users stay."""
    ok(ansysid_client.delete(f"/Account/{CONTOSO}/Group/{CFD_TEAM}", headers=admin), 204)
    members = group_members(ansysid_client, admin, SIMULATION_ENGINEERS)
    assert [m["memberId"] for m in members] == [str(MIA), str(OMAR)]
    assert CONTOSO_VIEWER in account_users(ansysid_client, admin, CONTOSO)


# Group members


def test_list_group_members_users_then_groups(ansysid_client: TestClient) -> None:
    """Users by e-mail (owners with `isAdmin`), then groups (`isGroupAsMember`), a page at a
    time."""
    carl = user_auth(ansysid_client, CONTOSO_VIEWER)
    path = f"/Account/{CONTOSO}/Group/{SIMULATION_ENGINEERS}/Members"
    listed = ok(ansysid_client.post(path, headers=carl))
    assert listed == {
        "members": [
            {
                "memberId": str(MIA),
                "isGroupAsMember": False,
                "email": CONTOSO_MEMBER,
                "firstName": "Mia",
                "lastName": "Moreau",
                "groupName": None,
                "isAdmin": False,
            },
            {
                "memberId": str(OMAR),
                "isGroupAsMember": False,
                "email": CONTOSO_OWNER,
                "firstName": "Omar",
                "lastName": "Osei",
                "groupName": None,
                "isAdmin": True,
            },
            {
                "memberId": str(CFD_TEAM),
                "isGroupAsMember": True,
                "email": None,
                "firstName": None,
                "lastName": None,
                "groupName": "CFD Team",
                "isAdmin": False,
            },
        ],
        "totalCount": 3,
    }
    page = ok(ansysid_client.post(path, headers=carl, params={"PageSize": 2, "PageNumber": 1}))
    assert ([m["memberId"] for m in page["members"]], page["totalCount"]) == ([str(CFD_TEAM)], 3)
    past = ok(ansysid_client.post(path, headers=carl, params={"PageSize": 2, "PageNumber": 2}))
    assert past == {"members": [], "totalCount": 3}


def test_add_group_members_users_and_groups(ansysid_client: TestClient, admin: Headers) -> None:
    """Per id: a user or group of the account is added (`success`); a member already, or an id
    listed twice, is `notModified`; a user of another account or an unknown id is an `error`."""
    path = f"/Account/{CONTOSO}/Group/{SIMULATION_ENGINEERS}/Members"
    ids = [CARL, LEADERSHIP, CFD_TEAM, CARL, FIONA, UNKNOWN, STRUCTURES]
    body = {"members": [{"memberId": str(item)} for item in ids]}
    answer = ok(ansysid_client.put(path, headers=admin, json=body))
    assert answer["success"] == [str(CARL), str(LEADERSHIP)]
    assert answer["notModified"] == [str(CFD_TEAM), str(CARL)]
    assert [item["id"] for item in answer["error"]] == [str(FIONA), str(UNKNOWN), str(STRUCTURES)]
    members = group_members(ansysid_client, admin, SIMULATION_ENGINEERS)
    assert [(m["memberId"], m["isGroupAsMember"]) for m in members] == [
        (str(CARL), False),
        (str(MIA), False),
        (str(OMAR), False),
        (str(CFD_TEAM), True),
        (str(LEADERSHIP), True),
    ]
    added = activities(ansysid_client, admin, action="GroupMemberAdded")
    assert sorted(item["details"]["memberId"] for item in added) == sorted(
        [str(CARL), str(LEADERSHIP)]
    )
    assert {item["targetId"] for item in added} == {str(SIMULATION_ENGINEERS)}


@pytest.mark.parametrize(
    ("group", "member"),
    [
        (CFD_TEAM, CFD_TEAM),  # itself
        (CFD_TEAM, SIMULATION_ENGINEERS),  # Simulation Engineers holds CFD Team
    ],
    ids=["itself", "its-container"],
)
def test_a_group_never_contains_itself(
    ansysid_client: TestClient, admin: Headers, group: uuid.UUID, member: uuid.UUID
) -> None:
    """A cycle, direct or through nesting, is an `error` and changes nothing."""
    path = f"/Account/{CONTOSO}/Group/{group}/Members"
    answer = ok(
        ansysid_client.put(path, headers=admin, json={"members": [{"memberId": str(member)}]})
    )
    assert (answer["success"], answer["notModified"]) == ([], [])
    assert [item["id"] for item in answer["error"]] == [str(member)]
    assert [m["memberId"] for m in group_members(ansysid_client, admin, group)] == [str(CARL)]


def test_a_cycle_through_several_groups_is_refused(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """Leadership in CFD Team in Simulation Engineers: Simulation Engineers may not join
    Leadership."""
    into_cfd = {"members": [{"memberId": str(LEADERSHIP)}]}
    ok(
        ansysid_client.put(
            f"/Account/{CONTOSO}/Group/{CFD_TEAM}/Members", headers=admin, json=into_cfd
        )
    )
    into_leadership = {"members": [{"memberId": str(SIMULATION_ENGINEERS)}]}
    answer = ok(
        ansysid_client.put(
            f"/Account/{CONTOSO}/Group/{LEADERSHIP}/Members", headers=admin, json=into_leadership
        )
    )
    assert [item["id"] for item in answer["error"]] == [str(SIMULATION_ENGINEERS)]


def test_remove_group_members(ansysid_client: TestClient) -> None:
    """Per id: removed (`success`); not a member, unknown or listed twice (`notModified`). The
    group's owner removes members, and keeps its ownership when it removes itself."""
    omar = user_auth(ansysid_client, CONTOSO_OWNER)
    path = f"/Account/{CONTOSO}/Group/{SIMULATION_ENGINEERS}/Members"
    ids = [MIA, CFD_TEAM, OMAR, MIA, CARL, UNKNOWN]
    body = {"members": [{"memberId": str(item)} for item in ids]}
    answer = ok(delete_with_body(ansysid_client, path, omar, body))
    assert answer == {
        "success": [str(MIA), str(CFD_TEAM), str(OMAR)],
        "notModified": [str(MIA), str(CARL), str(UNKNOWN)],
        "error": [],
    }
    assert group_members(ansysid_client, omar, SIMULATION_ENGINEERS) == []
    assert group_owners(ansysid_client, omar, SIMULATION_ENGINEERS) == [CONTOSO_OWNER]
    problem(delete_with_body(ansysid_client, path, omar, {"members": []}), 400)


# Importing group members


def test_import_group_members_then_again(
    ansysid_client: TestClient, ansysid_app: Any, admin: Headers
) -> None:
    """A first run adds members (a new user is created, made a Member of the account and
    invited; `isAdmin` makes an owner): `success`; an identical second run is `notModified`."""
    path = f"/Account/{CONTOSO}/Group/{CFD_TEAM}/Members/Import"
    body = {
        "users": [
            {"email": CONTOSO_VIEWER},
            {"email": CONTOSO_MEMBER, "isAdmin": True},
            {"email": NEW_EMAIL},
            {"email": "not-an-address"},
            {"email": CONTOSO_MEMBER.upper()},
        ]
    }
    first = ok(ansysid_client.put(path, headers=admin, json=body))
    nina = ok(ansysid_client.get("/User/Details", headers=admin, params={"email": NEW_EMAIL}))[
        "userId"
    ]
    assert first["success"] == [
        {"email": CONTOSO_MEMBER, "memberId": str(MIA)},
        {"email": NEW_EMAIL, "memberId": nina},
    ]
    assert first["notModified"] == [
        {"email": CONTOSO_VIEWER, "memberId": str(CARL)},
        {"email": CONTOSO_MEMBER, "memberId": str(MIA)},
    ]
    assert (first["removed"], emails(first["error"])) == ([], ["not-an-address"])
    assert role_names(ansysid_client, admin, CONTOSO, nina) == ["Member"]
    assert [mail.to_email for mail in outbox(ansysid_app)] == [NEW_EMAIL]
    assert group_owners(ansysid_client, admin, CFD_TEAM) == [CONTOSO_MEMBER]
    members = group_members(ansysid_client, admin, CFD_TEAM)
    assert [(m["email"], m["isAdmin"]) for m in members] == [
        (CONTOSO_VIEWER, False),
        (CONTOSO_MEMBER, True),
        (NEW_EMAIL, False),
    ]

    second = ok(ansysid_client.put(path, headers=admin, json=body))
    assert second["success"] == []
    assert second["notModified"] == [
        {"email": CONTOSO_VIEWER, "memberId": str(CARL)},
        {"email": CONTOSO_MEMBER, "memberId": str(MIA)},
        {"email": NEW_EMAIL, "memberId": nina},
        {"email": CONTOSO_MEMBER, "memberId": str(MIA)},
    ]
    assert (second["removed"], emails(second["error"])) == ([], ["not-an-address"])
    assert len(outbox(ansysid_app)) == 1


def test_import_group_members_with_remove_others(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """`removeOthers=true` removes the user members left out (`removed`); member groups and
    ownerships stay; `isAdmin: false` removes no ownership."""
    path = f"/Account/{CONTOSO}/Group/{SIMULATION_ENGINEERS}/Members/Import"
    body = {"users": [{"email": CONTOSO_MEMBER, "isAdmin": False}]}
    answer = ok(ansysid_client.put(path, headers=admin, params={"removeOthers": "true"}, json=body))
    assert answer == {
        "success": [],
        "notModified": [{"email": CONTOSO_MEMBER, "memberId": str(MIA)}],
        "removed": [{"email": CONTOSO_OWNER, "memberId": str(OMAR)}],
        "error": [],
    }
    members = group_members(ansysid_client, admin, SIMULATION_ENGINEERS)
    assert [m["memberId"] for m in members] == [str(MIA), str(CFD_TEAM)]
    assert group_owners(ansysid_client, admin, SIMULATION_ENGINEERS) == [CONTOSO_OWNER]
    removed = activities(ansysid_client, admin, action="GroupMemberRemoved")
    assert [item["details"]["memberId"] for item in removed] == [str(OMAR)]


def test_a_group_owner_imports_members_but_makes_no_owners(ansysid_client: TestClient) -> None:
    """A group's owner (a Member) adds new users to its group, making them Members of the
    account; `isAdmin: true` from it is an `error`, and that entry changes nothing."""
    omar = user_auth(ansysid_client, CONTOSO_OWNER)
    path = f"/Account/{CONTOSO}/Group/{SIMULATION_ENGINEERS}/Members/Import"
    body = {"users": [{"email": NEW_EMAIL}, {"email": CONTOSO_VIEWER, "isAdmin": True}]}
    answer = ok(ansysid_client.put(path, headers=omar, json=body))
    assert emails(answer["success"]) == [NEW_EMAIL]
    assert emails(answer["error"]) == [CONTOSO_VIEWER]
    admin = user_auth(ansysid_client, ADMIN)
    nina = ok(ansysid_client.get("/User/Details", headers=admin, params={"email": NEW_EMAIL}))[
        "userId"
    ]
    assert role_names(ansysid_client, admin, CONTOSO, nina) == ["Member"]
    assert CONTOSO_VIEWER not in emails(group_members(ansysid_client, admin, SIMULATION_ENGINEERS))
    assert group_owners(ansysid_client, admin, SIMULATION_ENGINEERS) == [CONTOSO_OWNER]


# Group owners


def test_add_list_replace_and_remove_group_owners(ansysid_client: TestClient) -> None:
    """Owners are users of the account (members or not). Adding is per id; replacing is all or
    nothing; removing is per id; each change is an activity."""
    anna = user_auth(ansysid_client, CONTOSO_ADMIN)
    path = f"/Account/{CONTOSO}/Group/{SIMULATION_ENGINEERS}/Owners"
    ids = [MIA, CARL, OMAR, MIA, FIONA]
    added = ok(
        ansysid_client.put(
            path, headers=anna, json={"owners": [{"userId": str(item)} for item in ids]}
        )
    )
    assert added["success"] == [str(MIA), str(CARL)]
    assert added["notModified"] == [str(OMAR), str(MIA)]
    assert [item["id"] for item in added["error"]] == [str(FIONA)]
    listed = ok(ansysid_client.post(path, headers=anna))
    assert (emails(listed["owners"]), listed["totalCount"]) == (
        [CONTOSO_VIEWER, CONTOSO_MEMBER, CONTOSO_OWNER],
        3,
    )
    assert listed["owners"][0] == {
        "userId": str(CARL),
        "email": CONTOSO_VIEWER,
        "firstName": "Carl",
        "lastName": "Carlsen",
    }
    page = ok(ansysid_client.post(path, headers=anna, params={"PageSize": 2, "PageNumber": 1}))
    assert emails(page["owners"]) == [CONTOSO_OWNER]

    refused = ansysid_client.patch(
        path, headers=anna, json={"owners": [{"userId": str(MIA)}, {"userId": str(FIONA)}]}
    )
    problem(refused, 404)
    assert group_owners(ansysid_client, anna, SIMULATION_ENGINEERS) == [
        CONTOSO_VIEWER,
        CONTOSO_MEMBER,
        CONTOSO_OWNER,
    ]

    replaced = ok(
        ansysid_client.patch(
            path, headers=anna, json={"owners": [{"userId": str(ANNA)}, {"userId": str(MIA)}]}
        )
    )
    assert (emails(replaced["owners"]), replaced["totalCount"]) == (
        [CONTOSO_ADMIN, CONTOSO_MEMBER],
        2,
    )
    admin = user_auth(ansysid_client, ADMIN)
    owner_changes = {
        (item["action"], item["userId"])
        for item in activities(ansysid_client, admin, accountId=str(CONTOSO))
        if item["action"].startswith("GroupOwner")
    }
    assert owner_changes == {
        ("GroupOwnerAdded", str(MIA)),
        ("GroupOwnerAdded", str(CARL)),
        ("GroupOwnerAdded", str(ANNA)),
        ("GroupOwnerRemoved", str(CARL)),
        ("GroupOwnerRemoved", str(OMAR)),
    }

    removed = ok(
        delete_with_body(
            ansysid_client, path, anna, {"owners": [{"userId": str(ANNA)}, {"userId": str(OMAR)}]}
        )
    )
    assert (removed["success"], removed["notModified"]) == ([str(ANNA)], [str(OMAR)])
    emptied = ok(ansysid_client.patch(path, headers=anna, json={"owners": []}))
    assert emptied == {"owners": [], "totalCount": 0}
    # Owners were never members: the members stay as they were.
    assert [m["memberId"] for m in group_members(ansysid_client, anna, SIMULATION_ENGINEERS)] == [
        str(MIA),
        str(OMAR),
        str(CFD_TEAM),
    ]


# Roles


def test_list_the_six_roles(ansysid_client: TestClient) -> None:
    """Any signed-in caller reads the six fixed roles, in the order of their ids."""
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    roles = ok(ansysid_client.get("/Roles", headers=mia))["roles"]
    assert [(r["roleId"], r["roleName"], r["roleType"], r["assignable"]) for r in roles] == [
        (str(ROLES["Ansys Administrator"]), "Ansys Administrator", "Administrative", False),
        (str(ROLES["Ansys Viewer"]), "Ansys Viewer", "Administrative", False),
        (str(ROLES["Ansys Support Coordinator"]), "Ansys Support Coordinator", "Support", False),
        (str(CUSTOMER_ADMINISTRATOR), "Customer Administrator", "Customer", True),
        (str(CUSTOMER_VIEWER), "Customer Viewer", "Customer", True),
        (str(MEMBER), "Member", "Customer", True),
    ]
    assert all(role["description"] for role in roles)
    assert ok(ansysid_client.get("/Roles", headers=service_auth(ansysid_client)))["roles"] == roles


# Activities


def test_every_change_is_an_activity(ansysid_client: TestClient, admin: Headers) -> None:
    """Each of the 21 actions is recorded by the change that makes it, naming the actor, what
    was changed, the account and the user."""
    assert activities(ansysid_client, admin) == []
    account = ok(
        ansysid_client.post(
            "/Account", headers=admin, json={"accountNumber": "W-1", "accountName": "Woodgrove"}
        )
    )
    account_id = account["accountId"]
    base = f"/Account/{account_id}"
    ok(ansysid_client.put(base, headers=admin, json={"accountName": "Woodgrove Labs"}))
    nina = create_user(ansysid_client, admin)
    ok(ansysid_client.put(f"/User/{nina}", headers=admin, json={"firstName": "Nine"}))
    ok(
        ansysid_client.put(
            f"/User/{nina}/Accounts", headers=admin, json={"accounts": [{"accountId": account_id}]}
        )
    )
    ok(ansysid_client.put(f"{base}/User/{nina}/Role/{CUSTOMER_VIEWER}", headers=admin))
    ok(ansysid_client.delete(f"{base}/User/{nina}/Role/{CUSTOMER_VIEWER}", headers=admin))
    group_id = ok(
        ansysid_client.post(f"{base}/Group", headers=admin, json={"name": "G", "groupTypeId": 1})
    )["groupId"]
    group = f"{base}/Group/{group_id}"
    ok(ansysid_client.put(group, headers=admin, json={"name": "Group"}))
    members = {"members": [{"memberId": nina}]}
    ok(ansysid_client.put(f"{group}/Members", headers=admin, json=members))
    ok(delete_with_body(ansysid_client, f"{group}/Members", admin, members))
    owners = {"owners": [{"userId": nina}]}
    ok(ansysid_client.put(f"{group}/Owners", headers=admin, json=owners))
    ok(delete_with_body(ansysid_client, f"{group}/Owners", admin, owners))
    ok(ansysid_client.delete(group, headers=admin), 204)
    pat = ok(
        ansysid_client.post(
            "/PersonalAccessTokens", headers=admin, json={"name": "t", "accountId": account_id}
        )
    )
    ok(
        ansysid_client.put(
            f"/PersonalAccessTokens/{pat['tokenId']}", headers=admin, json={"name": "u"}
        )
    )
    ok(ansysid_client.delete(f"/PersonalAccessTokens/{pat['tokenId']}", headers=admin), 204)
    ok(delete_with_body(ansysid_client, f"{base}/Users", admin, [nina]))
    ok(ansysid_client.delete(f"/User/{nina}", headers=admin), 204)
    ok(ansysid_client.delete(base, headers=admin), 204)

    recorded = activities(ansysid_client, admin)
    assert {item["action"] for item in recorded} == ALL_ACTIONS
    assert {(item["actorId"], item["actorName"]) for item in recorded} == {(str(ADA), "Ada Admin")}
    by_action = {item["action"]: item for item in recorded}  # newest first: the first of each
    without_account = {"UserCreated", "UserUpdated", "UserDeleted"}
    for action, item in by_action.items():
        assert item["accountId"] == (None if action in without_account else account_id), action
    for action in without_account | {
        "UserAddedToAccount",
        "RoleGranted",
        "RoleRevoked",
        "InvitationEmailQueued",
    }:
        assert by_action[action]["userId"] == nina, action
    targets = {action: (item["targetType"], item["targetId"]) for action, item in by_action.items()}
    assert targets["AccountCreated"] == ("Account", account_id)
    assert targets["UserCreated"] == ("User", nina)
    assert targets["UserAddedToAccount"] == ("AccountUser", nina)
    assert targets["RoleGranted"] == ("Role", str(MEMBER))
    assert targets["GroupCreated"] == ("Group", group_id)
    assert targets["GroupMemberAdded"] == ("GroupMember", group_id)
    assert targets["GroupOwnerAdded"] == ("GroupOwner", group_id)
    assert targets["PersonalAccessTokenCreated"] == ("PersonalAccessToken", pat["tokenId"])
    assert targets["InvitationEmailQueued"][0] == "Email"
    assert by_action["InvitationEmailQueued"]["details"]["to"] == NEW_EMAIL
    assert by_action["AccountUpdated"]["details"] == {"accountName": "Woodgrove Labs"}
    assert by_action["UserUpdated"]["details"] == {"firstName": "Nine"}


def test_an_activity_names_actor_target_account_and_user(ansysid_client: TestClient) -> None:
    """A role granted by a Customer Administrator, as `GET /Activities` answers it."""
    anna = user_auth(ansysid_client, CONTOSO_ADMIN)
    ok(ansysid_client.put(f"/Account/{CONTOSO}/User/{CARL}/Role/{MEMBER}", headers=anna))
    [activity] = activities(ansysid_client, anna, accountId=str(CONTOSO))
    assert activity == {
        "activityId": activity["activityId"],
        "occurredAt": activity["occurredAt"],
        "action": "RoleGranted",
        "actorId": str(ANNA),
        "actorName": "Anna Andersen",
        "targetType": "Role",
        "targetId": str(MEMBER),
        "accountId": str(CONTOSO),
        "userId": str(CARL),
        "details": {"roleName": "Member"},
    }
    assert activity["activityId"] >= 1
    assert moment(activity["occurredAt"]).tzinfo is not None


def make_some_activities(client: TestClient) -> None:
    """Anna (Contoso) grants a role and imports a new user; Frank (Fabrikam) creates a group."""
    anna = user_auth(client, CONTOSO_ADMIN)
    ok(client.put(f"/Account/{CONTOSO}/User/{CARL}/Role/{MEMBER}", headers=anna))
    ok(client.put(f"/Account/{CONTOSO}/Users", headers=anna, json=[{"email": NEW_EMAIL}]))
    frank = user_auth(client, FABRIKAM_ADMIN)
    ok(
        client.post(
            f"/Account/{FABRIKAM}/Group", headers=frank, json={"name": "Loads", "groupTypeId": 1}
        )
    )


@pytest.mark.parametrize(
    "bound", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"], ids=["end", "start"]
)
def test_a_bound_past_the_end_or_start_of_time_in_utc_is_a_bound(
    ansysid_client: TestClient, admin: Headers, bound: str
) -> None:
    """A date-time valid as written but past year 9999 or before year 1 in UTC bounds the
    activities at the end or start of time (no 500)."""
    for name in ("from", "to"):
        listed = ansysid_client.get("/Activities", headers=admin, params={name: bound})
        assert listed.status_code == 200, listed.text
        report = ansysid_client.get(
            "/Activities/Report", headers=admin, params={"accountId": str(CONTOSO), name: bound}
        )
        assert report.status_code == 200, report.text


def test_filter_activities(ansysid_client: TestClient, admin: Headers) -> None:
    """Newest first; filtered by account, user, action (any case) and time; an account out of
    view is 404; `from` after `to` bounds nothing (schema-valid data, so not a 400)."""
    make_some_activities(ansysid_client)
    everything = activities(ansysid_client, admin)
    assert [item["action"] for item in everything] == [
        "GroupCreated",
        "InvitationEmailQueued",
        "RoleGranted",
        "UserAddedToAccount",
        "UserCreated",
        "RoleGranted",
    ]
    order = [(moment(item["occurredAt"]), item["activityId"]) for item in everything]
    assert order == sorted(order, reverse=True)

    contoso = activities(ansysid_client, admin, accountId=str(CONTOSO))
    assert [item["action"] for item in contoso] == [
        "InvitationEmailQueued",
        "RoleGranted",
        "UserAddedToAccount",
        "RoleGranted",
    ]
    assert [item["targetId"] for item in activities(ansysid_client, admin, userId=str(CARL))] == [
        str(MEMBER)
    ]
    granted = activities(ansysid_client, admin, action="rolegranted")
    assert [item["userId"] for item in granted][-1] == str(CARL)
    assert len(granted) == 2
    assert activities(ansysid_client, admin, action="NoSuchAction") == []

    # `from` is inclusive, `to` exclusive.
    middle = everything[2]
    since = activities(ansysid_client, admin, **{"from": middle["occurredAt"]})
    assert [item["activityId"] for item in since] == [
        item["activityId"]
        for item in everything
        if moment(item["occurredAt"]) >= moment(middle["occurredAt"])
    ]
    before = activities(ansysid_client, admin, to=middle["occurredAt"])
    assert [item["activityId"] for item in before] == [
        item["activityId"]
        for item in everything
        if moment(item["occurredAt"]) < moment(middle["occurredAt"])
    ]
    assert activities(ansysid_client, admin, to="2000-01-01T00:00:00Z") == []
    backwards = {"from": "2025-02-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}
    assert ok(ansysid_client.get("/Activities", headers=admin, params=backwards)) == {
        "activities": [],
        "totalCount": 0,
    }

    page = ok(
        ansysid_client.get("/Activities", headers=admin, params={"PageSize": 4, "PageNumber": 1})
    )
    assert ([item["activityId"] for item in page["activities"]], page["totalCount"]) == (
        [item["activityId"] for item in everything[4:]],
        6,
    )
    past = ok(
        ansysid_client.get("/Activities", headers=admin, params={"PageSize": 4, "PageNumber": 2})
    )
    assert past == {"activities": [], "totalCount": 6}


def test_a_caller_lists_the_activities_it_may_view(ansysid_client: TestClient) -> None:
    """Without `accountId`, a user sees its accounts' activities and the account-less ones it
    did: a Member of Contoso sees neither Fabrikam's nor the creation of a user it did not
    make; another account's activities are 404 by `accountId`."""
    make_some_activities(ansysid_client)
    anna = user_auth(ansysid_client, CONTOSO_ADMIN)
    assert [item["action"] for item in activities(ansysid_client, anna)] == [
        "InvitationEmailQueued",
        "RoleGranted",
        "UserAddedToAccount",
        "UserCreated",
        "RoleGranted",
    ]
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    assert "UserCreated" not in {item["action"] for item in activities(ansysid_client, mia)}
    assert len(activities(ansysid_client, mia)) == 4
    frank = user_auth(ansysid_client, FABRIKAM_ADMIN)
    assert [item["action"] for item in activities(ansysid_client, frank)] == ["GroupCreated"]
    problem(
        ansysid_client.get("/Activities", headers=frank, params={"accountId": str(CONTOSO)}), 404
    )


def test_a_user_who_left_an_account_no_longer_sees_its_activities(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """What a user did in an account is that account's history: once removed from it, the
    user no longer lists it (only account-less activities about it stay in its view)."""
    anna = user_auth(ansysid_client, CONTOSO_ADMIN)
    ok(ansysid_client.put(f"/Account/{CONTOSO}/User/{CARL}/Role/{MEMBER}", headers=anna))
    assert [item["action"] for item in activities(ansysid_client, anna)] == ["RoleGranted"]
    ok(delete_with_body(ansysid_client, f"/Account/{CONTOSO}/Users", admin, [str(ANNA)]))
    assert activities(ansysid_client, anna) == []
    ok(ansysid_client.put(f"/User/{ANNA}", headers=admin, json={"lastName": "Berg"}))
    assert [item["action"] for item in activities(ansysid_client, anna)] == ["UserUpdated"]


def test_activity_report_counts_by_action_and_by_day(
    ansysid_client: TestClient, admin: Headers
) -> None:
    """The report counts an account's activities in all, by action and by (UTC) day, between
    optional bounds; it agrees with the list of activities."""
    make_some_activities(ansysid_client)
    listed = activities(ansysid_client, admin, accountId=str(CONTOSO))
    report = ok(
        ansysid_client.get("/Activities/Report", headers=admin, params={"accountId": str(CONTOSO)})
    )
    by_day = Counter(moment(item["occurredAt"]).date().isoformat() for item in listed)
    assert report == {
        "accountId": str(CONTOSO),
        "from": None,
        "to": None,
        "total": 4,
        "byAction": [
            {"action": "InvitationEmailQueued", "count": 1},
            {"action": "RoleGranted", "count": 2},
            {"action": "UserAddedToAccount", "count": 1},
        ],
        "byDay": [{"day": day, "count": count} for day, count in sorted(by_day.items())],
    }
    bounded = ok(
        ansysid_client.get(
            "/Activities/Report",
            headers=admin,
            params={
                "accountId": str(CONTOSO),
                "from": "1999-01-01T00:00:00Z",
                "to": "2000-01-01T00:00:00+00:00",
            },
        )
    )
    assert bounded == {
        "accountId": str(CONTOSO),
        "from": "1999-01-01T00:00:00Z",
        "to": "2000-01-01T00:00:00Z",
        "total": 0,
        "byAction": [],
        "byDay": [],
    }
    since = listed[1]["occurredAt"]
    later = ok(
        ansysid_client.get(
            "/Activities/Report", headers=admin, params={"accountId": str(CONTOSO), "from": since}
        )
    )
    assert later["total"] == sum(
        1 for item in listed if moment(item["occurredAt"]) >= moment(since)
    )
    problem(ansysid_client.get("/Activities/Report", headers=admin), 400)
    backwards = ok(
        ansysid_client.get(
            "/Activities/Report",
            headers=admin,
            params={
                "accountId": str(CONTOSO),
                "from": "2025-02-01T00:00:00Z",
                "to": "2025-01-01T00:00:00Z",
            },
        )
    )
    assert (backwards["total"], backwards["byAction"], backwards["byDay"]) == (0, [], [])
    frank = user_auth(ansysid_client, FABRIKAM_ADMIN)
    problem(
        ansysid_client.get("/Activities/Report", headers=frank, params={"accountId": str(CONTOSO)}),
        404,
    )


# Personal access tokens


def authorize(client: TestClient, pat: str) -> dict[str, list[str]]:
    """The query the authorize endpoint redirects with, for a PAT as `id_token_hint`."""
    response = client.get(
        AUTHORIZE_PATH,
        params={
            "client_id": SYNC_TOOL_CLIENT,
            "redirect_uri": NATIVE_REDIRECT,
            "response_type": "code",
            "scope": USER_SCOPE,
            "id_token_hint": pat,
        },
        follow_redirects=False,
    )
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)


def redeem(client: TestClient, pat: str) -> dict[str, Any]:
    """The tokens a PAT is exchanged for (authorize, then the code at the token endpoint)."""
    query = authorize(client, pat)
    assert "code" in query, query
    response = client.post(
        TOKEN_PATH,
        data={
            "grant_type": "authorization_code",
            "client_id": SYNC_TOOL_CLIENT,
            "code": query["code"][0],
            "redirect_uri": NATIVE_REDIRECT,
        },
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


PAT_FIELDS = {"tokenId", "name", "accountId", "scopes", "createdDate", "expiresAt", "lastUsedDate"}


def test_create_a_pat_shows_its_token_once(ansysid_client: TestClient) -> None:
    """The token is in the creation's answer only; the list and the PAT itself never show it.
    Defaults: both resource scopes, 30 days."""
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    created = ok(
        ansysid_client.post(
            "/PersonalAccessTokens", headers=mia, json={"name": "sync", "accountId": str(CONTOSO)}
        )
    )
    assert set(created) == PAT_FIELDS | {"token"}
    assert created["token"].count(".") == 2
    assert (created["name"], created["accountId"], created["lastUsedDate"]) == (
        "sync",
        str(CONTOSO),
        None,
    )
    assert created["scopes"] == [
        "https://ansysaccount.onmicrosoft.com/AnsysID/Authentication",
        "https://ansysaccount.onmicrosoft.com/LicensingAsAService/LicensingAsAService",
    ]
    assert moment(created["expiresAt"]) - moment(created["createdDate"]) == datetime.timedelta(
        days=30
    )
    shown = {key: value for key, value in created.items() if key != "token"}
    assert (
        ok(ansysid_client.get(f"/PersonalAccessTokens/{created['tokenId']}", headers=mia)) == shown
    )
    assert ok(ansysid_client.get("/PersonalAccessTokens", headers=mia)) == {"tokens": [shown]}
    assert created["token"] not in ansysid_client.get("/PersonalAccessTokens", headers=mia).text

    scoped = ok(
        ansysid_client.post(
            "/PersonalAccessTokens",
            headers=mia,
            json={
                "name": "licensing",
                "accountId": str(CONTOSO),
                "scopes": ["https://ansysaccount.onmicrosoft.com/AnsysID/Authentication"],
                "expiresInDays": 365,
            },
        )
    )
    assert scoped["scopes"] == ["https://ansysaccount.onmicrosoft.com/AnsysID/Authentication"]
    assert moment(scoped["expiresAt"]) - moment(scoped["createdDate"]) == datetime.timedelta(
        days=365
    )
    listed = ok(ansysid_client.get("/PersonalAccessTokens", headers=mia))["tokens"]
    assert [item["tokenId"] for item in listed] == [scoped["tokenId"], created["tokenId"]]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "accountId": str(CONTOSO), "expiresInDays": 0},
        {"name": "x", "accountId": str(CONTOSO), "expiresInDays": 366},
        {"name": "", "accountId": str(CONTOSO)},
        {"name": "x"},
        {
            "name": "x",
            "accountId": str(CONTOSO),
            "scopes": ["https://graph.microsoft.com/.default"],
        },
    ],
    ids=["zero-days", "366-days", "empty-name", "no-account", "unknown-scope"],
)
def test_a_malformed_new_pat_is_400(ansysid_client: TestClient, body: Json) -> None:
    """A PAT lives 1 to 365 days, has a name and an account, and only the resource scopes."""
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    problem(ansysid_client.post("/PersonalAccessTokens", headers=mia, json=body), 400)
    assert ok(ansysid_client.get("/PersonalAccessTokens", headers=mia)) == {"tokens": []}


def test_a_pat_is_only_for_an_account_the_caller_may_view(ansysid_client: TestClient) -> None:
    """A PAT for an account outside the caller's view, or an unknown one, is 404."""
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    for account in (FABRIKAM, UNKNOWN):
        body = {"name": "x", "accountId": str(account)}
        problem(ansysid_client.post("/PersonalAccessTokens", headers=mia, json=body), 404)


def test_update_a_pats_name_and_expiry(ansysid_client: TestClient) -> None:
    """The name changes; `expiresInDays` sets the expiry that many days from now (1 to 365:
    otherwise 400, so never in the past); `{}` is 400; account, scopes and the token stay."""
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    created = ok(
        ansysid_client.post(
            "/PersonalAccessTokens", headers=mia, json={"name": "sync", "accountId": str(CONTOSO)}
        )
    )
    path = f"/PersonalAccessTokens/{created['tokenId']}"
    before = datetime.datetime.now(datetime.UTC)
    changed = ok(
        ansysid_client.put(path, headers=mia, json={"name": "sync (Contoso)", "expiresInDays": 100})
    )
    after = datetime.datetime.now(datetime.UTC)
    hundred_days = datetime.timedelta(days=100)
    assert before + hundred_days <= moment(changed["expiresAt"]) <= after + hundred_days
    assert changed["name"] == "sync (Contoso)"
    assert (changed["createdDate"], changed["accountId"], changed["scopes"]) == (
        created["createdDate"],
        created["accountId"],
        created["scopes"],
    )
    renamed = ok(ansysid_client.put(path, headers=mia, json={"name": "sync 2"}))
    assert (renamed["name"], renamed["expiresAt"]) == ("sync 2", changed["expiresAt"])
    for refused in (
        {"expiresInDays": 0},
        {"expiresInDays": -1},
        {"expiresInDays": 366},
        {},
        {"name": ""},
        {"expiresAt": rfc3339(after + hundred_days)},
    ):
        problem(ansysid_client.put(path, headers=mia, json=refused), 400)
    assert ok(ansysid_client.get(path, headers=mia)) == renamed
    assert redeem(ansysid_client, created["token"])["access_token"]
    assert ok(ansysid_client.get(path, headers=mia))["lastUsedDate"] is not None
    updates = activities(ansysid_client, mia, action="PersonalAccessTokenUpdated")
    assert [item["details"]["name"] for item in updates] == ["sync 2", "sync (Contoso)"]


def test_another_users_pat_is_404(ansysid_client: TestClient) -> None:
    """A PAT is its owner's alone: anyone else, an Ansys Administrator included, finds nothing."""
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    created = ok(
        ansysid_client.post(
            "/PersonalAccessTokens", headers=mia, json={"name": "sync", "accountId": str(CONTOSO)}
        )
    )
    path = f"/PersonalAccessTokens/{created['tokenId']}"
    admin = user_auth(ansysid_client, ADMIN)
    problem(ansysid_client.get(path, headers=admin), 404)
    problem(ansysid_client.put(path, headers=admin, json={"name": "stolen"}), 404)
    problem(ansysid_client.delete(path, headers=admin), 404)
    assert ok(ansysid_client.get("/PersonalAccessTokens", headers=admin)) == {"tokens": []}
    assert ok(ansysid_client.get(path, headers=mia))["name"] == "sync"


def test_deleting_a_pat_revokes_it(ansysid_client: TestClient) -> None:
    """A revoked PAT is gone from the list and the API, the authorize endpoint refuses it
    (`access_denied`), and refresh tokens obtained through it stop working."""
    mia = user_auth(ansysid_client, CONTOSO_MEMBER)
    created = ok(
        ansysid_client.post(
            "/PersonalAccessTokens", headers=mia, json={"name": "sync", "accountId": str(CONTOSO)}
        )
    )
    tokens = redeem(ansysid_client, created["token"])
    path = f"/PersonalAccessTokens/{created['tokenId']}"
    ok(ansysid_client.delete(path, headers=mia), 204)

    problem(ansysid_client.get(path, headers=mia), 404)
    problem(ansysid_client.put(path, headers=mia, json={"name": "again"}), 404)
    problem(ansysid_client.delete(path, headers=mia), 404)
    assert ok(ansysid_client.get("/PersonalAccessTokens", headers=mia)) == {"tokens": []}
    query = authorize(ansysid_client, created["token"])
    assert query["error"] == ["access_denied"]
    assert "code" not in query
    refreshed = ansysid_client.post(
        TOKEN_PATH,
        data={
            "grant_type": "refresh_token",
            "client_id": SYNC_TOOL_CLIENT,
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert refreshed.status_code == 400, refreshed.text
    assert refreshed.json()["error"] == "invalid_grant"
    revoked = activities(ansysid_client, mia, action="PersonalAccessTokenRevoked")
    assert [(item["targetId"], item["userId"]) for item in revoked] == [
        (created["tokenId"], str(MIA))
    ]


def test_an_app_has_no_pats(ansysid_client: TestClient) -> None:
    """A client-credentials token is no user: it has no PATs to list and may create none."""
    service = service_auth(ansysid_client)
    problem(
        ansysid_client.post(
            "/PersonalAccessTokens", headers=service, json={"name": "x", "accountId": str(CONTOSO)}
        ),
        400,
    )


# Health and errors


def test_health_is_plain_text_and_needs_no_token(ansysid_client: TestClient) -> None:
    """`GET /health`: 200 `Healthy` in text/plain, as ASP.NET answers it."""
    response = ansysid_client.get("/health")
    assert (response.status_code, response.text) == (200, "Healthy")
    assert response.headers["content-type"].startswith("text/plain")


ERRORS: dict[str, tuple[Callable[[TestClient, Headers], Response], int]] = {
    "no-token": (lambda c, h: c.get(f"/Account/{CONTOSO}"), 401),
    "bad-token": (
        lambda c, h: c.get(f"/Account/{CONTOSO}", headers={"Authorization": "Bearer x.y.z"}),
        401,
    ),
    "id-not-a-uuid": (lambda c, h: c.get("/Account/not-a-uuid", headers=h), 400),
    "page-size-101": (
        lambda c, h: c.post(f"/Account/{CONTOSO}/Users", headers=h, params={"PageSize": 101}),
        400,
    ),
    "undeclared-property": (
        lambda c, h: c.put(f"/User/{MIA}", headers=h, json={"nickname": "M"}),
        400,
    ),
    "not-json": (
        lambda c, h: c.put(
            f"/User/{MIA}", headers={**h, "Content-Type": "application/json"}, content=b"{"
        ),
        400,
    ),
    "wrong-media-type": (
        lambda c, h: c.put(
            f"/User/{MIA}", headers={**h, "Content-Type": "text/plain"}, content=b"x"
        ),
        415,
    ),
    "forbidden": (lambda c, h: c.delete(f"/Account/{CONTOSO}/Group/{CFD_TEAM}", headers=h), 403),
    "not-found": (lambda c, h: c.get(f"/Account/{UNKNOWN}", headers=h), 404),
    "conflict": (
        lambda c, h: c.post(
            f"/Account/{CONTOSO}/Group", headers=h, json={"name": "cfd team", "groupTypeId": 1}
        ),
        409,
    ),
    "method-not-allowed": (lambda c, h: c.patch(f"/Account/{CONTOSO}", headers=h, json={}), 405),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_every_error_is_problem_details(ansysid_client: TestClient, case: str) -> None:
    """Every error status is an RFC 7807 problem (`application/problem+json`, with status,
    title, detail and the correlation id)."""
    call, status = ERRORS[case]
    carl = user_auth(ansysid_client, CONTOSO_VIEWER)
    headers = user_auth(ansysid_client, CONTOSO_ADMIN) if case == "conflict" else carl
    response = call(ansysid_client, headers)
    problem(response, status)
    if status == 405:
        assert "GET" in response.headers["allow"]
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
