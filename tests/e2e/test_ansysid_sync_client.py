"""Ansys's Entra-ID-group sync tool, as published, against a running `specserve serve`.

The client below is written as the tool is (ansysid-client-facts.md): plain HTTP calls with the
paths, query parameters and bodies it sends, `Content-Type` and `Accept: application/json` on
every API call, listing POSTs without a body, paging until `totalCount` items or an empty page,
the caller's e-mail read from the token's `email` claim. Only the base URL is specserve's.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.test_serve import environment, run_server
from tests.support.ansysid import (
    API_SCOPE,
    CONTOSO,
    CONTOSO_ADMIN,
    CONTOSO_MEMBER,
    CONTOSO_OWNER,
    CONTOSO_VIEWER,
    NATIVE_REDIRECT,
    PASSWORDS,
    POLICY,
    SUPPORT,
    SYNC_TOOL_CLIENT,
    TENANT,
    TEST_SCRIPTS_CLIENT,
    USER_SCOPE,
    USERS,
)

ACCOUNT_NUMBER = "1015379"  # Contoso Engineering
GROUP_NAME = "Entra Sync Engineers"
# The Entra ID group's members: two users of the account and two people new to it. Omar (a
# Member) is in the account but not in the Entra group: the sync removes him. Anna (the PAT's
# owner) and Sam (the account's Ansys Support Coordinator, whom nobody may remove) stay in the
# account; Carl, a Customer Viewer whom a Customer Administrator may not remove, is wanted.
NEW_PEOPLE = ["lena.lindqvist@contoso.com", "yusuf.yilmaz@contoso.com"]
WANTED = [CONTOSO_VIEWER, CONTOSO_MEMBER, *NEW_PEOPLE]
SUPPORT_COORDINATOR = "Ansys Support Coordinator"
PAGE_SIZE = 2  # small pages, so that every listing pages
# What the first run records in the account's activity log (one activity per change).
EXPECTED_CHANGES = {
    "UserAddedToAccount": len(NEW_PEOPLE),
    "RoleGranted": len(NEW_PEOPLE),  # Member, the default role
    "UserRemovedFromAccount": 1,  # Omar
    "RoleRevoked": 1,  # his Member role
    "GroupCreated": 1,
    "GroupMemberAdded": len(WANTED),
}


# --- Signing in: the B2C stand-in -----------------------------------------------------------


def b2c(base: str, endpoint: str) -> str:
    return f"{base}/{TENANT}/oauth2/v2.0/{endpoint}"


def password_token(base: str, email: str) -> str:
    """The administrator signs in once (the test scripts' password grant) to make a PAT."""
    answer = httpx.post(
        f"{base}/{TENANT}/{POLICY}/oauth2/v2.0/token",
        data={
            "grant_type": "password",
            "client_id": TEST_SCRIPTS_CLIENT,
            "username": email,
            "password": PASSWORDS[email],
            "scope": USER_SCOPE,
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def create_pat(base: str, access_token: str) -> str:
    answer = httpx.post(
        f"{base}/PersonalAccessTokens",
        headers=api_headers(access_token),
        json={"name": "Entra ID group sync", "accountId": str(CONTOSO), "expiresInDays": 30},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def authorize_with_pat(base: str, pat: str) -> str:
    """The tool's sign-in: the PAT as `id_token_hint`, the code from the redirect."""
    answer = httpx.get(
        b2c(base, "authorize"),
        params={
            "p": POLICY,
            "client_id": SYNC_TOOL_CLIENT,
            "nonce": "defaultNonce",
            "redirect_uri": NATIVE_REDIRECT,
            "scope": f"openid offline_access {API_SCOPE}",
            "response_type": "code",
            "id_token_hint": pat,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == NATIVE_REDIRECT
    query = parse_qs(location.query)
    assert "error" not in query, query
    return query["code"][0]


def redeem_code(base: str, code: str) -> dict[str, Any]:
    return token_request(
        base,
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": SYNC_TOOL_CLIENT,
            "redirect_uri": NATIVE_REDIRECT,
            "scope": f"openid offline_access {API_SCOPE}",
        },
    )


def refresh(base: str, refresh_token: str) -> dict[str, Any]:
    return token_request(
        base,
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": SYNC_TOOL_CLIENT,
            "scope": f"openid offline_access {API_SCOPE}",
        },
    )


def token_request(base: str, form: dict[str, str]) -> dict[str, Any]:
    answer = httpx.post(b2c(base, "token"), params={"p": POLICY}, data=form)
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    assert {"access_token", "id_token", "refresh_token"} <= tokens.keys(), tokens
    return tokens


def claims(jwt: str) -> dict[str, Any]:
    """The token's payload, read without verifying it (the client only looks for its e-mail)."""
    payload = jwt.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def own_email(access_token: str) -> str:
    token_claims = claims(access_token)
    return str(token_claims.get("email") or token_claims["preferred_username"])


# --- The AnsysID API calls the tool makes ---------------------------------------------------


def api_headers(access_token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {access_token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }


def ansysid(base: str, access_token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers=api_headers(access_token), timeout=30)


def answer_of(response: httpx.Response) -> Any:
    """Any status but 200 is a failure the tool does not expect: it stops there."""
    request = response.request
    assert response.status_code == 200, (
        f"{request.method} {request.url} -> {response.status_code} {response.text}"
    )
    return response.json()


def paged(
    api: httpx.Client, method: str, path: str, items: str, page_size: int = PAGE_SIZE, **query: str
) -> list[dict[str, Any]]:
    """Pages of a listing until `totalCount` items are held or a page comes back empty."""
    held: list[dict[str, Any]] = []
    page_number = 0
    while True:
        params: dict[str, str | int] = {**query, "PageNumber": page_number, "PageSize": page_size}
        page = answer_of(api.request(method, path, params=params))
        held.extend(page[items])
        if not page[items] or len(held) >= page["totalCount"]:
            return held
        page_number += 1


def resolve_account(api: httpx.Client, email: str, account_number: str) -> str:
    details = answer_of(api.get("/User/Details", params={"email": email}))
    for account in details["accounts"]:
        if account["accountNumber"] == account_number:
            return str(account["accountId"])
    raise AssertionError(f"{email} is in no account {account_number}: {details}")


def account_users(api: httpx.Client, account_id: str) -> list[dict[str, Any]]:
    return paged(api, "POST", f"/Account/{account_id}/Users", "users")


def import_users(api: httpx.Client, account_id: str, emails: list[str]) -> dict[str, Any]:
    answer: dict[str, Any] = answer_of(
        api.put(
            f"/Account/{account_id}/Users",
            params={"removeOthers": "false", "SuppressEmail": "true"},
            json=[{"email": email} for email in emails],
        )
    )
    return answer


def remove_users(api: httpx.Client, account_id: str, user_ids: list[str]) -> dict[str, Any]:
    answer: dict[str, Any] = answer_of(
        api.request("DELETE", f"/Account/{account_id}/Users", json=user_ids)
    )
    return answer


def find_group(api: httpx.Client, account_id: str, name: str) -> str | None:
    found = paged(api, "POST", f"/Account/{account_id}/Groups", "groups", searchValue=name)
    return next((str(group["id"]) for group in found if group["name"] == name), None)


def create_group(api: httpx.Client, account_id: str, name: str) -> str:
    created = answer_of(
        api.post(
            f"/Account/{account_id}/Group",
            json={"name": name, "description": "Synced from Entra ID", "groupTypeId": 1},
        )
    )
    return str(created["groupId"])


def group_members(api: httpx.Client, account_id: str, group_id: str) -> list[dict[str, Any]]:
    return paged(api, "POST", f"/Account/{account_id}/Group/{group_id}/Members", "members")


def add_members(
    api: httpx.Client, account_id: str, group_id: str, member_ids: list[str]
) -> dict[str, Any]:
    answer: dict[str, Any] = answer_of(
        api.put(
            f"/Account/{account_id}/Group/{group_id}/Members",
            json={"members": [{"memberId": member_id} for member_id in member_ids]},
        )
    )
    return answer


def import_members(
    api: httpx.Client, account_id: str, group_id: str, emails: list[str]
) -> dict[str, Any]:
    answer: dict[str, Any] = answer_of(
        api.put(
            f"/Account/{account_id}/Group/{group_id}/Members/Import",
            params={"removeOthers": "false"},
            json={"users": [{"email": email, "isAdmin": False} for email in emails]},
        )
    )
    return answer


def remove_members(
    api: httpx.Client, account_id: str, group_id: str, member_ids: list[str]
) -> dict[str, Any]:
    answer: dict[str, Any] = answer_of(
        api.request(
            "DELETE",
            f"/Account/{account_id}/Group/{group_id}/Members",
            json={"members": [{"memberId": member_id} for member_id in member_ids]},
        )
    )
    return answer


# --- The sync ----------------------------------------------------------------------------------


@dataclass
class SyncRun:
    """The answers of one run; None where the tool had nothing to send."""

    account_id: str
    group_id: str
    group_created: bool
    users_imported: dict[str, Any] | None
    users_removed: dict[str, Any] | None
    members_imported: dict[str, Any]
    members_removed: dict[str, Any] | None


def sync(
    api: httpx.Client, access_token: str, account_number: str, group_name: str, wanted: list[str]
) -> SyncRun:
    caller = own_email(access_token)
    wanted_set = {email.lower() for email in wanted}
    account_id = resolve_account(api, caller, account_number)

    users = account_users(api, account_id)
    present = {user["email"].lower() for user in users}
    new = [email for email in wanted if email.lower() not in present]
    users_imported = import_users(api, account_id, new) if new else None
    not_wanted = [
        str(user["userId"])
        for user in users
        if user["email"].lower() not in wanted_set | {caller.lower()}
        and not any(role["roleName"] == SUPPORT_COORDINATOR for role in user["roles"])
    ]
    users_removed = remove_users(api, account_id, not_wanted) if not_wanted else None

    group_id = find_group(api, account_id, group_name)
    group_created = group_id is None
    if group_id is None:
        group_id = create_group(api, account_id, group_name)
    members = group_members(api, account_id, group_id)
    members_imported = import_members(api, account_id, group_id, wanted)
    extra = [
        str(member["memberId"])
        for member in members
        if not member["isGroupAsMember"] and member["email"].lower() not in wanted_set
    ]
    members_removed = remove_members(api, account_id, group_id, extra) if extra else None
    return SyncRun(
        account_id,
        group_id,
        group_created,
        users_imported,
        users_removed,
        members_imported,
        members_removed,
    )


# --- Checks over the API ---------------------------------------------------------------------


def activities(api: httpx.Client, account_id: str) -> list[dict[str, Any]]:
    return paged(api, "GET", "/Activities", "activities", page_size=100, accountId=account_id)


def actions_since(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> Counter[str]:
    seen = {activity["activityId"] for activity in before}
    return Counter(activity["action"] for activity in after if activity["activityId"] not in seen)


def invitations_queued(api: httpx.Client) -> int:
    """Invitation e-mails queued in every account the caller sees (and about the caller)."""
    query = {"action": "InvitationEmailQueued", "PageSize": "1"}
    return int(answer_of(api.get("/Activities", params=query))["totalCount"])


def emails_of(items: list[dict[str, Any]]) -> set[str]:
    return {item["email"].lower() for item in items}


def assert_in_wanted_state(api: httpx.Client, run: SyncRun) -> None:
    users = account_users(api, run.account_id)
    assert len(users) == len(emails_of(users)), "a user listed twice across pages"
    assert emails_of(users) == {*WANTED, CONTOSO_ADMIN, SUPPORT}
    members = group_members(api, run.account_id, run.group_id)
    assert [member for member in members if member["isGroupAsMember"]] == []
    assert emails_of(members) == set(WANTED)
    assert len(members) == len(WANTED)


@pytest.fixture
def specserve(tmp_path: Path) -> Iterator[str]:
    """`specserve serve` on a fresh SQLite data folder: its first start seeds the demo data."""
    yield from run_server(environment(tmp_path), tmp_path / "server.log")


def test_the_entra_group_sync_tool_brings_an_account_and_a_group_to_the_wanted_state(
    specserve: str,
) -> None:
    base = specserve
    pat = create_pat(base, password_token(base, CONTOSO_ADMIN))
    signed_in = redeem_code(base, authorize_with_pat(base, pat))
    access_token = str(refresh(base, signed_in["refresh_token"])["access_token"])
    assert own_email(access_token) == CONTOSO_ADMIN
    assert claims(access_token)["account_id"] == str(CONTOSO)  # made from the PAT

    with ansysid(base, access_token) as api:
        before = activities(api, str(CONTOSO))
        first = sync(api, access_token, ACCOUNT_NUMBER, GROUP_NAME, WANTED)
        assert first.account_id == str(CONTOSO)
        assert first.group_created
        assert first.users_imported is not None
        assert sorted(emails_of(first.users_imported["success"])) == NEW_PEOPLE
        assert first.users_imported["notModified"] == first.users_imported["error"] == []
        assert first.users_removed == {
            "success": [str(USERS[CONTOSO_OWNER])],
            "notModified": [],
            "error": [],
        }
        assert emails_of(first.members_imported["success"]) == set(WANTED)
        assert first.members_imported["notModified"] == first.members_imported["error"] == []
        assert first.members_removed is None  # a new group has no members
        assert_in_wanted_state(api, first)
        after_first = activities(api, first.account_id)
        changes = actions_since(before, after_first)
        assert {action: changes[action] for action in EXPECTED_CHANGES} == EXPECTED_CHANGES
        assert changes["InvitationEmailQueued"] == 0  # SuppressEmail=true

        # The second run finds everything as wanted: it changes nothing.
        second = sync(api, access_token, ACCOUNT_NUMBER, GROUP_NAME, WANTED)
        assert (second.group_id, second.group_created) == (first.group_id, False)
        assert second.users_imported is None  # nobody new to the account
        assert second.users_removed is None
        assert second.members_imported["success"] == second.members_imported["error"] == []
        assert emails_of(second.members_imported["notModified"]) == set(WANTED)
        assert second.members_removed is None
        assert activities(api, first.account_id) == after_first
        assert_in_wanted_state(api, second)

        # Someone adds a member by hand in the portal; the next run takes it out again.
        anna = str(USERS[CONTOSO_ADMIN])
        added = add_members(api, first.account_id, first.group_id, [anna])
        assert added == {"success": [anna], "notModified": [], "error": []}
        third = sync(api, access_token, ACCOUNT_NUMBER, GROUP_NAME, WANTED)
        assert (third.users_imported, third.users_removed) == (None, None)
        assert emails_of(third.members_imported["notModified"]) == set(WANTED)
        assert third.members_removed == {"success": [anna], "notModified": [], "error": []}
        assert_in_wanted_state(api, third)
        changes = actions_since(after_first, activities(api, first.account_id))
        assert changes == Counter({"GroupMemberAdded": 1, "GroupMemberRemoved": 1})
        assert invitations_queued(api) == 0
