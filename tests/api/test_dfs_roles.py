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


def set_level(all_app: Any, role_id: int, level: int) -> None:
    with all_app.services.store.engine.begin() as connection:
        connection.execute(
            text("UPDATE dfs_roles SET hierarchy_level = :level WHERE id = :id"),
            {"level": level, "id": role_id},
        )


# listRoles


def test_roles_are_listed_by_level_then_id(all_client: TestClient, admin: dict[str, str]) -> None:
    response = all_client.get("/v2.0/roles", headers=admin)
    assert response.status_code == 200
    assert response.json() == ADDITIV_ROLES


def test_a_tenant_lists_only_its_own_roles(
    all_client: TestClient, bluebank: dict[str, str]
) -> None:
    assert all_client.get("/v2.0/roles", headers=bluebank).json() == [
        {"Id": 50, "Name": "System-Administrator", "HierarchyLevel": 6, "RoleKey": "admin"},
        {"Id": 51, "Name": "Advisor", "HierarchyLevel": 3, "RoleKey": "advisor"},
    ]


def test_reading_roles_needs_rrole(all_client: TestClient) -> None:
    assert all_client.get("/v2.0/roles", headers=app_auth(all_client, ROLE_APP)).json() == (
        ADDITIV_ROLES
    )
    refused = all_client.get("/v2.0/roles", headers=app_auth(all_client, MEMBER_APP))
    assert "RRole" in error(refused, 403, "Forbidden")
    team_leader = identity_auth(all_client, user="teamleader1")
    error(all_client.get("/v2.0/roles", headers=team_leader), 403, "Forbidden")


# getRole


def test_a_role_allowed_every_policy_lists_none(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    response = all_client.get("/v2.0/roles/1", headers=admin)
    assert response.status_code == 200
    assert response.json() == {
        "ShortName": "System-Administrator",
        "LongName": "System-Administrator",
        "RoleKey": "System-Administrator",
        "CreatedDate": "2024-01-22T09:44:04.142504Z",
        "AllowAllPolicies": True,
        "AccessPolicies": [],
    }


def test_a_role_lists_its_policies_by_id(all_client: TestClient, admin: dict[str, str]) -> None:
    response = all_client.get("/v2.0/roles/35", headers=admin)
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
    all_client: TestClient, admin: dict[str, str], bluebank: dict[str, str], path: str
) -> None:
    error(all_client.get(path.format(999), headers=admin), 404, "NotFound")
    error(all_client.get(path.format(50), headers=admin), 404, "NotFound")
    error(all_client.get(path.format(1), headers=bluebank), 404, "NotFound")
    assert all_client.get(path.format(50), headers=bluebank).status_code == 200


def test_a_role_id_out_of_range_is_400(all_client: TestClient, admin: dict[str, str]) -> None:
    for role_id in ("0", "2147483648", "99999999999999999999"):
        error(all_client.get(f"/v2.0/roles/{role_id}", headers=admin), 400, "BadRequest")


def test_getting_a_role_needs_rrole(all_client: TestClient) -> None:
    assert all_client.get("/v2.0/roles/2", headers=app_auth(all_client, ROLE_APP)).json()[
        "AccessPolicies"
    ] == [POLICY_1]
    refused = all_client.get("/v2.0/roles/2", headers=app_auth(all_client, MEMBER_APP))
    error(refused, 403, "Forbidden")


# createRole


def test_a_new_role_takes_its_short_name_as_key_and_starts_at_the_lowest_level(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    before = datetime.datetime.now(datetime.UTC)
    created = create(all_client, admin, ShortName="Auditor")
    assert set(created) == {"Id", "TenantId", "ShortName", "LongName", "RoleKey", "CreatedDate"}
    assert created["TenantId"] == 2
    assert (created["ShortName"], created["LongName"], created["RoleKey"]) == ("Auditor",) * 3
    assert created["CreatedDate"].endswith("Z")
    moment = datetime.datetime.fromisoformat(created["CreatedDate"])
    assert before - datetime.timedelta(seconds=5) <= moment
    role_id = created["Id"]
    assert all_client.get(f"/v2.0/roles/{role_id}", headers=admin).json() == {
        "ShortName": "Auditor",
        "LongName": "Auditor",
        "RoleKey": "Auditor",
        "CreatedDate": created["CreatedDate"],
        "AllowAllPolicies": False,
        "AccessPolicies": [],
    }
    listed = all_client.get("/v2.0/roles", headers=admin).json()
    assert listed[-1] == {
        "Id": role_id,
        "Name": "Auditor",
        "HierarchyLevel": 1,
        "RoleKey": "Auditor",
    }


def test_a_new_role_with_every_field(all_client: TestClient) -> None:
    created = create(
        all_client,
        app_auth(all_client, ROLE_APP),
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
    other = create(all_client, app_auth(all_client, ROLE_APP), shortName="Ops", longName=None)
    assert (other["LongName"], other["RoleKey"]) == ("Ops", "Ops")


def test_a_new_role_needs_a_short_name(all_client: TestClient, admin: dict[str, str]) -> None:
    for body in ({}, {"LongName": "x"}, {"ShortName": ""}, {"ShortName": None}):
        error(all_client.post("/v2.0/roles", json=body, headers=admin), 400, "BadRequest")


def test_role_keys_are_unique_per_tenant_without_regard_to_case(
    all_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    for key in ("System-Administrator", "SYSTEM-administrator", "Rm"):
        clash = all_client.post(
            "/v2.0/roles", json={"ShortName": "Other", "RoleKey": key}, headers=admin
        )
        assert key in error(clash, 422, "UnprocessableEntity")
    # A ShortName taken as the key clashes too.
    create(all_client, admin, ShortName="Auditor")
    clash = all_client.post("/v2.0/roles", json={"ShortName": "AUDITOR"}, headers=admin)
    error(clash, 422, "UnprocessableEntity")
    # Another tenant's keys are free.
    assert create(all_client, bluebank, ShortName="RM", RoleKey="rm")["TenantId"] == 3


def test_a_key_taken_by_a_concurrent_request_is_422_not_500(
    all_client: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if a concurrent request took the key between the check and the insert: the
    # database's unique constraint refuses it.
    monkeypatch.setattr(RolesRepository, "_refuse_taken_key", lambda *args, **kwargs: None)
    clash = all_client.post("/v2.0/roles", json={"ShortName": "X", "RoleKey": "RM"}, headers=admin)
    error(clash, 422, "UnprocessableEntity")
    renamed = all_client.patch("/v2.0/roles/43", json={"RoleKey": "GM"}, headers=admin)
    error(renamed, 422, "UnprocessableEntity")
    assert all_client.get("/v2.0/roles", headers=admin).json() == ADDITIV_ROLES


def test_creating_a_role_needs_wrole(all_client: TestClient) -> None:
    refused = all_client.post(
        "/v2.0/roles", json={"ShortName": "X"}, headers=app_auth(all_client, MEMBER_APP)
    )
    assert "WRole" in error(refused, 403, "Forbidden")


# updateRole


def test_an_update_changes_what_is_sent(all_client: TestClient, admin: dict[str, str]) -> None:
    response = all_client.patch(
        "/v2.0/roles/43",
        json={"ShortName": "Team Lead", "LongName": "Team Lead (Zurich)", "RoleKey": "tl"},
        headers=admin,
    )
    assert response.status_code == 204
    assert response.content == b""
    role = all_client.get("/v2.0/roles/43", headers=admin).json()
    assert (role["ShortName"], role["LongName"], role["RoleKey"]) == (
        "Team Lead",
        "Team Lead (Zurich)",
        "tl",
    )
    assert role["AccessPolicies"] == [POLICY_1, POLICY_2]
    # The old key is free again.
    assert create(all_client, admin, ShortName="Tm", RoleKey="TM")["RoleKey"] == "TM"


@pytest.mark.parametrize(
    "body",
    [{}, {"ShortName": None, "LongName": None, "RoleKey": None, "AllowAllPolicies": None}],
)
def test_an_empty_update_changes_nothing(
    all_client: TestClient, admin: dict[str, str], body: dict[str, Any]
) -> None:
    before = all_client.get("/v2.0/roles/35", headers=admin).json()
    assert all_client.patch("/v2.0/roles/35", json=body, headers=admin).status_code == 204
    assert all_client.get("/v2.0/roles/35", headers=admin).json() == before


def test_a_role_keeps_its_own_key_in_another_case(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    assert (
        all_client.patch("/v2.0/roles/43", json={"RoleKey": "TM"}, headers=admin).status_code == 204
    )
    assert all_client.get("/v2.0/roles/43", headers=admin).json()["RoleKey"] == "TM"
    clash = all_client.patch("/v2.0/roles/43", json={"RoleKey": "Gm"}, headers=admin)
    assert "Gm" in error(clash, 422, "UnprocessableEntity")
    assert all_client.get("/v2.0/roles/43", headers=admin).json()["RoleKey"] == "TM"


def test_access_policy_ids_replace_the_list(all_client: TestClient, admin: dict[str, str]) -> None:
    patched = all_client.patch("/v2.0/roles/35", json={"AccessPolicyIds": [4, 1, 4]}, headers=admin)
    assert patched.status_code == 204
    assert all_client.get("/v2.0/roles/35", headers=admin).json()["AccessPolicies"] == [
        POLICY_1,
        POLICY_4,
    ]
    assert (
        all_client.patch("/v2.0/roles/35", json={"AccessPolicyIds": []}, headers=admin).status_code
        == 204
    )
    assert all_client.get("/v2.0/roles/35", headers=admin).json()["AccessPolicies"] == []


def test_allowing_all_policies_empties_the_list_and_ignores_the_ids(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    # The vendor's sample sends both; unknown ids are ignored too, as the whole list is.
    for ids in ([1], [999]):
        patched = all_client.patch(
            "/v2.0/roles/35", json={"AllowAllPolicies": True, "AccessPolicyIds": ids}, headers=admin
        )
        assert patched.status_code == 204
        role = all_client.get("/v2.0/roles/35", headers=admin).json()
        assert (role["AllowAllPolicies"], role["AccessPolicies"]) == (True, [])
    # Restricted again without a list: the role has none left.
    assert (
        all_client.patch(
            "/v2.0/roles/35", json={"AllowAllPolicies": False}, headers=admin
        ).status_code
        == 204
    )
    role = all_client.get("/v2.0/roles/35", headers=admin).json()
    assert (role["AllowAllPolicies"], role["AccessPolicies"]) == (False, [])


def test_ids_apply_to_a_role_allowed_all_policies_only_when_it_is_restricted(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    ignored = all_client.patch("/v2.0/roles/1", json={"AccessPolicyIds": [2]}, headers=admin)
    assert ignored.status_code == 204
    assert all_client.get("/v2.0/roles/1", headers=admin).json()["AccessPolicies"] == []
    restricted = all_client.patch(
        "/v2.0/roles/1", json={"AllowAllPolicies": False, "AccessPolicyIds": [2]}, headers=admin
    )
    assert restricted.status_code == 204
    # The administrator's own role: it holds RRole no more.
    error(all_client.get("/v2.0/roles/1", headers=admin), 403, "Forbidden")
    role = all_client.get("/v2.0/roles/1", headers=app_auth(all_client, ROLE_APP)).json()
    assert (role["AllowAllPolicies"], role["AccessPolicies"]) == (False, [POLICY_2])


def test_an_unknown_access_policy_is_422_and_changes_nothing(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    refused = all_client.patch(
        "/v2.0/roles/35", json={"ShortName": "RM", "AccessPolicyIds": [1, 999]}, headers=admin
    )
    assert "999" in error(refused, 422, "UnprocessableEntity")
    role = all_client.get("/v2.0/roles/35", headers=admin).json()
    assert (role["ShortName"], role["AccessPolicies"]) == (
        "Relationship Manager",
        [POLICY_1, POLICY_2, POLICY_5],
    )


def test_a_role_given_a_policy_grants_it_to_its_identities(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    team_leader = identity_auth(all_client, user="teamleader1")
    error(all_client.get("/v2.0/roles", headers=team_leader), 403, "Forbidden")
    patched = all_client.patch("/v2.0/roles/43", json={"AccessPolicyIds": [8]}, headers=admin)
    assert patched.status_code == 204
    assert all_client.get("/v2.0/roles", headers=team_leader).json() == ADDITIV_ROLES


def test_updating_an_unknown_or_other_tenants_role_is_404(
    all_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    body = {"ShortName": "X"}
    error(all_client.patch("/v2.0/roles/999", json=body, headers=admin), 404, "NotFound")
    error(all_client.patch("/v2.0/roles/50", json=body, headers=admin), 404, "NotFound")
    error(all_client.patch("/v2.0/roles/1", json=body, headers=bluebank), 404, "NotFound")
    assert all_client.get("/v2.0/roles/50", headers=bluebank).json()["ShortName"] == (
        "System-Administrator"
    )


def test_an_invalid_update_is_400(all_client: TestClient, admin: dict[str, str]) -> None:
    for body in ({"ShortName": ""}, {"AccessPolicyIds": [0]}, {"Unknown": 1}, [1]):
        error(all_client.patch("/v2.0/roles/35", json=body, headers=admin), 400, "BadRequest")


def test_updating_a_role_needs_wrole(all_client: TestClient) -> None:
    body = {"ShortName": "RM"}
    assert (
        all_client.patch(
            "/v2.0/roles/35", json=body, headers=app_auth(all_client, ROLE_APP)
        ).status_code
        == 204
    )
    refused = all_client.patch(
        "/v2.0/roles/35", json=body, headers=app_auth(all_client, MEMBER_APP)
    )
    error(refused, 403, "Forbidden")


# deleteRole


def test_a_deleted_role_is_gone_and_leaves_the_exclusions(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    role_id = create(all_client, admin, ShortName="Temp")["Id"]
    assert (
        all_client.put(
            "/v2.0/roles/1/hierarchy/exclude", json=[role_id, 2], headers=admin
        ).status_code
        == 204
    )
    assert hierarchy_ids(all_client, admin, 1) == [35, 43]
    deleted = all_client.delete(f"/v2.0/roles/{role_id}", headers=admin)
    assert deleted.status_code == 204
    assert deleted.content == b""
    error(all_client.get(f"/v2.0/roles/{role_id}", headers=admin), 404, "NotFound")
    assert all_client.get("/v2.0/roles", headers=admin).json() == ADDITIV_ROLES
    # The other exclusion stays; the other roles keep their levels.
    assert hierarchy_ids(all_client, admin, 1) == [35, 43]
    error(all_client.delete(f"/v2.0/roles/{role_id}", headers=admin), 404, "NotFound")


def test_a_role_with_its_own_policies_and_exclusions_can_be_deleted(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    role_id = create(all_client, admin, ShortName="Temp")["Id"]
    all_client.patch(f"/v2.0/roles/{role_id}", json={"AccessPolicyIds": [1, 2]}, headers=admin)
    set_up = all_client.put(f"/v2.0/roles/{role_id}/hierarchy/exclude", json=[2], headers=admin)
    assert set_up.status_code == 204
    assert all_client.delete(f"/v2.0/roles/{role_id}", headers=admin).status_code == 204
    assert create(all_client, admin, ShortName="Temp")["RoleKey"] == "Temp"


@pytest.mark.parametrize("role_id", [1, 2, 35])
def test_a_role_in_use_cannot_be_deleted(
    all_client: TestClient, admin: dict[str, str], role_id: int
) -> None:
    # 35 is held only by identities whose access to the tenant is disabled: still in use.
    refused = all_client.delete(f"/v2.0/roles/{role_id}", headers=admin)
    assert "still assigned" in error(refused, 422, "UnprocessableEntity")
    assert all_client.get(f"/v2.0/roles/{role_id}", headers=admin).status_code == 200


def test_a_role_given_meanwhile_to_an_identity_is_422_not_500(
    all_client: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if an identity got the role between the check and the delete: the database's
    # foreign key refuses it.
    monkeypatch.setattr(RolesRepository, "_in_use", lambda *args: False)
    refused = all_client.delete("/v2.0/roles/2", headers=admin)
    error(refused, 422, "UnprocessableEntity")
    assert all_client.get("/v2.0/roles", headers=admin).json() == ADDITIV_ROLES


def test_deleting_an_unknown_or_other_tenants_role_is_404(
    all_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    error(all_client.delete("/v2.0/roles/999", headers=admin), 404, "NotFound")
    error(all_client.delete("/v2.0/roles/51", headers=admin), 404, "NotFound")
    error(all_client.delete("/v2.0/roles/43", headers=bluebank), 404, "NotFound")
    assert all_client.get("/v2.0/roles/51", headers=bluebank).status_code == 200


def test_deleting_a_role_needs_wrole(all_client: TestClient, admin: dict[str, str]) -> None:
    role_id = create(all_client, admin, ShortName="Temp")["Id"]
    refused = all_client.delete(f"/v2.0/roles/{role_id}", headers=app_auth(all_client, MEMBER_APP))
    error(refused, 403, "Forbidden")
    deleted = all_client.delete(f"/v2.0/roles/{role_id}", headers=app_auth(all_client, ROLE_APP))
    assert deleted.status_code == 204


# getRoleHierarchy


def test_a_hierarchy_is_the_roles_below_the_base(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    response = all_client.get("/v2.0/roles/1/hierarchy", headers=admin)
    assert response.status_code == 200
    assert response.json() == {
        "Base": {"Id": 1, "Name": "System-Administrator", "HierarchyLevel": 6},
        "HierarchyItems": [
            {"Id": 35, "Name": "Relationship Manager", "HierarchyLevel": 5},
            {"Id": 43, "Name": "Team Leader", "HierarchyLevel": 4},
            {"Id": 2, "Name": "General Manager", "HierarchyLevel": 2},
        ],
    }
    assert hierarchy_ids(all_client, admin, 43) == [2]
    lowest = all_client.get("/v2.0/roles/2/hierarchy", headers=admin).json()
    assert lowest == {
        "Base": {"Id": 2, "Name": "General Manager", "HierarchyLevel": 2},
        "HierarchyItems": [],
    }


def test_a_new_role_enters_the_hierarchies_above_it(
    all_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    role_id = create(all_client, admin, ShortName="Intern")["Id"]
    assert hierarchy_ids(all_client, admin, 2) == [role_id]
    assert hierarchy_ids(all_client, admin, 1) == [35, 43, 2, role_id]
    assert hierarchy_ids(all_client, bluebank, 50) == [51]


def test_reading_a_hierarchy_needs_rrole(all_client: TestClient) -> None:
    assert hierarchy_ids(all_client, app_auth(all_client, ROLE_APP), 35) == [43, 2]
    refused = all_client.get("/v2.0/roles/35/hierarchy", headers=app_auth(all_client, MEMBER_APP))
    error(refused, 403, "Forbidden")


# changeRoleHierarchyLevel


def test_up_moves_only_this_role_and_levels_are_shared(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    moved = all_client.patch("/v2.0/roles/43/hierarchy-level/Up", headers=admin)
    assert moved.status_code == 204
    assert moved.content == b""
    assert levels(all_client, admin) == {1: 6, 35: 5, 43: 5, 2: 2}
    assert [role["Id"] for role in all_client.get("/v2.0/roles", headers=admin).json()] == [
        1,
        35,
        43,
        2,
    ]
    # A role at the same level is no longer below.
    assert hierarchy_ids(all_client, admin, 35) == [2]
    assert all_client.patch("/v2.0/roles/43/hierarchy-level/Up", headers=admin).status_code == 204
    assert hierarchy_ids(all_client, admin, 43) == [35, 2]


def test_down_lowers_by_one_until_the_lowest_level(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    assert all_client.patch("/v2.0/roles/2/hierarchy-level/Down", headers=admin).status_code == 204
    assert levels(all_client, admin)[2] == 1
    refused = all_client.patch("/v2.0/roles/2/hierarchy-level/Down", headers=admin)
    error(refused, 422, "UnprocessableEntity")
    assert levels(all_client, admin) == {1: 6, 35: 5, 43: 4, 2: 1}


def test_up_stops_at_the_highest_level(
    all_client: TestClient, all_app: Any, admin: dict[str, str]
) -> None:
    set_level(all_app, 35, 99)
    assert all_client.patch("/v2.0/roles/35/hierarchy-level/Up", headers=admin).status_code == 204
    refused = all_client.patch("/v2.0/roles/35/hierarchy-level/Up", headers=admin)
    error(refused, 422, "UnprocessableEntity")
    assert levels(all_client, admin)[35] == 100
    assert hierarchy_ids(all_client, admin, 35) == [1, 43, 2]


def test_the_database_keeps_levels_within_1_to_100(all_app: Any) -> None:
    for level in (0, 101):
        with pytest.raises(IntegrityError):
            set_level(all_app, 35, level)


def test_a_level_change_of_an_unknown_role_or_operation(
    all_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    error(all_client.patch("/v2.0/roles/999/hierarchy-level/Up", headers=admin), 404, "NotFound")
    error(all_client.patch("/v2.0/roles/50/hierarchy-level/Up", headers=admin), 404, "NotFound")
    error(all_client.patch("/v2.0/roles/43/hierarchy-level/Up", headers=bluebank), 404, "NotFound")
    for operation in ("Sideways", "up"):
        refused = all_client.patch(f"/v2.0/roles/43/hierarchy-level/{operation}", headers=admin)
        error(refused, 400, "BadRequest")
    assert levels(all_client, admin) == {1: 6, 35: 5, 43: 4, 2: 2}
    assert levels(all_client, bluebank) == {50: 6, 51: 3}


def test_changing_a_level_needs_wrole(all_client: TestClient) -> None:
    path = "/v2.0/roles/43/hierarchy-level/Down"
    error(all_client.patch(path, headers=app_auth(all_client, MEMBER_APP)), 403, "Forbidden")
    assert all_client.patch(path, headers=app_auth(all_client, ROLE_APP)).status_code == 204


# setRoleHierarchyExclusions


def test_exclusions_leave_the_hierarchy_and_are_replaced(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    put = all_client.put("/v2.0/roles/1/hierarchy/exclude", json=[43, 43], headers=admin)
    assert put.status_code == 204
    assert put.content == b""
    assert hierarchy_ids(all_client, admin, 1) == [35, 2]
    assert (
        all_client.put("/v2.0/roles/1/hierarchy/exclude", json=[2, 35], headers=admin).status_code
        == 204
    )
    assert hierarchy_ids(all_client, admin, 1) == [43]
    assert (
        all_client.put("/v2.0/roles/1/hierarchy/exclude", json=[], headers=admin).status_code == 204
    )
    assert hierarchy_ids(all_client, admin, 1) == [35, 43, 2]
    # Only the base's hierarchy changes.
    all_client.put("/v2.0/roles/1/hierarchy/exclude", json=[2], headers=admin)
    assert hierarchy_ids(all_client, admin, 35) == [43, 2]


def test_an_exclusion_of_a_role_not_below_takes_effect_once_it_is(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    assert (
        all_client.put("/v2.0/roles/43/hierarchy/exclude", json=[35], headers=admin).status_code
        == 204
    )
    assert hierarchy_ids(all_client, admin, 43) == [2]
    for _ in range(2):
        assert (
            all_client.patch("/v2.0/roles/35/hierarchy-level/Down", headers=admin).status_code
            == 204
        )
    assert levels(all_client, admin)[35] == 3
    assert hierarchy_ids(all_client, admin, 43) == [2]
    assert hierarchy_ids(all_client, admin, 1) == [43, 35, 2]


def test_an_exclusion_must_name_another_role_of_the_tenant(
    all_client: TestClient, admin: dict[str, str]
) -> None:
    all_client.put("/v2.0/roles/1/hierarchy/exclude", json=[2], headers=admin)
    for ids in ([1], [43, 999], [51]):
        refused = all_client.put("/v2.0/roles/1/hierarchy/exclude", json=ids, headers=admin)
        error(refused, 422, "UnprocessableEntity")
    assert hierarchy_ids(all_client, admin, 1) == [35, 43]


def test_exclusions_of_an_unknown_or_other_tenants_role_are_404(
    all_client: TestClient, admin: dict[str, str], bluebank: dict[str, str]
) -> None:
    error(
        all_client.put("/v2.0/roles/999/hierarchy/exclude", json=[], headers=admin),
        404,
        "NotFound",
    )
    error(
        all_client.put("/v2.0/roles/50/hierarchy/exclude", json=[51], headers=admin),
        404,
        "NotFound",
    )
    error(
        all_client.put("/v2.0/roles/1/hierarchy/exclude", json=[2], headers=bluebank),
        404,
        "NotFound",
    )
    assert hierarchy_ids(all_client, bluebank, 50) == [51]


def test_invalid_exclusions_are_400(all_client: TestClient, admin: dict[str, str]) -> None:
    path = "/v2.0/roles/1/hierarchy/exclude"
    for body in ({"Ids": [2]}, [0], ["x"], list(range(1, 1002)), [2147483648]):
        error(all_client.put(path, json=body, headers=admin), 400, "BadRequest")
    assert hierarchy_ids(all_client, admin, 1) == [35, 43, 2]


def test_setting_exclusions_needs_wrole(all_client: TestClient) -> None:
    path = "/v2.0/roles/35/hierarchy/exclude"
    error(
        all_client.put(path, json=[2], headers=app_auth(all_client, MEMBER_APP)), 403, "Forbidden"
    )
    role_app = app_auth(all_client, ROLE_APP)
    assert all_client.put(path, json=[2], headers=role_app).status_code == 204
    assert hierarchy_ids(all_client, role_app, 35) == [43]
