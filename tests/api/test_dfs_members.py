"""MemberManagement of the DFS Admin Services API: members of the token's tenant, one by id or
a page of a search, against the demo data (tenant 2 Additiv, tenant 3 Bluebank)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.support.dfs import ADMIN_MEMBER_DATA, MEMBER_APP, ROLE_APP, app_auth, identity_auth
from tests.support.dfs import envelope_error as error

ADMIN_MEMBER = {
    "MemberId": 1,
    "IdentityId": "01000000-0000-0000-0000-000000000000",
    **ADMIN_MEMBER_DATA,
    "BankBranch": {"Id": 1, "Name": "<root><en>Branch 1a</en><de>Filiale 1a</de></root>"},
    "AssignedContactsCount": 2,
    "HasProfilePicture": True,
}
TEAM_LEADER_MEMBER = {
    "MemberId": 6,
    "IdentityId": "06000000-0000-0000-0000-000000000000",
    "FirstName": "Team",
    "LastName": "Leader 1",
    "SalutationId": 1,
    "Email": "tl1@additiv.com",
    "Description": "Team leader account description",
    "Phone": "41|522672750",
    "Fax": None,
    "Mobile": "41|797353966",
    "ExternalId": "ADM-0006",
    "BankBranch": {"Id": 1, "Name": "<root><en>Branch 1a</en><de>Filiale 1a</de></root>"},
    "AssignedContactsCount": 5,
    "HasProfilePicture": False,
}
# Tenant 2's members by last name: Admin, Daniels, Doe, Frey, Leader 1, Meier, Morgan.
BY_LAST_NAME = [1, 55, 16, 21, 6, 20, 56]


def search(client: TestClient, headers: dict[str, str], **criteria: Any) -> dict[str, Any]:
    response = client.post("/v1.0/members/search", json=criteria, headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def ids(found: dict[str, Any]) -> list[int]:
    return [member["MemberId"] for member in found["Results"]]


# getMember


def test_a_member_with_every_field(all_client: TestClient, admin: dict[str, str]) -> None:
    response = all_client.get("/v1.0/members/1", headers=admin)
    assert response.status_code == 200
    assert response.json() == ADMIN_MEMBER
    assert all_client.get("/v1.0/members/6", headers=admin).json() == TEAM_LEADER_MEMBER


def test_fields_not_set_are_null(all_client: TestClient, admin: dict[str, str]) -> None:
    assert all_client.get("/v1.0/members/21", headers=admin).json() == {
        "MemberId": 21,
        "IdentityId": "2d7f1c3e-8a4b-4c6d-9e0f-1a2b3c4d5e02",
        "FirstName": "Paul",
        "LastName": "Frey",
        "SalutationId": 2,
        "Email": "pf@additiv.com",
        "Description": "Former relationship manager",
        "Phone": None,
        "Fax": None,
        "Mobile": None,
        "ExternalId": None,
        "BankBranch": None,
        "AssignedContactsCount": 0,
        "HasProfilePicture": False,
    }


def test_the_branch_name_is_as_stored_in_any_language(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    response = all_client.get("/v1.0/members/16", headers={**admin, "Accept-Language": "de"})
    assert response.headers["content-language"] == "de"
    assert response.json()["BankBranch"] == {
        "Id": 3,
        "Name": "<root><en>BD Local Branch</en><de>BD Lokale Filiale</de></root>",
    }


def test_unknown_and_other_tenants_members_are_404(
    all_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    error(all_client.get("/v1.0/members/999", headers=admin), 404, "NotFound")
    error(all_client.get("/v1.0/members/101", headers=admin), 404, "NotFound")
    error(all_client.get("/v1.0/members/1", headers=bluebank), 404, "NotFound")
    assert all_client.get("/v1.0/members/101", headers=bluebank).json()["LastName"] == "Blau"


def test_a_member_id_out_of_range_is_400(all_client: TestClient, admin: dict[str, str]) -> None:
    for member_id in ("0", "2147483648", "99999999999999999999"):
        error(all_client.get(f"/v1.0/members/{member_id}", headers=admin), 400, "BadRequest")


def test_reading_a_member_needs_rmember(all_client: TestClient) -> None:
    member_app = app_auth(all_client, MEMBER_APP)
    assert all_client.get("/v1.0/members/1", headers=member_app).json() == ADMIN_MEMBER
    refused = all_client.get("/v1.0/members/1", headers=app_auth(all_client, ROLE_APP))
    assert "RMember" in error(refused, 403, "Forbidden")


# searchMembers


def test_the_vendors_sample_search(all_client: TestClient, admin: dict[str, str]) -> None:
    found = search(
        all_client,
        admin,
        MemberIds=[1, 6, 16],
        SearchTerm="adm",
        SortBy="LastName",
        SortOrder="Descending",
        Page=1,
        PageSize=10,
    )
    assert found == {
        "Results": [TEAM_LEADER_MEMBER, ADMIN_MEMBER],
        "Page": 1,
        "PageSize": 10,
        "PageCount": 1,
        "TotalCount": 2,
    }


def test_no_criteria_is_every_member_of_the_tenant_by_last_name(
    all_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    found = search(all_client, admin)
    assert ids(found) == BY_LAST_NAME
    assert (found["Page"], found["PageSize"], found["PageCount"], found["TotalCount"]) == (
        1,
        10,
        1,
        7,
    )
    # The technical identity of Bluebank has no member.
    assert ids(search(all_client, bluebank)) == [101]
    nulls = {"MemberIds": None, "SearchTerm": None, "SortBy": None, "Page": 0, "PageSize": 0}
    assert search(all_client, admin, **nulls) == found


def test_pages(all_client: TestClient, admin: dict[str, str]) -> None:
    pages = [search(all_client, admin, PageSize=3, Page=page) for page in (1, 2, 3, 4)]
    assert [ids(page) for page in pages] == [BY_LAST_NAME[:3], BY_LAST_NAME[3:6], [56], []]
    for number, page in enumerate(pages, start=1):
        assert (page["Page"], page["PageSize"], page["PageCount"], page["TotalCount"]) == (
            number,
            3,
            3,
            7,
        )
    assert ids(search(all_client, admin, PageSize=3)) == BY_LAST_NAME[:3]
    assert search(all_client, admin, PageSize=100, Page=2147483647)["Results"] == []


@pytest.mark.parametrize(
    ("sort_by", "ascending"),
    [
        ("MemberId", [1, 6, 16, 20, 21, 55, 56]),
        ("FirstName", [1, 16, 56, 55, 21, 20, 6]),
        ("LastName", BY_LAST_NAME),
        ("Email", [1, 16, 56, 55, 21, 20, 6]),
        ("ExternalId", [6, 16, 20, 1, 55, 56, 21]),
    ],
)
def test_sorting(
    all_client: TestClient, admin: dict[str, str], sort_by: str, ascending: list[int]
) -> None:
    assert ids(search(all_client, admin, SortBy=sort_by)) == ascending
    assert ids(search(all_client, admin, SortBy=sort_by, SortOrder="Ascending")) == ascending
    descending = ids(search(all_client, admin, SortBy=sort_by, SortOrder="Descending"))
    if sort_by == "ExternalId":
        # Members without the value come last in either order.
        assert descending == [56, 55, 1, 20, 16, 6, 21]
    else:
        assert descending == ascending[::-1]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("leader", [6]),
        ("LEADER", [6]),
        ("ADDITIV.COM", BY_LAST_NAME),
        ("ex0012", [1, 55, 16, 20, 56]),
        ("an", [55, 56]),
        ("", BY_LAST_NAME),
        ("%", []),
        ("_", []),
        ("\\", []),
        ("Blau", []),
    ],
)
def test_the_search_term_matches_names_email_and_external_id(
    all_client: TestClient, admin: dict[str, str], term: str, expected: list[int]
) -> None:
    found = search(all_client, admin, SearchTerm=term)
    assert ids(found) == expected
    assert found["TotalCount"] == len(expected)


def test_a_nul_in_the_search_term_is_400(all_client: TestClient, admin: dict[str, str]) -> None:
    # No stored text can hold it (PostgreSQL refuses it): a term with one is malformed.
    response = all_client.post(
        "/v1.0/members/search", json={"SearchTerm": "a\u0000"}, headers=admin
    )
    assert "NUL" in error(response, 400, "BadRequest")


def test_member_ids_keep_those_members_of_the_tenant(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    assert ids(search(all_client, admin, MemberIds=[56, 1, 999, 101, 1])) == [1, 56]
    nothing = search(all_client, admin, MemberIds=[])
    assert nothing == {"Results": [], "Page": 1, "PageSize": 10, "PageCount": 0, "TotalCount": 0}
    assert ids(search(all_client, admin, MemberIds=[6, 16], SearchTerm="bill")) == [16]


def test_criteria_bind_without_regard_to_case(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    found = search(all_client, admin, searchTerm="adm", sortOrder="Descending", pagesize=1)
    assert ids(found) == [6]
    assert (found["PageCount"], found["TotalCount"]) == (2, 2)


@pytest.mark.parametrize(
    "criteria",
    [
        {"SortBy": "Description"},
        {"SortOrder": "Down"},
        {"PageSize": 101},
        {"Page": -1},
        {"MemberIds": [0]},
        {"MemberIds": [2147483648]},
        {"Page": 2147483648},
        {"MemberIds": list(range(1, 1002))},
        {"SearchTerm": "x" * 201},
        {"Unknown": 1},
    ],
)
def test_invalid_criteria_are_400(
    all_client: TestClient, admin: dict[str, str], criteria: dict[str, Any]
) -> None:
    response = all_client.post("/v1.0/members/search", json=criteria, headers=admin)
    error(response, 400, "BadRequest")


def test_searching_members_needs_rmember(all_client: TestClient) -> None:
    member_app = app_auth(all_client, MEMBER_APP)
    assert ids(search(all_client, member_app, SearchTerm="morgan")) == [56]
    refused = all_client.post(
        "/v1.0/members/search", json={}, headers=app_auth(all_client, ROLE_APP)
    )
    assert "RMember" in error(refused, 403, "Forbidden")
    team_leader = identity_auth(all_client, user="teamleader1")
    refused = all_client.post("/v1.0/members/search", json={}, headers=team_leader)
    error(refused, 403, "Forbidden")
