"""The AnsysID role table (seed 000) as a matrix: every caller against representative
operations, with the exact status each one gets (2xx allowed, 403 visible but not allowed, 404
outside the caller's view) and, for changes, proof that a refused change left nothing behind.
Also: the Administrative and Support roles are never granted, and a token made from a PAT
reaches only the PAT's account. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

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
    VIEWER,
    password_grant,
    service_auth,
    user_auth,
)
from tests.support.secret_watch import used_secret

Headers = dict[str, str]
# What the test client answers (its httpx flavour is the client's business).
Response = Any

# The callers, in the order of the matrix's columns.
CALLERS = [
    "admin",  # Ansys Administrator (global)
    "viewer",  # Ansys Viewer (global)
    "support",  # Ansys Support Coordinator of Contoso and Fabrikam
    "customer_admin",  # Customer Administrator of Contoso
    "customer_viewer",  # Customer Viewer of Contoso
    "member",  # Member of Contoso
    "owner",  # Member of Contoso, owner of the group Simulation Engineers
    "fabrikam",  # Customer Administrator of Fabrikam only
    "service",  # the registered app (client credentials; an Ansys Administrator service account)
]
CALLER_EMAILS = {
    "admin": ADMIN,
    "viewer": VIEWER,
    "support": SUPPORT,
    "customer_admin": CONTOSO_ADMIN,
    "customer_viewer": CONTOSO_VIEWER,
    "member": CONTOSO_MEMBER,
    "owner": CONTOSO_OWNER,
    "fabrikam": FABRIKAM_ADMIN,
}

MIA = USERS[CONTOSO_MEMBER]
CARL = USERS[CONTOSO_VIEWER]
OMAR = USERS[CONTOSO_OWNER]
FIONA = USERS[FABRIKAM_MEMBER]
SIMULATION_ENGINEERS = GROUPS["Simulation Engineers"]
CFD_TEAM = GROUPS["CFD Team"]
NEW_EMAIL = "nina.new@contoso.com"


def caller_auth(client: TestClient, caller: str) -> Headers:
    if caller == "service":
        return service_auth(client)
    return user_auth(client, CALLER_EMAILS[caller])


def problem(response: Response, status: int) -> dict[str, Any]:
    """The problem details of an error answer, once its status and format are as expected."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = dict(response.json())
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert body["traceId"] == response.headers["x-correlation-id"]
    return body


def role_names(client: TestClient, admin: Headers, account: object, user: object) -> set[str]:
    response = client.get(f"/Account/{account}/User/{user}", headers=admin)
    if response.status_code == 404:
        return set()
    assert response.status_code == 200, response.text
    return {role["roleName"] for role in response.json()["roles"]}


def member_ids(client: TestClient, admin: Headers, group: object) -> set[str]:
    response = client.post(
        f"/Account/{CONTOSO}/Group/{group}/Members", headers=admin, params={"PageSize": 100}
    )
    assert response.status_code == 200, response.text
    return {member["memberId"] for member in response.json()["members"]}


def user_accounts(client: TestClient, admin: Headers, email: str) -> set[str] | None:
    response = client.get("/User/Details", headers=admin, params={"email": email})
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    return {account["accountId"] for account in response.json()["accounts"]}


def activity_count(client: TestClient, admin: Headers) -> int:
    """How many activities are recorded, in every account (as an Ansys Administrator reads
    them)."""
    response = client.get("/Activities", headers=admin, params={"PageSize": 1})
    assert response.status_code == 200, response.text
    count: int = response.json()["totalCount"]
    return count


@dataclass(frozen=True)
class Operation:
    """One operation of the matrix: how to call it, and (for a change) whether it happened,
    read afterwards by an Ansys Administrator."""

    call: Callable[[TestClient, Headers], Response]
    changed: Callable[[TestClient, Headers], bool] | None = None


OPERATIONS: dict[str, Operation] = {
    "view account": Operation(lambda c, h: c.get(f"/Account/{CONTOSO}", headers=h)),
    "list users": Operation(lambda c, h: c.post(f"/Account/{CONTOSO}/Users", headers=h)),
    "import users": Operation(
        lambda c, h: c.put(
            f"/Account/{CONTOSO}/Users",
            headers=h,
            params={"SuppressEmail": "true"},
            json=[{"email": NEW_EMAIL}],
        ),
        lambda c, a: str(CONTOSO) in (user_accounts(c, a, NEW_EMAIL) or set()),
    ),
    "grant Customer Administrator": Operation(
        lambda c, h: c.put(
            f"/Account/{CONTOSO}/User/{MIA}/Role/{ROLES['Customer Administrator']}", headers=h
        ),
        lambda c, a: "Customer Administrator" in role_names(c, a, CONTOSO, MIA),
    ),
    "revoke Customer Viewer": Operation(
        lambda c, h: c.delete(
            f"/Account/{CONTOSO}/User/{CARL}/Role/{ROLES['Customer Viewer']}", headers=h
        ),
        lambda c, a: "Customer Viewer" not in role_names(c, a, CONTOSO, CARL),
    ),
    "grant Member": Operation(
        lambda c, h: c.put(f"/Account/{CONTOSO}/User/{CARL}/Role/{ROLES['Member']}", headers=h),
        lambda c, a: "Member" in role_names(c, a, CONTOSO, CARL),
    ),
    "create group": Operation(
        lambda c, h: c.post(
            f"/Account/{CONTOSO}/Group",
            headers=h,
            json={"name": "Electromagnetics", "groupTypeId": 1},
        ),
        lambda c, a: (
            c.post(
                f"/Account/{CONTOSO}/Groups", headers=a, params={"searchValue": "Electromagnetics"}
            ).json()["totalCount"]
            == 1
        ),
    ),
    "update group": Operation(
        lambda c, h: c.put(
            f"/Account/{CONTOSO}/Group/{CFD_TEAM}", headers=h, json={"description": "Changed"}
        ),
        lambda c, a: (
            c.get(f"/Account/{CONTOSO}/Group/{CFD_TEAM}", headers=a).json()["description"]
            == "Changed"
        ),
    ),
    "add members, owner's group": Operation(
        lambda c, h: c.put(
            f"/Account/{CONTOSO}/Group/{SIMULATION_ENGINEERS}/Members",
            headers=h,
            json={"members": [{"memberId": str(CARL)}]},
        ),
        lambda c, a: str(CARL) in member_ids(c, a, SIMULATION_ENGINEERS),
    ),
    "add members, another group": Operation(
        lambda c, h: c.put(
            f"/Account/{CONTOSO}/Group/{CFD_TEAM}/Members",
            headers=h,
            json={"members": [{"memberId": str(MIA)}]},
        ),
        lambda c, a: str(MIA) in member_ids(c, a, CFD_TEAM),
    ),
    "import user, owner's group": Operation(
        lambda c, h: c.put(
            f"/Account/{CONTOSO}/Group/{SIMULATION_ENGINEERS}/Members/Import",
            headers=h,
            json={"users": [{"email": NEW_EMAIL}]},
        ),
        lambda c, a: str(CONTOSO) in (user_accounts(c, a, NEW_EMAIL) or set()),
    ),
    "create account": Operation(
        lambda c, h: c.post(
            "/Account",
            headers=h,
            json={"accountNumber": "1041822", "accountName": "Woodgrove Simulation Lab"},
        ),
        lambda c, a: (
            c.get("/Accounts", headers=a, params={"searchValue": "1041822"}).json()["totalCount"]
            == 1
        ),
    ),
    "delete account": Operation(
        lambda c, h: c.delete(f"/Account/{CONTOSO}", headers=h),
        lambda c, a: c.get(f"/Account/{CONTOSO}", headers=a).status_code == 404,
    ),
    "create user": Operation(
        lambda c, h: c.post(
            "/User", headers=h, json={"email": NEW_EMAIL, "firstName": "Nina", "lastName": "New"}
        ),
        lambda c, a: user_accounts(c, a, NEW_EMAIL) is not None,
    ),
    "update user": Operation(
        lambda c, h: c.put(f"/User/{MIA}", headers=h, json={"lastName": "Changed"}),
        lambda c, a: c.get(f"/User/{MIA}", headers=a).json()["lastName"] == "Changed",
    ),
    "rename a Customer Viewer": Operation(
        lambda c, h: c.put(f"/User/{CARL}", headers=h, json={"lastName": "Changed"}),
        lambda c, a: c.get(f"/User/{CARL}", headers=a).json()["lastName"] == "Changed",
    ),
    "change a user's e-mail": Operation(
        lambda c, h: c.put(f"/User/{MIA}", headers=h, json={"email": "mia.m@contoso.com"}),
        lambda c, a: c.get(f"/User/{MIA}", headers=a).json()["email"] == "mia.m@contoso.com",
    ),
    "delete user": Operation(
        lambda c, h: c.delete(f"/User/{MIA}", headers=h),
        lambda c, a: c.get(f"/User/{MIA}", headers=a).status_code == 404,
    ),
    "read a Contoso user": Operation(lambda c, h: c.get(f"/User/{OMAR}", headers=h)),
    "Fabrikam user's details": Operation(
        lambda c, h: c.get("/User/Details", headers=h, params={"email": FABRIKAM_MEMBER})
    ),
    "read own details": Operation(lambda c, h: c.get("/User/Details", headers=h)),
    "activities of an account": Operation(
        lambda c, h: c.get("/Activities", headers=h, params={"accountId": str(CONTOSO)})
    ),
}

# fmt: off
# Columns: Ansys Administrator, Ansys Viewer, Ansys Support Coordinator, Customer Administrator,
# Customer Viewer, Member, group owner (a Member), Fabrikam user, service app.
#                                  adm  vwr  asc  cad  cvw  mbr  own  fab  app
MATRIX: dict[str, tuple[int, ...]] = {
    "view account":                 (200, 200, 200, 200, 200, 200, 200, 404, 200),
    "list users":                   (200, 200, 200, 200, 200, 200, 200, 404, 200),
    "import users":                 (200, 403, 200, 200, 403, 403, 403, 404, 200),
    "grant Customer Administrator": (200, 403, 200, 403, 403, 403, 403, 404, 200),
    "revoke Customer Viewer":       (200, 403, 200, 403, 403, 403, 403, 404, 200),
    "grant Member":                 (200, 403, 200, 200, 403, 403, 403, 404, 200),
    "create group":                 (200, 403, 200, 200, 403, 403, 403, 404, 200),
    "update group":                 (200, 403, 200, 200, 403, 403, 403, 404, 200),
    "add members, owner's group":   (200, 403, 200, 200, 403, 403, 200, 404, 200),
    "add members, another group":   (200, 403, 200, 200, 403, 403, 403, 404, 200),
    "import user, owner's group":   (200, 403, 200, 200, 403, 403, 200, 404, 200),
    "create account":               (200, 403, 403, 403, 403, 403, 403, 403, 200),
    "delete account":               (204, 403, 403, 403, 403, 403, 403, 404, 204),
    "create user":                  (200, 403, 403, 403, 403, 403, 403, 403, 200),
    "update user":                  (200, 403, 200, 200, 403, 403, 403, 404, 200),
    "rename a Customer Viewer":     (200, 403, 200, 403, 403, 403, 403, 404, 200),
    "change a user's e-mail":       (200, 403, 403, 403, 403, 403, 403, 404, 200),
    "delete user":                  (204, 403, 403, 403, 403, 403, 403, 404, 204),
    "read a Contoso user":          (200, 200, 200, 200, 200, 200, 200, 404, 200),
    "Fabrikam user's details":      (200, 200, 200, 404, 404, 404, 404, 200, 200),
    "read own details":             (200, 200, 200, 200, 200, 200, 200, 200, 404),
    "activities of an account":     (200, 200, 200, 200, 200, 200, 200, 404, 200),
}
# fmt: on

CELLS = [
    pytest.param(operation, caller, status, id=f"{operation}-{caller}")
    for operation, statuses in MATRIX.items()
    for caller, status in zip(CALLERS, statuses, strict=True)
]


def test_the_matrix_covers_every_operation() -> None:
    """Every operation written above has its row in the matrix, and no row is left over."""
    assert set(MATRIX) == set(OPERATIONS)


@pytest.mark.parametrize(("operation", "caller", "status"), CELLS)
def test_role_matrix(ansysid_client: TestClient, operation: str, caller: str, status: int) -> None:
    """The caller gets exactly the status of its cell; a refused change changes nothing and
    records nothing, an allowed one is visible afterwards and recorded."""
    spec = OPERATIONS[operation]
    admin = user_auth(ansysid_client, ADMIN)
    recorded = activity_count(ansysid_client, admin)
    response = spec.call(ansysid_client, caller_auth(ansysid_client, caller))
    allowed = status in (200, 204)
    if allowed:
        assert response.status_code == status, response.text
        if status == 204:
            assert response.content == b""
    else:
        problem(response, status)
    if spec.changed is not None:
        assert spec.changed(ansysid_client, admin) is allowed
    made_a_change = allowed and spec.changed is not None
    assert (activity_count(ansysid_client, admin) > recorded) is made_a_change


def test_a_customer_administrator_cannot_take_over_a_user_pulled_into_the_account(
    ansysid_client: TestClient,
) -> None:
    """Importing anyone's e-mail makes them a user of the account; that must not make their
    profile the importer's to change: an Ansys Administrator (a global role), a Customer
    Administrator of another customer (an account the importer does not edit)."""
    anna = caller_auth(ansysid_client, "customer_admin")
    for email in (ADMIN, FABRIKAM_ADMIN):
        imported = ansysid_client.put(
            f"/Account/{CONTOSO}/Users?SuppressEmail=true", headers=anna, json=[{"email": email}]
        )
        assert imported.status_code == 200, imported.text
        user = f"/User/{USERS[email]}"
        problem(ansysid_client.put(user, headers=anna, json={"email": "anna.owns@it.com"}), 403)
        problem(ansysid_client.put(user, headers=anna, json={"lastName": "Owned"}), 403)
    # The Ansys Administrator still signs in with its own e-mail.
    assert password_grant(ansysid_client, ADMIN)["access_token"]


# Administrative and Support roles are never granted through the API


FIXED_ROLES = ["Ansys Administrator", "Ansys Viewer", "Ansys Support Coordinator"]


@pytest.mark.parametrize("role", FIXED_ROLES)
@pytest.mark.parametrize("caller", ["admin", "service", "support", "customer_admin"])
def test_fixed_roles_are_never_granted_or_removed(
    ansysid_client: TestClient, role: str, caller: str
) -> None:
    """Granting or removing an Administrative or Support role is 400 for every caller, an Ansys
    Administrator included, and nothing changes."""
    headers = caller_auth(ansysid_client, caller)
    path = f"/Account/{CONTOSO}/User/{MIA}/Role/{ROLES[role]}"
    assert role in problem(ansysid_client.put(path, headers=headers), 400)["detail"]
    assert role in problem(ansysid_client.delete(path, headers=headers), 400)["detail"]
    # The ASC holds its role from the CRM: it cannot be taken away either.
    support = f"/Account/{CONTOSO}/User/{USERS[SUPPORT]}/Role/{ROLES[role]}"
    problem(ansysid_client.delete(support, headers=headers), 400)
    admin = user_auth(ansysid_client, ADMIN)
    assert role_names(ansysid_client, admin, CONTOSO, MIA) == {"Member"}
    assert role_names(ansysid_client, admin, CONTOSO, USERS[SUPPORT]) == {
        "Ansys Support Coordinator"
    }


@pytest.mark.parametrize("role", FIXED_ROLES)
def test_fixed_roles_are_refused_when_adding_a_user_to_accounts(
    ansysid_client: TestClient, role: str
) -> None:
    """`PUT /User/{id}/Accounts` naming a fixed role is 400, even for an Ansys Administrator,
    and (all or nothing) the other accounts listed are not joined either."""
    admin = user_auth(ansysid_client, ADMIN)
    body = {
        "accounts": [
            {"accountId": str(NORTHWIND)},
            {"accountId": str(FABRIKAM), "roleId": str(ROLES[role])},
        ]
    }
    problem(ansysid_client.put(f"/User/{MIA}/Accounts", headers=admin, json=body), 400)
    assert user_accounts(ansysid_client, admin, CONTOSO_MEMBER) == {str(CONTOSO)}


@pytest.mark.parametrize("role", FIXED_ROLES)
def test_fixed_roles_are_an_error_entry_in_an_import(ansysid_client: TestClient, role: str) -> None:
    """An import entry naming a fixed role is refused in the answer's `error` list (the request
    as a whole is well formed), and the user is not added."""
    admin = user_auth(ansysid_client, ADMIN)
    response = ansysid_client.put(
        f"/Account/{CONTOSO}/Users",
        headers=admin,
        params={"SuppressEmail": "true"},
        json=[{"email": FABRIKAM_MEMBER, "roleId": str(ROLES[role])}],
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["success"] == [] and answer["notModified"] == [] and answer["removed"] == []
    assert [entry["email"] for entry in answer["error"]] == [FABRIKAM_MEMBER]
    assert role in answer["error"][0]["errorMessage"]
    assert user_accounts(ansysid_client, admin, FABRIKAM_MEMBER) == {str(FABRIKAM)}


# A token made from a personal access token reaches only the PAT's account


def create_pat(client: TestClient, headers: Headers, account: object) -> dict[str, Any]:
    response = client.post(
        "/PersonalAccessTokens",
        headers=headers,
        json={"name": "Entra ID group sync", "accountId": str(account)},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    used_secret(answer["token"])
    return answer


def authorize_with_pat(client: TestClient, pat: str) -> dict[str, list[str]]:
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
    location = response.headers["location"]
    assert location.startswith(NATIVE_REDIRECT)
    return parse_qs(urlsplit(location).query)


def pat_auth(client: TestClient, pat: str) -> Headers:
    """An access token made from a PAT: the authorize and token endpoints, as the sync tool."""
    query = authorize_with_pat(client, pat)
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
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# What a PAT-made token of a user holding roles in Contoso and Fabrikam (or of an Ansys
# Administrator) may do, for a PAT of Contoso.
PAT_CALLS: dict[str, tuple[Callable[[TestClient, Headers], Response], int]] = {
    "view its account": (lambda c, h: c.get(f"/Account/{CONTOSO}", headers=h), 200),
    "list its account's users": (lambda c, h: c.post(f"/Account/{CONTOSO}/Users", headers=h), 200),
    "view another account": (lambda c, h: c.get(f"/Account/{FABRIKAM}", headers=h), 404),
    "list another account's users": (
        lambda c, h: c.post(f"/Account/{FABRIKAM}/Users", headers=h),
        404,
    ),
    "another account's groups": (
        lambda c, h: c.post(f"/Account/{FABRIKAM}/Groups", headers=h),
        404,
    ),
    "another account's group": (
        lambda c, h: c.get(f"/Account/{FABRIKAM}/Group/{GROUPS['Structures']}", headers=h),
        404,
    ),
    "another account's activities": (
        lambda c, h: c.get("/Activities", headers=h, params={"accountId": str(FABRIKAM)}),
        404,
    ),
    "another account's report": (
        lambda c, h: c.get("/Activities/Report", headers=h, params={"accountId": str(FABRIKAM)}),
        404,
    ),
    "a user only of another account": (lambda c, h: c.get(f"/User/{FIONA}", headers=h), 404),
    "create a group in another account": (
        lambda c, h: c.post(
            f"/Account/{FABRIKAM}/Group", headers=h, json={"name": "Outsiders", "groupTypeId": 1}
        ),
        404,
    ),
    # A leaked PAT must not make a successor that outlives its revocation.
    "a PAT for another account": (
        lambda c, h: c.post(
            "/PersonalAccessTokens", headers=h, json={"name": "x", "accountId": str(FABRIKAM)}
        ),
        403,
    ),
    "a PAT for its account": (
        lambda c, h: c.post(
            "/PersonalAccessTokens", headers=h, json={"name": "x", "accountId": str(CONTOSO)}
        ),
        403,
    ),
    "create a group in its account": (
        lambda c, h: c.post(
            f"/Account/{CONTOSO}/Group", headers=h, json={"name": "Insiders", "groupTypeId": 1}
        ),
        200,
    ),
}


@pytest.mark.parametrize("owner", ["support", "admin"])
@pytest.mark.parametrize("call", list(PAT_CALLS))
def test_a_pat_token_reaches_only_the_pats_account(
    ansysid_client: TestClient, owner: str, call: str
) -> None:
    """A token made from a PAT of Contoso works in Contoso and finds nothing (404) elsewhere,
    even for an owner who may view every account."""
    pat = create_pat(ansysid_client, caller_auth(ansysid_client, owner), CONTOSO)
    headers = pat_auth(ansysid_client, pat["token"])
    operation, status = PAT_CALLS[call]
    response = operation(ansysid_client, headers)
    if status == 200:
        assert response.status_code == 200, response.text
    else:
        problem(response, status)


def test_a_pat_token_manages_only_the_pats_account_tokens_and_extends_none(
    ansysid_client: TestClient,
) -> None:
    """With a PAT of Contoso, the owner's PAT of Fabrikam is not there (listed, read, changed or
    revoked: 404), and the Contoso PAT itself can be renamed but not extended (403)."""
    support = caller_auth(ansysid_client, "support")
    contoso = create_pat(ansysid_client, support, CONTOSO)
    fabrikam = create_pat(ansysid_client, support, FABRIKAM)
    headers = pat_auth(ansysid_client, contoso["token"])
    listed = ansysid_client.get("/PersonalAccessTokens", headers=headers).json()["tokens"]
    assert [token["tokenId"] for token in listed] == [contoso["tokenId"]]
    other = f"/PersonalAccessTokens/{fabrikam['tokenId']}"
    problem(ansysid_client.get(other, headers=headers), 404)
    problem(ansysid_client.put(other, headers=headers, json={"expiresInDays": 365}), 404)
    problem(ansysid_client.delete(other, headers=headers), 404)
    own = f"/PersonalAccessTokens/{contoso['tokenId']}"
    problem(ansysid_client.put(own, headers=headers, json={"expiresInDays": 365}), 403)
    renamed = ansysid_client.put(own, headers=headers, json={"name": "renamed"})
    assert renamed.status_code == 200, renamed.text
    # The owner, signed in without a PAT, still has both.
    mine = ansysid_client.get("/PersonalAccessTokens", headers=support).json()["tokens"]
    assert {token["tokenId"] for token in mine} == {contoso["tokenId"], fabrikam["tokenId"]}


@pytest.mark.parametrize("owner", ["support", "admin"])
def test_a_pat_token_lists_only_the_pats_account(ansysid_client: TestClient, owner: str) -> None:
    """`GET /Accounts` lists only the PAT's account; so do the caller's own details, for a user
    of that account (an Ansys Administrator belongs to none)."""
    pat = create_pat(ansysid_client, caller_auth(ansysid_client, owner), CONTOSO)
    headers = pat_auth(ansysid_client, pat["token"])
    accounts = ansysid_client.get("/Accounts", headers=headers).json()
    assert [account["accountId"] for account in accounts["accounts"]] == [str(CONTOSO)]
    assert accounts["totalCount"] == 1
    details = ansysid_client.get("/User/Details", headers=headers).json()
    expected = [str(CONTOSO)] if owner == "support" else []
    assert [account["accountId"] for account in details["accounts"]] == expected


def test_a_pat_token_lists_only_the_pats_accounts_activities(ansysid_client: TestClient) -> None:
    """Without `accountId`, a PAT-made token lists only its account's activities: not even what
    its owner did in another account."""
    support = user_auth(ansysid_client, SUPPORT)
    created = ansysid_client.post(
        f"/Account/{FABRIKAM}/Group", headers=support, json={"name": "Outsiders", "groupTypeId": 1}
    )
    assert created.status_code == 200, created.text
    granted = ansysid_client.put(
        f"/Account/{CONTOSO}/User/{CARL}/Role/{ROLES['Member']}", headers=support
    )
    assert granted.status_code == 200, granted.text
    pat = create_pat(ansysid_client, support, CONTOSO)
    headers = pat_auth(ansysid_client, pat["token"])
    listed = ansysid_client.get("/Activities", headers=headers, params={"PageSize": 100}).json()
    accounts = {activity["accountId"] for activity in listed["activities"]}
    assert accounts == {str(CONTOSO)}
    actions = {activity["action"] for activity in listed["activities"]}
    assert {"RoleGranted", "PersonalAccessTokenCreated"} <= actions
    assert "GroupCreated" not in actions
    # Without the PAT, the same user sees both accounts' activities.
    unbound = ansysid_client.get("/Activities", headers=support, params={"PageSize": 100}).json()
    assert {activity["accountId"] for activity in unbound["activities"]} == {
        str(CONTOSO),
        str(FABRIKAM),
    }


def test_an_administrators_pat_token_does_not_reach_beyond_its_account(
    ansysid_client: TestClient,
) -> None:
    """An Ansys Administrator's PAT-made token may not create or delete accounts or users: those
    reach beyond one account (403); within the account it still edits."""
    pat = create_pat(ansysid_client, user_auth(ansysid_client, ADMIN), CONTOSO)
    headers = pat_auth(ansysid_client, pat["token"])
    created = ansysid_client.post(
        "/Account", headers=headers, json={"accountNumber": "1041822", "accountName": "Woodgrove"}
    )
    problem(created, 403)
    problem(ansysid_client.delete(f"/Account/{CONTOSO}", headers=headers), 403)
    user = {"email": NEW_EMAIL, "firstName": "Nina", "lastName": "New"}
    problem(ansysid_client.post("/User", headers=headers, json=user), 403)
    granted = ansysid_client.put(
        f"/Account/{CONTOSO}/User/{MIA}/Role/{ROLES['Customer Viewer']}", headers=headers
    )
    assert granted.status_code == 200, granted.text
