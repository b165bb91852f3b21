"""RoleManagement of the DFS Admin Services API: roles of the token's tenant, their access
policies and their hierarchy, against the demo data (tenant 2 Additiv, tenant 3 Bluebank)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from starlette.testclient import TestClient

from store.dfs.roles import RolesRepository
from tests.support.dfs import MEMBER_APP, ROLE_APP, app_auth, identity_auth
from tests.support.dfs import envelope_error as error

ADDITIV_ROLES = [
    {
        "Id": 1,
        "Name": "System-Administrator",
        "HierarchyLevel": 6,
        "RoleKey": "System-Administrator",
    },
    {"Id": 35, "Name": "Relationship Manager", "HierarchyLevel": 5, "RoleKey": "rm"},
    {"Id": 43, "Name": "Team Leader", "HierarchyLevel": 4, "RoleKey": "tm"},
    {"Id": 2, "Name": "General Manager", "HierarchyLevel": 2, "RoleKey": "gm"},
]
POLICY_1 = {"Id": 1, "Name": "AuthContact", "Key": "AuthContact"}
POLICY_2 = {"Id": 2, "Name": "AuthContactMobile", "Key": "AuthContactMobile"}
POLICY_4 = {"Id": 4, "Name": "AuthEnrollContact", "Key": "AuthEnrollContact"}
POLICY_5 = {"Id": 5, "Name": "AuthOnboardContact", "Key": "AuthOnboardContact"}


def hierarchy_ids(client: TestClient, headers: dict[str, str], role_id: int) -> list[int]:
    response = client.get(f"/v2.0/roles/{role_id}/hierarchy", headers=headers)
    assert response.status_code == 200, response.text
    return [item["Id"] for item in response.json()["HierarchyItems"]]


def levels(client: TestClient, headers: dict[str, str]) -> dict[int, int]:
    roles = client.get("/v2.0/roles", headers=headers).json()
    return {role["Id"]: role["HierarchyLevel"] for role in roles}


def create(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post("/v2.0/roles", json=body, headers=headers)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def set_level(dfs_app: Any, role_id: int, level: int) -> None:
    with dfs_app.services.store.engine.begin() as connection:
        connection.execute(
            text("UPDATE dfs_roles SET hierarchy_level = :level WHERE id = :id"),
            {"level": level, "id": role_id},
        )


# listRoles


def test_roles_are_listed_by_level_then_id(dfs_client: TestClient, admin: dict[str, str]) -> None:
    response = dfs_client.get("/v2.0/roles", headers=admin)
    assert response.status_code == 200
    assert response.json() == ADDITIV_ROLES


def test_a_tenant_lists_only_its_own_roles(
    dfs_client: TestClient, bluebank: dict[str, str]
) -> None:
    assert dfs_client.get("/v2.0/roles", headers=bluebank).json() == [
        {"Id": 50, "Name": "System-Administrator", "HierarchyLevel": 6, "RoleKey": "admin"},
        {"Id": 51, "Name": "Advisor", "HierarchyLevel": 3, "RoleKey": "advisor"},
    ]


def test_reading_roles_needs_rrole(dfs_client: TestClient) -> None:
    assert dfs_client.get("/v2.0/roles", headers=app_auth(dfs_client, ROLE_APP)).json() == (
        ADDITIV_ROLES
    )
    refused = dfs_client.get("/v2.0/roles", headers=app_auth(dfs_client, MEMBER_APP))
    assert "RRole" in error(refused, 403, "Forbidden")
    team_leader = identity_auth(dfs_client, user="teamleader1")
    error(dfs_client.get("/v2.0/roles", headers=team_leader), 403, "Forbidden")


# getRole


def test_a_role_allowed_every_policy_lists_none(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    response = dfs_client.get("/v2.0/roles/1", headers=admin)
    assert response.status_code == 200
    assert response.json() == {
        "ShortName": "System-Administrator",
        "LongName": "System-Administrator",
        "RoleKey": "System-Administrator",
        "CreatedDate": "2024-01-22T09:44:04.142504Z",
        "AllowAllPolicies": True,
        "AccessPolicies": [],
    }


def test_a_role_lists_its_policies_by_id(dfs_client: TestClient, admin: dict[str, str]) -> None:
    response = dfs_client.get("/v2.0/roles/35", headers=admin)
    assert response.json() == {
        "ShortName": "Relationship Manager",
        "LongName": "Relationship Manager",
        "RoleKey": "rm",
        "CreatedDate": "2024-01-22T09:44:04.149631Z",
        "AllowAllPolicies": False,
        "AccessPolicies": [POLICY_1, POLICY_2, POLICY_5],
    }


@pytest.mark.parametrize("path", ["/v2.0/roles/{}", "/v2.0/roles/{}/hierarchy"])
def test_unknown_and_other_tenants_roles_are_404(
    dfs_client: TestClient, admin: dict[str, str], bluebank: dict[str, str], path: str
) -> None:
    error(dfs_client.get(path.format(999), headers=admin), 404, "NotFound")
    error(dfs_client.get(path.format(50), headers=admin), 404, "NotFound")
    error(dfs_client.get(path.format(1), headers=bluebank), 404, "NotFound")
    assert dfs_client.get(path.format(50), headers=bluebank).status_code == 200


def test_a_role_id_out_of_range_is_400(dfs_client: TestClient, admin: dict[str, str]) -> None:
    for role_id in ("0", "2147483648", "99999999999999999999"):
        error(dfs_client.get(f"/v2.0/roles/{role_id}", headers=admin), 400, "BadRequest")


def test_getting_a_role_needs_rrole(dfs_client: TestClient) -> None:
    assert dfs_client.get("/v2.0/roles/2", headers=app_auth(dfs_client, ROLE_APP)).json()[
        "AccessPolicies"
    ] == [POLICY_1]
    refused = dfs_client.get("/v2.0/roles/2", headers=app_auth(dfs_client, MEMBER_APP))
    error(refused, 403, "Forbidden")


# createRole


def test_a_new_role_takes_its_short_name_as_key_and_starts_at_the_lowest_level(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    before = datetime.datetime.now(datetime.UTC)
    created = create(dfs_client, admin, ShortName="Auditor")
    assert set(created) == {"Id", "TenantId", "ShortName", "LongName", "RoleKey", "CreatedDate"}
    assert created["TenantId"] == 2
    assert (created["ShortName"], created["LongName"], created["RoleKey"]) == ("Auditor",) * 3
    assert created["CreatedDate"].endswith("Z")
    moment = datetime.datetime.fromisoformat(created["CreatedDate"])
    assert before - datetime.timedelta(seconds=5) <= moment
    role_id = created["Id"]
    assert dfs_client.get(f"/v2.0/roles/{role_id}", headers=admin).json() == {
        "ShortName": "Auditor",
        "LongName": "Auditor",
        "RoleKey": "Auditor",
        "CreatedDate": created["CreatedDate"],
        "AllowAllPolicies": False,
        "AccessPolicies": [],
    }
    listed = dfs_client.get("/v2.0/roles", headers=admin).json()
    assert listed[-1] == {
        "Id": role_id,
        "Name": "Auditor",
        "HierarchyLevel": 1,
        "RoleKey": "Auditor",
    }


def test_a_new_role_with_every_field(dfs_client: TestClient) -> None:
    created = create(
        dfs_client,
        app_auth(dfs_client, ROLE_APP),
        ShortName="Compliance",
        LongName="Compliance Officer",
        RoleKey="co",
        IsMemberAccessExcluded=True,
    )
    assert (created["ShortName"], created["LongName"], created["RoleKey"]) == (
        "Compliance",
        "Compliance Officer",
        "co",
    )
    # Property names bind without regard to case; null means the default.
    other = create(dfs_client, app_auth(dfs_client, ROLE_APP), shortName="Ops", longName=None)
    assert (other["LongName"], other["RoleKey"]) == ("Ops", "Ops")


def test_a_new_role_needs_a_short_name(dfs_client: TestClient, admin: dict[str, str]) -> None:
    for body in ({}, {"LongName": "x"}, {"ShortName": ""}, {"ShortName": None}):
        error(dfs_client.post("/v2.0/roles", json=body, headers=admin), 400, "BadRequest")


def test_role_keys_are_unique_per_tenant_without_regard_to_case(
    dfs_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    for key in ("System-Administrator", "SYSTEM-administrator", "Rm"):
        clash = dfs_client.post(
            "/v2.0/roles", json={"ShortName": "Other", "RoleKey": key}, headers=admin
        )
        assert key in error(clash, 422, "UnprocessableEntity")
    # A ShortName taken as the key clashes too.
    create(dfs_client, admin, ShortName="Auditor")
    clash = dfs_client.post("/v2.0/roles", json={"ShortName": "AUDITOR"}, headers=admin)
    error(clash, 422, "UnprocessableEntity")
    # Another tenant's keys are free.
    assert create(dfs_client, bluebank, ShortName="RM", RoleKey="rm")["TenantId"] == 3


def test_a_key_taken_by_a_concurrent_request_is_422_not_500(
    dfs_client: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if a concurrent request took the key between the check and the insert: the
    # database's unique constraint refuses it.
    monkeypatch.setattr(RolesRepository, "_refuse_taken_key", lambda *args, **kwargs: None)
    clash = dfs_client.post("/v2.0/roles", json={"ShortName": "X", "RoleKey": "RM"}, headers=admin)
    error(clash, 422, "UnprocessableEntity")
    renamed = dfs_client.patch("/v2.0/roles/43", json={"RoleKey": "GM"}, headers=admin)
    error(renamed, 422, "UnprocessableEntity")
    assert dfs_client.get("/v2.0/roles", headers=admin).json() == ADDITIV_ROLES


def test_creating_a_role_needs_wrole(dfs_client: TestClient) -> None:
    refused = dfs_client.post(
        "/v2.0/roles", json={"ShortName": "X"}, headers=app_auth(dfs_client, MEMBER_APP)
    )
    assert "WRole" in error(refused, 403, "Forbidden")


# updateRole


def test_an_update_changes_what_is_sent(dfs_client: TestClient, admin: dict[str, str]) -> None:
    response = dfs_client.patch(
        "/v2.0/roles/43",
        json={"ShortName": "Team Lead", "LongName": "Team Lead (Zurich)", "RoleKey": "tl"},
        headers=admin,
    )
    assert response.status_code == 204
    assert response.content == b""
    role = dfs_client.get("/v2.0/roles/43", headers=admin).json()
    assert (role["ShortName"], role["LongName"], role["RoleKey"]) == (
        "Team Lead",
        "Team Lead (Zurich)",
        "tl",
    )
    assert role["AccessPolicies"] == [POLICY_1, POLICY_2]
    # The old key is free again.
    assert create(dfs_client, admin, ShortName="Tm", RoleKey="TM")["RoleKey"] == "TM"


@pytest.mark.parametrize(
    "body",
    [{}, {"ShortName": None, "LongName": None, "RoleKey": None, "AllowAllPolicies": None}],
)
def test_an_empty_update_changes_nothing(
    dfs_client: TestClient, admin: dict[str, str], body: dict[str, Any]
) -> None:
    before = dfs_client.get("/v2.0/roles/35", headers=admin).json()
    assert dfs_client.patch("/v2.0/roles/35", json=body, headers=admin).status_code == 204
    assert dfs_client.get("/v2.0/roles/35", headers=admin).json() == before


def test_a_role_keeps_its_own_key_in_another_case(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    assert (
        dfs_client.patch("/v2.0/roles/43", json={"RoleKey": "TM"}, headers=admin).status_code == 204
    )
    assert dfs_client.get("/v2.0/roles/43", headers=admin).json()["RoleKey"] == "TM"
    clash = dfs_client.patch("/v2.0/roles/43", json={"RoleKey": "Gm"}, headers=admin)
    assert "Gm" in error(clash, 422, "UnprocessableEntity")
    assert dfs_client.get("/v2.0/roles/43", headers=admin).json()["RoleKey"] == "TM"


def test_access_policy_ids_replace_the_list(dfs_client: TestClient, admin: dict[str, str]) -> None:
    patched = dfs_client.patch("/v2.0/roles/35", json={"AccessPolicyIds": [4, 1, 4]}, headers=admin)
    assert patched.status_code == 204
    assert dfs_client.get("/v2.0/roles/35", headers=admin).json()["AccessPolicies"] == [
        POLICY_1,
        POLICY_4,
    ]
    assert (
        dfs_client.patch("/v2.0/roles/35", json={"AccessPolicyIds": []}, headers=admin).status_code
        == 204
    )
    assert dfs_client.get("/v2.0/roles/35", headers=admin).json()["AccessPolicies"] == []


def test_allowing_all_policies_empties_the_list_and_ignores_the_ids(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    # The vendor's sample sends both; unknown ids are ignored too, as the whole list is.
    for ids in ([1], [999]):
        patched = dfs_client.patch(
            "/v2.0/roles/35", json={"AllowAllPolicies": True, "AccessPolicyIds": ids}, headers=admin
        )
        assert patched.status_code == 204
        role = dfs_client.get("/v2.0/roles/35", headers=admin).json()
        assert (role["AllowAllPolicies"], role["AccessPolicies"]) == (True, [])
    # Restricted again without a list: the role has none left.
    assert (
        dfs_client.patch(
            "/v2.0/roles/35", json={"AllowAllPolicies": False}, headers=admin
        ).status_code
        == 204
    )
    role = dfs_client.get("/v2.0/roles/35", headers=admin).json()
    assert (role["AllowAllPolicies"], role["AccessPolicies"]) == (False, [])


def test_ids_apply_to_a_role_allowed_all_policies_only_when_it_is_restricted(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    ignored = dfs_client.patch("/v2.0/roles/1", json={"AccessPolicyIds": [2]}, headers=admin)
    assert ignored.status_code == 204
    assert dfs_client.get("/v2.0/roles/1", headers=admin).json()["AccessPolicies"] == []
    restricted = dfs_client.patch(
        "/v2.0/roles/1", json={"AllowAllPolicies": False, "AccessPolicyIds": [2]}, headers=admin
    )
    assert restricted.status_code == 204
    # The administrator's own role: it holds RRole no more.
    error(dfs_client.get("/v2.0/roles/1", headers=admin), 403, "Forbidden")
    role = dfs_client.get("/v2.0/roles/1", headers=app_auth(dfs_client, ROLE_APP)).json()
    assert (role["AllowAllPolicies"], role["AccessPolicies"]) == (False, [POLICY_2])


def test_an_unknown_access_policy_is_422_and_changes_nothing(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    refused = dfs_client.patch(
        "/v2.0/roles/35", json={"ShortName": "RM", "AccessPolicyIds": [1, 999]}, headers=admin
    )
    assert "999" in error(refused, 422, "UnprocessableEntity")
    role = dfs_client.get("/v2.0/roles/35", headers=admin).json()
    assert (role["ShortName"], role["AccessPolicies"]) == (
        "Relationship Manager",
        [POLICY_1, POLICY_2, POLICY_5],
    )


def test_a_role_given_a_policy_grants_it_to_its_identities(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    team_leader = identity_auth(dfs_client, user="teamleader1")
    error(dfs_client.get("/v2.0/roles", headers=team_leader), 403, "Forbidden")
    patched = dfs_client.patch("/v2.0/roles/43", json={"AccessPolicyIds": [8]}, headers=admin)
    assert patched.status_code == 204
    assert dfs_client.get("/v2.0/roles", headers=team_leader).json() == ADDITIV_ROLES


def test_updating_an_unknown_or_other_tenants_role_is_404(
    dfs_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    body = {"ShortName": "X"}
    error(dfs_client.patch("/v2.0/roles/999", json=body, headers=admin), 404, "NotFound")
    error(dfs_client.patch("/v2.0/roles/50", json=body, headers=admin), 404, "NotFound")
    error(dfs_client.patch("/v2.0/roles/1", json=body, headers=bluebank), 404, "NotFound")
    assert dfs_client.get("/v2.0/roles/50", headers=bluebank).json()["ShortName"] == (
        "System-Administrator"
    )


def test_an_invalid_update_is_400(dfs_client: TestClient, admin: dict[str, str]) -> None:
    for body in ({"ShortName": ""}, {"AccessPolicyIds": [0]}, {"Unknown": 1}, [1]):
        error(dfs_client.patch("/v2.0/roles/35", json=body, headers=admin), 400, "BadRequest")


def test_updating_a_role_needs_wrole(dfs_client: TestClient) -> None:
    body = {"ShortName": "RM"}
    assert (
        dfs_client.patch(
            "/v2.0/roles/35", json=body, headers=app_auth(dfs_client, ROLE_APP)
        ).status_code
        == 204
    )
    refused = dfs_client.patch(
        "/v2.0/roles/35", json=body, headers=app_auth(dfs_client, MEMBER_APP)
    )
    error(refused, 403, "Forbidden")


# deleteRole


def test_a_deleted_role_is_gone_and_leaves_the_exclusions(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    role_id = create(dfs_client, admin, ShortName="Temp")["Id"]
    assert (
        dfs_client.put(
            "/v2.0/roles/1/hierarchy/exclude", json=[role_id, 2], headers=admin
        ).status_code
        == 204
    )
    assert hierarchy_ids(dfs_client, admin, 1) == [35, 43]
    deleted = dfs_client.delete(f"/v2.0/roles/{role_id}", headers=admin)
    assert deleted.status_code == 204
    assert deleted.content == b""
    error(dfs_client.get(f"/v2.0/roles/{role_id}", headers=admin), 404, "NotFound")
    assert dfs_client.get("/v2.0/roles", headers=admin).json() == ADDITIV_ROLES
    # The other exclusion stays; the other roles keep their levels.
    assert hierarchy_ids(dfs_client, admin, 1) == [35, 43]
    error(dfs_client.delete(f"/v2.0/roles/{role_id}", headers=admin), 404, "NotFound")


def test_a_role_with_its_own_policies_and_exclusions_can_be_deleted(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    role_id = create(dfs_client, admin, ShortName="Temp")["Id"]
    dfs_client.patch(f"/v2.0/roles/{role_id}", json={"AccessPolicyIds": [1, 2]}, headers=admin)
    set_up = dfs_client.put(f"/v2.0/roles/{role_id}/hierarchy/exclude", json=[2], headers=admin)
    assert set_up.status_code == 204
    assert dfs_client.delete(f"/v2.0/roles/{role_id}", headers=admin).status_code == 204
    assert create(dfs_client, admin, ShortName="Temp")["RoleKey"] == "Temp"


@pytest.mark.parametrize("role_id", [1, 2, 35])
def test_a_role_in_use_cannot_be_deleted(
    dfs_client: TestClient, admin: dict[str, str], role_id: int
) -> None:
    # 35 is held only by identities whose access to the tenant is disabled: still in use.
    refused = dfs_client.delete(f"/v2.0/roles/{role_id}", headers=admin)
    assert "still assigned" in error(refused, 422, "UnprocessableEntity")
    assert dfs_client.get(f"/v2.0/roles/{role_id}", headers=admin).status_code == 200


def test_a_role_given_meanwhile_to_an_identity_is_422_not_500(
    dfs_client: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if an identity got the role between the check and the delete: the database's
    # foreign key refuses it.
    monkeypatch.setattr(RolesRepository, "_in_use", lambda *args: False)
    refused = dfs_client.delete("/v2.0/roles/2", headers=admin)
    error(refused, 422, "UnprocessableEntity")
    assert dfs_client.get("/v2.0/roles", headers=admin).json() == ADDITIV_ROLES


def test_deleting_an_unknown_or_other_tenants_role_is_404(
    dfs_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    error(dfs_client.delete("/v2.0/roles/999", headers=admin), 404, "NotFound")
    error(dfs_client.delete("/v2.0/roles/51", headers=admin), 404, "NotFound")
    error(dfs_client.delete("/v2.0/roles/43", headers=bluebank), 404, "NotFound")
    assert dfs_client.get("/v2.0/roles/51", headers=bluebank).status_code == 200


def test_deleting_a_role_needs_wrole(dfs_client: TestClient, admin: dict[str, str]) -> None:
    role_id = create(dfs_client, admin, ShortName="Temp")["Id"]
    refused = dfs_client.delete(f"/v2.0/roles/{role_id}", headers=app_auth(dfs_client, MEMBER_APP))
    error(refused, 403, "Forbidden")
    deleted = dfs_client.delete(f"/v2.0/roles/{role_id}", headers=app_auth(dfs_client, ROLE_APP))
    assert deleted.status_code == 204


# getRoleHierarchy


def test_a_hierarchy_is_the_roles_below_the_base(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    response = dfs_client.get("/v2.0/roles/1/hierarchy", headers=admin)
    assert response.status_code == 200
    assert response.json() == {
        "Base": {"Id": 1, "Name": "System-Administrator", "HierarchyLevel": 6},
        "HierarchyItems": [
            {"Id": 35, "Name": "Relationship Manager", "HierarchyLevel": 5},
            {"Id": 43, "Name": "Team Leader", "HierarchyLevel": 4},
            {"Id": 2, "Name": "General Manager", "HierarchyLevel": 2},
        ],
    }
    assert hierarchy_ids(dfs_client, admin, 43) == [2]
    lowest = dfs_client.get("/v2.0/roles/2/hierarchy", headers=admin).json()
    assert lowest == {
        "Base": {"Id": 2, "Name": "General Manager", "HierarchyLevel": 2},
        "HierarchyItems": [],
    }


def test_a_new_role_enters_the_hierarchies_above_it(
    dfs_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    role_id = create(dfs_client, admin, ShortName="Intern")["Id"]
    assert hierarchy_ids(dfs_client, admin, 2) == [role_id]
    assert hierarchy_ids(dfs_client, admin, 1) == [35, 43, 2, role_id]
    assert hierarchy_ids(dfs_client, bluebank, 50) == [51]


def test_reading_a_hierarchy_needs_rrole(dfs_client: TestClient) -> None:
    assert hierarchy_ids(dfs_client, app_auth(dfs_client, ROLE_APP), 35) == [43, 2]
    refused = dfs_client.get("/v2.0/roles/35/hierarchy", headers=app_auth(dfs_client, MEMBER_APP))
    error(refused, 403, "Forbidden")


# changeRoleHierarchyLevel


def test_up_moves_only_this_role_and_levels_are_shared(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    moved = dfs_client.patch("/v2.0/roles/43/hierarchy-level/Up", headers=admin)
    assert moved.status_code == 204
    assert moved.content == b""
    assert levels(dfs_client, admin) == {1: 6, 35: 5, 43: 5, 2: 2}
    assert [role["Id"] for role in dfs_client.get("/v2.0/roles", headers=admin).json()] == [
        1,
        35,
        43,
        2,
    ]
    # A role at the same level is no longer below.
    assert hierarchy_ids(dfs_client, admin, 35) == [2]
    assert dfs_client.patch("/v2.0/roles/43/hierarchy-level/Up", headers=admin).status_code == 204
    assert hierarchy_ids(dfs_client, admin, 43) == [35, 2]


def test_down_lowers_by_one_until_the_lowest_level(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    assert dfs_client.patch("/v2.0/roles/2/hierarchy-level/Down", headers=admin).status_code == 204
    assert levels(dfs_client, admin)[2] == 1
    refused = dfs_client.patch("/v2.0/roles/2/hierarchy-level/Down", headers=admin)
    error(refused, 422, "UnprocessableEntity")
    assert levels(dfs_client, admin) == {1: 6, 35: 5, 43: 4, 2: 1}


def test_up_stops_at_the_highest_level(
    dfs_client: TestClient, dfs_app: Any, admin: dict[str, str]
) -> None:
    set_level(dfs_app, 35, 99)
    assert dfs_client.patch("/v2.0/roles/35/hierarchy-level/Up", headers=admin).status_code == 204
    refused = dfs_client.patch("/v2.0/roles/35/hierarchy-level/Up", headers=admin)
    error(refused, 422, "UnprocessableEntity")
    assert levels(dfs_client, admin)[35] == 100
    assert hierarchy_ids(dfs_client, admin, 35) == [1, 43, 2]


def test_the_database_keeps_levels_within_1_to_100(dfs_app: Any) -> None:
    for level in (0, 101):
        with pytest.raises(IntegrityError):
            set_level(dfs_app, 35, level)


def test_a_level_change_of_an_unknown_role_or_operation(
    dfs_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    error(dfs_client.patch("/v2.0/roles/999/hierarchy-level/Up", headers=admin), 404, "NotFound")
    error(dfs_client.patch("/v2.0/roles/50/hierarchy-level/Up", headers=admin), 404, "NotFound")
    error(dfs_client.patch("/v2.0/roles/43/hierarchy-level/Up", headers=bluebank), 404, "NotFound")
    for operation in ("Sideways", "up"):
        refused = dfs_client.patch(f"/v2.0/roles/43/hierarchy-level/{operation}", headers=admin)
        error(refused, 400, "BadRequest")
    assert levels(dfs_client, admin) == {1: 6, 35: 5, 43: 4, 2: 2}
    assert levels(dfs_client, bluebank) == {50: 6, 51: 3}


def test_changing_a_level_needs_wrole(dfs_client: TestClient) -> None:
    path = "/v2.0/roles/43/hierarchy-level/Down"
    error(dfs_client.patch(path, headers=app_auth(dfs_client, MEMBER_APP)), 403, "Forbidden")
    assert dfs_client.patch(path, headers=app_auth(dfs_client, ROLE_APP)).status_code == 204


# setRoleHierarchyExclusions


def test_exclusions_leave_the_hierarchy_and_are_replaced(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    put = dfs_client.put("/v2.0/roles/1/hierarchy/exclude", json=[43, 43], headers=admin)
    assert put.status_code == 204
    assert put.content == b""
    assert hierarchy_ids(dfs_client, admin, 1) == [35, 2]
    assert (
        dfs_client.put("/v2.0/roles/1/hierarchy/exclude", json=[2, 35], headers=admin).status_code
        == 204
    )
    assert hierarchy_ids(dfs_client, admin, 1) == [43]
    assert (
        dfs_client.put("/v2.0/roles/1/hierarchy/exclude", json=[], headers=admin).status_code == 204
    )
    assert hierarchy_ids(dfs_client, admin, 1) == [35, 43, 2]
    # Only the base's hierarchy changes.
    dfs_client.put("/v2.0/roles/1/hierarchy/exclude", json=[2], headers=admin)
    assert hierarchy_ids(dfs_client, admin, 35) == [43, 2]


def test_an_exclusion_of_a_role_not_below_takes_effect_once_it_is(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    assert (
        dfs_client.put("/v2.0/roles/43/hierarchy/exclude", json=[35], headers=admin).status_code
        == 204
    )
    assert hierarchy_ids(dfs_client, admin, 43) == [2]
    for _ in range(2):
        assert (
            dfs_client.patch("/v2.0/roles/35/hierarchy-level/Down", headers=admin).status_code
            == 204
        )
    assert levels(dfs_client, admin)[35] == 3
    assert hierarchy_ids(dfs_client, admin, 43) == [2]
    assert hierarchy_ids(dfs_client, admin, 1) == [43, 35, 2]


def test_an_exclusion_must_name_another_role_of_the_tenant(
    dfs_client: TestClient, admin: dict[str, str]
) -> None:
    dfs_client.put("/v2.0/roles/1/hierarchy/exclude", json=[2], headers=admin)
    for ids in ([1], [43, 999], [51]):
        refused = dfs_client.put("/v2.0/roles/1/hierarchy/exclude", json=ids, headers=admin)
        error(refused, 422, "UnprocessableEntity")
    assert hierarchy_ids(dfs_client, admin, 1) == [35, 43]


def test_exclusions_of_an_unknown_or_other_tenants_role_are_404(
    dfs_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    error(
        dfs_client.put("/v2.0/roles/999/hierarchy/exclude", json=[], headers=admin), 404, "NotFound"
    )
    error(
        dfs_client.put("/v2.0/roles/50/hierarchy/exclude", json=[51], headers=admin),
        404,
        "NotFound",
    )
    error(
        dfs_client.put("/v2.0/roles/1/hierarchy/exclude", json=[2], headers=bluebank),
        404,
        "NotFound",
    )
    assert hierarchy_ids(dfs_client, bluebank, 50) == [51]


def test_invalid_exclusions_are_400(dfs_client: TestClient, admin: dict[str, str]) -> None:
    path = "/v2.0/roles/1/hierarchy/exclude"
    for body in ({"Ids": [2]}, [0], ["x"], list(range(1, 1002)), [2147483648]):
        error(dfs_client.put(path, json=body, headers=admin), 400, "BadRequest")
    assert hierarchy_ids(dfs_client, admin, 1) == [35, 43, 2]


def test_setting_exclusions_needs_wrole(dfs_client: TestClient) -> None:
    path = "/v2.0/roles/35/hierarchy/exclude"
    error(
        dfs_client.put(path, json=[2], headers=app_auth(dfs_client, MEMBER_APP)), 403, "Forbidden"
    )
    role_app = app_auth(dfs_client, ROLE_APP)
    assert dfs_client.put(path, json=[2], headers=role_app).status_code == 204
    assert hierarchy_ids(dfs_client, role_app, 35) == [43]
