"""DFS access policies, permissions, audit contexts and back-office permissions, through the
HTTP API on both backends, with the demo data of fixtures/seed/dfs.yaml."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from tests.support.dfs import (
    ADDITIV_UID,
    ADMIN,
    MEMBER_APP,
    ROLE_APP,
    TEAM_LEADER,
    app_auth,
    identity_auth,
)
from tests.support.dfs import (
    envelope_error as error,
)

BLUEBANK_UID = "9c4e2b71-5a3d-4f86-b0e9-7d1c3a5f8e24"
BLUEBANK_ADMIN = "b1000000-0000-0000-0000-000000000001"
BLUEBANK_SERVICE = "b1000000-0000-0000-0000-000000000002"
CAPTAIN_MORGAN = "11655f64-5717-4562-b3fc-2cab3f66bb77"
UNKNOWN_UUID = "7e57e57e-0000-4000-8000-000000000000"
CONTACTS = "3d7441bf-5df7-42c1-9372-678d0787a5fe"
DATA_EXPORT = "8cd692fc-efc4-4746-8617-52c426bab0f4"
INBOX = "80fef640-c25b-466b-8744-ad405724041b"

POLICIES = [
    {"id": 1, "key": "AuthContact", "name": "AuthContact"},
    {"id": 2, "key": "AuthContactMobile", "name": "AuthContactMobile"},
    {"id": 3, "key": "AuthContactSso", "name": "AuthContactSso"},
    {"id": 4, "key": "AuthEnrollContact", "name": "AuthEnrollContact"},
    {"id": 5, "key": "AuthOnboardContact", "name": "AuthOnboardContact"},
    {"id": 6, "key": "RMember", "name": "Read members"},
    {"id": 7, "key": "WMember", "name": "Write members"},
    {"id": 8, "key": "RRole", "name": "Read roles"},
    {"id": 9, "key": "WRole", "name": "Write roles"},
]
PERMISSIONS = [
    {"id": 1, "uid": "f4644f07-26fe-4d61-a4d8-147b0ccfd164", "name": "Dashboard", "parentId": None,
     "orderIndex": 1},
    {"id": 2, "uid": "0c3814b5-55bb-412d-a116-57ae8d4b2253", "name": "Messages", "parentId": None,
     "orderIndex": 2},
    {"id": 3, "uid": INBOX, "name": "Inbox", "parentId": 2, "orderIndex": 1},
    {"id": 4, "uid": CONTACTS, "name": "Contacts", "parentId": None, "orderIndex": 3},
    {"id": 5, "uid": "a461dd13-74ec-4d63-be00-9e6c55590d4f", "name": "Enable Documents",
     "parentId": 4, "orderIndex": 2},
    {"id": 6, "uid": "85f086e1-ffc4-4986-bbfa-47fd11ff0de5", "name": "Enable Profile Picture tab",
     "parentId": 4, "orderIndex": 3},
    {"id": 7, "uid": "07ee90ed-8f7a-459b-a1fc-8b9b55b301ff", "name": "Clients", "parentId": None,
     "orderIndex": 4},
    {"id": 8, "uid": DATA_EXPORT, "name": "Enable DataExportToCSV", "parentId": 7,
     "orderIndex": 1},
]  # fmt: skip


def pascal(policies: list[dict]) -> list[dict]:
    return [{"Id": p["id"], "Key": p["key"], "Name": p["name"]} for p in policies]


def bluebank_auth(client: TestClient) -> dict[str, str]:
    return identity_auth(client, user="bluebank.admin", password="Bluebank-Demo-1")


# Access policies and permissions


def test_access_policies_are_listed_in_id_order(all_client: TestClient) -> None:
    for auth in (identity_auth(all_client), app_auth(all_client, ROLE_APP)):
        response = all_client.get("/v1.0/access-policies", headers=auth)
        assert response.status_code == 200, response.text
        assert response.json() == {"accessPolicies": POLICIES}
    refused = all_client.get("/v1.0/access-policies", headers=app_auth(all_client, MEMBER_APP))
    assert "RRole" in error(refused, 403, "Forbidden")


def test_an_access_policy_names_the_permissions_requiring_it(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    response = all_client.get("/v1.0/access-policies/1", headers=auth)
    assert response.status_code == 200, response.text
    assert response.json() == {
        **POLICIES[0],
        "description": "Access to contacts and their data in the back office.",
        "isAppOriented": False,
        "requiredByPermissions": PERMISSIONS[3:8],
    }
    app_oriented = all_client.get("/v1.0/access-policies/6", headers=auth).json()
    assert app_oriented["isAppOriented"] is True
    assert app_oriented["requiredByPermissions"] == []
    error(all_client.get("/v1.0/access-policies/10", headers=auth), 404, "NotFound")
    for bad in ("0", "-1", "2147483648"):
        error(all_client.get(f"/v1.0/access-policies/{bad}", headers=auth), 400, "BadRequest")
    refused = all_client.get("/v1.0/access-policies/1", headers=app_auth(all_client, MEMBER_APP))
    error(refused, 403, "Forbidden")


def test_permissions_are_listed_as_a_flat_tree(all_client: TestClient) -> None:
    response = all_client.get("/v1.0/permissions", headers=app_auth(all_client, ROLE_APP))
    assert response.status_code == 200, response.text
    assert response.json() == {"results": PERMISSIONS}
    refused = all_client.get("/v1.0/permissions", headers=app_auth(all_client, MEMBER_APP))
    error(refused, 403, "Forbidden")


def test_a_permission_has_its_path_and_required_policies(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    response = all_client.get("/v1.0/permissions/8", headers=auth)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": 8,
        "uid": DATA_EXPORT,
        "name": "Enable DataExportToCSV",
        "hierarchyPath": ["Clients", "Enable DataExportToCSV"],
        "requiredAccessPolicies": [POLICIES[0], POLICIES[4]],
    }
    inbox = all_client.get("/v1.0/permissions/3", headers=auth).json()
    assert inbox["hierarchyPath"] == ["Messages", "Inbox"]
    assert inbox["requiredAccessPolicies"] == [POLICIES[1]]
    root = all_client.get("/v1.0/permissions/1", headers=auth).json()
    assert (root["hierarchyPath"], root["requiredAccessPolicies"]) == (["Dashboard"], [])
    error(all_client.get("/v1.0/permissions/9", headers=auth), 404, "NotFound")
    error(all_client.get("/v1.0/permissions/0", headers=auth), 400, "BadRequest")
    refused = all_client.get("/v1.0/permissions/8", headers=app_auth(all_client, MEMBER_APP))
    error(refused, 403, "Forbidden")


def test_identity_roles_of_the_tenant_with_their_policies(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    response = all_client.get(f"/v1.0/tenants/{ADDITIV_UID}/identity-roles", headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["Result"] == "success"
    roles = body["IdentityRoles"]
    assert [role["Id"] for role in roles] == [1, 2, 35, 43]
    assert roles[0] == {
        "Id": 1,
        "Key": "System-Administrator",
        "TenantId": 2,
        "ShortName": "System-Administrator",
        "LongName": "System-Administrator",
        "AllowAllPolicies": True,
        # Every policy a role can be granted: the app-oriented ones are not.
        "AccessPolicies": pascal(POLICIES[:5]),
    }
    assert roles[1]["AccessPolicies"] == pascal(POLICIES[:1])
    assert roles[2]["Key"] == "rm"
    assert roles[2]["AllowAllPolicies"] is False
    assert roles[2]["AccessPolicies"] == pascal([POLICIES[0], POLICIES[1], POLICIES[4]])
    assert roles[3]["AccessPolicies"] == pascal(POLICIES[:2])


def test_identity_roles_are_only_those_of_the_tokens_tenant(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    for uid in (BLUEBANK_UID, UNKNOWN_UUID):
        response = all_client.get(f"/v1.0/tenants/{uid}/identity-roles", headers=auth)
        error(response, 404, "NotFound")
    bad = all_client.get("/v1.0/tenants/not-a-uuid/identity-roles", headers=auth)
    error(bad, 400, "BadRequest")
    bluebank = all_client.get(
        f"/v1.0/tenants/{BLUEBANK_UID}/identity-roles", headers=bluebank_auth(all_client)
    ).json()["IdentityRoles"]
    assert [(role["Id"], role["TenantId"]) for role in bluebank] == [(50, 3), (51, 3)]
    assert bluebank[1]["LongName"] == "Client Advisor"
    refused = all_client.get(
        f"/v1.0/tenants/{ADDITIV_UID}/identity-roles", headers=app_auth(all_client, MEMBER_APP)
    )
    error(refused, 403, "Forbidden")


def scope_path(tenant_uid: str, resource: str = "DFS.Api", scope: str = "DFS.Api.Full") -> str:
    return f"/v1.0/tenants/{tenant_uid}/resources/{resource}/scopes/{scope}/access-policies"


def test_client_apps_of_an_api_scope_with_their_policies(all_client: TestClient) -> None:
    response = all_client.get(scope_path(ADDITIV_UID), headers=app_auth(all_client, ROLE_APP))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "Result": "success",
        "AccessPolicies": {
            "dMJ8UyS8KCgsyKNC35bPYfjuZmuqFL": ["RRole", "WRole"],
            "zy4I5dHA5tjMkgaeZBNmQShGpzP8vo": ["RMember", "WMember"],
        },
    }
    bluebank = all_client.get(scope_path(BLUEBANK_UID), headers=bluebank_auth(all_client))
    assert bluebank.json()["AccessPolicies"] == {"bLu3BaNkSyNcC1i3nT0000000000aa": ["RMember"]}
    # A scope of the token service that no client app of the tenant uses.
    unused = all_client.get(
        scope_path(ADDITIV_UID, "primedocs.webapi", "pd_AdminWebApi"),
        headers=identity_auth(all_client),
    )
    assert unused.status_code == 200, unused.text
    assert unused.json() == {"Result": "success", "AccessPolicies": {}}


def test_client_access_policies_of_unknown_names_or_tenants_are_404(
    all_client: TestClient,
) -> None:
    auth = identity_auth(all_client)
    for path in (
        scope_path(BLUEBANK_UID),
        scope_path(UNKNOWN_UUID),
        scope_path(ADDITIV_UID, resource="dfs.api"),
        scope_path(ADDITIV_UID, scope="DFS.Api.Nothing"),
        scope_path(ADDITIV_UID, resource="primedocs.webapi"),
    ):
        error(all_client.get(path, headers=auth), 404, "NotFound")
    error(all_client.get(scope_path("x"), headers=auth), 400, "BadRequest")
    too_long = all_client.get(scope_path(ADDITIV_UID, resource="r" * 201), headers=auth)
    error(too_long, 400, "BadRequest")
    refused = all_client.get(scope_path(ADDITIV_UID), headers=app_auth(all_client, MEMBER_APP))
    error(refused, 403, "Forbidden")


def check_path(role_id: int | str) -> str:
    return f"/v1.0/roles/{role_id}/required-access-policies/check"


def test_a_role_lacking_required_policies_is_told_which(all_client: TestClient) -> None:
    auth = app_auth(all_client, ROLE_APP)
    body = {"permissionsUids": [CONTACTS, DATA_EXPORT, CONTACTS]}
    response = all_client.post(check_path(43), json=body, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json() == {"isSufficient": False, "missingAccessPolicies": [POLICIES[4]]}
    for role_id in (35, 1):  # rm holds them; admin allows all policies
        sufficient = all_client.post(check_path(role_id), json=body, headers=auth).json()
        assert sufficient == {"isSufficient": True, "missingAccessPolicies": []}
    general_manager = all_client.post(
        check_path(2), json={"permissionsUids": [INBOX, DATA_EXPORT]}, headers=auth
    ).json()
    assert general_manager["missingAccessPolicies"] == [POLICIES[1], POLICIES[4]]
    nothings: list[dict] = [{}, {"permissionsUids": None}, {"permissionsUids": []}]
    for nothing in nothings:
        checked = all_client.post(check_path(2), json=nothing, headers=auth).json()
        assert checked == {"isSufficient": True, "missingAccessPolicies": []}


def test_checking_policies_of_unknown_roles_or_permissions(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    body = {"permissionsUids": [CONTACTS]}
    for role_id in (50, 9999):  # 50 is Bluebank's
        error(all_client.post(check_path(role_id), json=body, headers=auth), 404, "NotFound")
    unknown = {"permissionsUids": [CONTACTS, UNKNOWN_UUID]}
    message = error(all_client.post(check_path(43), json=unknown, headers=auth), 422,
                    "UnprocessableEntity")  # fmt: skip
    assert UNKNOWN_UUID in message
    for bad in ({"permissionsUids": ["nope"]}, {"permissionsUids": [CONTACTS] * 501}):
        error(all_client.post(check_path(43), json=bad, headers=auth), 400, "BadRequest")
    error(all_client.post(check_path(2**31), json=body, headers=auth), 400, "BadRequest")
    no_body = all_client.post(check_path(43), headers={**auth, "Content-Type": "application/json"})
    error(no_body, 400, "BadRequest")
    refused = all_client.post(check_path(43), json=body, headers=app_auth(all_client, MEMBER_APP))
    error(refused, 403, "Forbidden")


# Audit contexts

AUDIT = "/v3.0/audit-context/generate"


def test_audit_contexts_are_numbered_from_1001_across_tenants(all_client: TestClient) -> None:
    auth = app_auth(all_client, MEMBER_APP)
    first = all_client.post(AUDIT, json={}, headers=auth)
    assert first.status_code == 200, first.text
    assert first.json() == {
        "AuditContextId": 1001,
        "TenantId": 2,
        "TenantKey": "Additiv",
        "TenantUid": ADDITIV_UID,
        "MemberIds": [],
    }
    bluebank = all_client.post(AUDIT, json={}, headers=bluebank_auth(all_client)).json()
    assert (bluebank["AuditContextId"], bluebank["TenantId"]) == (1002, 3)
    assert bluebank["TenantKey"] == "Bluebank"
    assert bluebank["TenantUid"] == BLUEBANK_UID
    third = all_client.post(AUDIT, json={"PersonIds": None, "InternalIds": None}, headers=auth)
    assert third.json()["AuditContextId"] == 1003


def test_concurrent_audit_contexts_get_distinct_ids(all_client: TestClient) -> None:
    auth = app_auth(all_client, MEMBER_APP)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: all_client.post(AUDIT, json={}, headers=auth), range(12)))
    assert [answer.status_code for answer in answers] == [200] * 12
    assert sorted(answer.json()["AuditContextId"] for answer in answers) == list(range(1001, 1013))


def test_audit_ids_start_after_1000_even_where_the_sequence_was_never_moved(
    all_app: Any, all_client: TestClient, backend: str
) -> None:
    # As in a PostgreSQL database that got its tables but not the demo data's sequence move.
    if backend == "postgresql":
        with all_app.services.store.engine.begin() as connection:
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('dfs_audit_contexts', 'id'), 1, false)")
            )
    auth = app_auth(all_client, MEMBER_APP)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: all_client.post(AUDIT, json={}, headers=auth), range(8)))
    assert sorted(answer.json()["AuditContextId"] for answer in answers) == list(range(1001, 1009))


def test_an_audit_context_names_the_members_of_the_identities(all_client: TestClient) -> None:
    body = {
        "Createdby": "BackOffice",
        "AuthorizedAppId": "jGER285mdgZuDq50PadB1ITWv3tM9Y",
        "PersonIds": [1, 55],
        "InternalIds": [TEAM_LEADER, ADMIN, TEAM_LEADER],
    }
    response = all_client.post(AUDIT, json=body, headers=identity_auth(all_client))
    assert response.status_code == 200, response.text
    assert response.json()["MemberIds"] == [6, 1]
    # Any casing of the names binds; a client app of the tenant may be named.
    app = all_client.post(
        AUDIT,
        json={"authorizedAppId": "dMJ8UyS8KCgsyKNC35bPYfjuZmuqFL", "internalids": [ADMIN]},
        headers=app_auth(all_client, MEMBER_APP),
    )
    assert app.status_code == 200, app.text
    assert app.json()["MemberIds"] == [1]
    # An identity without a member adds none.
    service = all_client.post(
        AUDIT, json={"InternalIds": [BLUEBANK_SERVICE]}, headers=bluebank_auth(all_client)
    )
    assert service.json()["MemberIds"] == []


def test_an_audit_context_of_unknown_persons_or_apps_is_422(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    for body, name in (
        ({"PersonIds": [1, 101]}, "101"),  # 101 is a member of Bluebank
        ({"PersonIds": [1021]}, "1021"),
        ({"InternalIds": [ADMIN, BLUEBANK_ADMIN]}, BLUEBANK_ADMIN),
        ({"InternalIds": [UNKNOWN_UUID]}, UNKNOWN_UUID),
        ({"AuthorizedAppId": "bLu3BaNkSyNcC1i3nT0000000000aa"}, "bLu3BaNkSyNcC1i3nT0000000000aa"),
    ):
        message = error(all_client.post(AUDIT, json=body, headers=auth), 422,
                        "UnprocessableEntity")  # fmt: skip
        assert name in message
    # Nothing was generated by the refused requests.
    assert all_client.post(AUDIT, json={}, headers=auth).json()["AuditContextId"] == 1001


def test_malformed_audit_context_requests_are_400(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    malformed: list[object] = [
        {"PersonIds": [0]},
        {"PersonIds": ["x"]},
        {"InternalIds": ["not-a-uuid"]},
        {"Createdby": "c" * 201},
        {"Createdby": ""},
        {"PersonIds": [1] * 1001},
        [],
    ]
    for body in malformed:
        error(all_client.post(AUDIT, json=body, headers=auth), 400, "BadRequest")
    no_body = all_client.post(AUDIT, headers={**auth, "Content-Type": "application/json"})
    error(no_body, 400, "BadRequest")
    refused = all_client.post(AUDIT, json={}, headers=app_auth(all_client, ROLE_APP))
    assert "WMember" in error(refused, 403, "Forbidden")


# Back-office permissions


def test_the_back_office_catalogue(all_client: TestClient) -> None:
    response = all_client.get(
        "/v1.0/back-office-permissions", headers={**identity_auth(all_client),
                                                  "Accept-Language": "de"}
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["Id"] for item in body["MenuItems"]] == [11, 12, 13, 27, 34, 2453]
    assert body["MenuItems"][0] == {
        "Id": 11,
        "Name": "Dashboard",
        "Description": "",
        "PageLink": "/Dashboard/Index",
        "MenuTypeId": 1,
        "PermissionUid": "f4644f07-26fe-4d61-a4d8-147b0ccfd164",
    }
    assert body["MenuItems"][2]["ParentId"] == 12
    assert body["MenuItems"][2]["Description"] == "Inbox page"
    assert body["FunctionalityGroups"] == [
        {
            "Id": 20,
            "Name": "Contacts",
            "SortOrder": 1,
            "PermissionUid": CONTACTS,
            "Functionalities": [
                {"Id": 101, "Name": "Enable Documents", "Key": "EnableDocuments",
                 "SortOrder": 2, "PermissionUid": "a461dd13-74ec-4d63-be00-9e6c55590d4f"},
                {"Id": 102, "Name": "Enable Profile Picture tab",
                 "Key": "EnableProfilePictureTab", "SortOrder": 3,
                 "PermissionUid": "85f086e1-ffc4-4986-bbfa-47fd11ff0de5"},
                {"Id": 71, "Name": "Enable Contact Notes", "Key": "EnableContactNotes",
                 "SortOrder": 4, "PermissionUid": CONTACTS},
            ],
        },
        {
            "Id": 21,
            "Name": "Clients",
            "SortOrder": 2,
            "PermissionUid": "07ee90ed-8f7a-459b-a1fc-8b9b55b301ff",
            "Functionalities": [
                {"Id": 103, "Name": "Enable DataExportToCSV", "Key": "EnableDataExportToCSV",
                 "SortOrder": 1, "PermissionUid": DATA_EXPORT},
                {"Id": 72, "Name": "Enable Client Reports", "Key": "EnableClientReports",
                 "SortOrder": 2, "PermissionUid": "07ee90ed-8f7a-459b-a1fc-8b9b55b301ff"},
            ],
        },
    ]  # fmt: skip
    refused = all_client.get(
        "/v1.0/back-office-permissions", headers=app_auth(all_client, MEMBER_APP)
    )
    error(refused, 403, "Forbidden")


def role_path(role_id: int | str) -> str:
    return f"/v1.0/roles/{role_id}/back-office-permissions"


def identity_path(identity_id: str) -> str:
    return f"/v1.0/identities/{identity_id}/back-office-permissions"


def permissions(default: int | None, items: list[int], functionalities: list[int]) -> dict:
    return {"DefaultMenuItemId": default, "MenuItemIds": items, "FunctionalityIds": functionalities}


def test_back_office_permissions_of_roles(all_client: TestClient) -> None:
    auth = app_auth(all_client, ROLE_APP)
    response = all_client.get(role_path(43), headers=auth)
    assert response.status_code == 200, response.text
    assert response.json() == permissions(12, [11, 12, 13], [101, 102, 103])
    assert all_client.get(role_path(2), headers=auth).json() == permissions(11, [11], [103])
    for role_id in (50, 9999):
        error(all_client.get(role_path(role_id), headers=auth), 404, "NotFound")
    error(all_client.get(role_path(0), headers=auth), 400, "BadRequest")
    refused = all_client.get(role_path(43), headers=app_auth(all_client, MEMBER_APP))
    error(refused, 403, "Forbidden")


def test_a_roles_back_office_permissions_are_patched(all_client: TestClient) -> None:
    auth = app_auth(all_client, ROLE_APP)
    changed = all_client.patch(role_path(43), json={"MenuItemIds": [13, 11, 13]}, headers=auth)
    assert changed.status_code == 204, changed.text
    assert changed.content == b""
    assert all_client.get(role_path(43), headers=auth).json() == permissions(
        12, [11, 13], [101, 102, 103]
    )
    for body in ({}, {"DefaultMenuItemId": None, "MenuItemIds": None}):
        assert all_client.patch(role_path(43), json=body, headers=auth).status_code == 204
    both = {"DefaultMenuItemId": 13, "FunctionalityIds": []}
    assert all_client.patch(role_path(43), json=both, headers=auth).status_code == 204
    assert all_client.get(role_path(43), headers=auth).json() == permissions(13, [11, 13], [])
    # Identities of the role without their own permissions follow it; Captain Morgan's own
    # permissions override those of his role (1), which stays as it was.
    identity = all_client.get(identity_path(TEAM_LEADER), headers=identity_auth(all_client))
    assert identity.json() == permissions(13, [11, 13], [])
    admin = all_client.get(role_path(1), headers=auth).json()
    assert admin == permissions(11, [11, 12, 13], [101, 102, 103])


def test_patching_a_roles_back_office_permissions_is_checked(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    for body, name in (
        ({"DefaultMenuItemId": 14}, "14"),
        ({"MenuItemIds": [11, 101]}, "101"),
        ({"FunctionalityIds": [101, 11]}, "11"),
    ):
        message = error(all_client.patch(role_path(43), json=body, headers=auth), 422,
                        "UnprocessableEntity")  # fmt: skip
        assert name in message
    assert all_client.get(role_path(43), headers=auth).json() == permissions(
        12, [11, 12, 13], [101, 102, 103]
    )
    for role_id in (50, 9999):
        error(all_client.patch(role_path(role_id), json={}, headers=auth), 404, "NotFound")
    bad_bodies: list[dict] = [
        {"MenuItemIds": [0]},
        {"MenuItemIds": [11] * 1001},
        {"DefaultMenuItemId": "x"},
    ]
    for bad in bad_bodies:
        error(all_client.patch(role_path(43), json=bad, headers=auth), 400, "BadRequest")
    no_body = all_client.patch(role_path(43), headers={**auth, "Content-Type": "application/json"})
    error(no_body, 400, "BadRequest")
    refused = all_client.patch(role_path(43), json={}, headers=app_auth(all_client, MEMBER_APP))
    assert "WRole" in error(refused, 403, "Forbidden")


def test_back_office_permissions_of_identities(all_client: TestClient) -> None:
    auth = app_auth(all_client, MEMBER_APP)
    own = all_client.get(identity_path(CAPTAIN_MORGAN), headers=auth)
    assert own.status_code == 200, own.text
    assert own.json() == permissions(12, [12, 13], [101])
    of_role = all_client.get(identity_path(TEAM_LEADER), headers=auth).json()
    assert of_role == permissions(12, [11, 12, 13], [101, 102, 103])
    for identity_id in (BLUEBANK_ADMIN, UNKNOWN_UUID):
        error(all_client.get(identity_path(identity_id), headers=auth), 404, "NotFound")
    error(all_client.get(identity_path("x"), headers=auth), 400, "BadRequest")
    bluebank = all_client.get(identity_path(BLUEBANK_ADMIN), headers=bluebank_auth(all_client))
    assert bluebank.json() == permissions(11, [11, 12, 13], [101, 102, 103])
    refused = all_client.get(identity_path(ADMIN), headers=app_auth(all_client, ROLE_APP))
    assert "RMember" in error(refused, 403, "Forbidden")


def test_an_identitys_own_permissions_override_its_roles(all_client: TestClient) -> None:
    auth = app_auth(all_client, MEMBER_APP)
    changed = all_client.patch(
        identity_path(TEAM_LEADER), json={"FunctionalityIds": [103]}, headers=auth
    )
    assert changed.status_code == 204, changed.text
    # Started from the role's permissions, with the list given replaced.
    expected = permissions(12, [11, 12, 13], [103])
    assert all_client.get(identity_path(TEAM_LEADER), headers=auth).json() == expected
    role_auth = app_auth(all_client, ROLE_APP)
    assert all_client.get(role_path(43), headers=role_auth).json() == permissions(
        12, [11, 12, 13], [101, 102, 103]
    )
    # A later change of the role no longer reaches the identity.
    all_client.patch(role_path(43), json={"MenuItemIds": []}, headers=role_auth)
    assert all_client.get(identity_path(TEAM_LEADER), headers=auth).json() == expected
    again = all_client.patch(
        identity_path(CAPTAIN_MORGAN), json={"DefaultMenuItemId": 13}, headers=auth
    )
    assert again.status_code == 204
    assert all_client.get(identity_path(CAPTAIN_MORGAN), headers=auth).json() == permissions(
        13, [12, 13], [101]
    )


def test_patching_an_identitys_permissions_is_checked(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    unknown = all_client.patch(identity_path(ADMIN), json={"MenuItemIds": [99]}, headers=auth)
    assert "99" in error(unknown, 422, "UnprocessableEntity")
    # The refused change left the admin without permissions of his own: his role's still apply.
    role_auth = app_auth(all_client, ROLE_APP)
    all_client.patch(role_path(1), json={"FunctionalityIds": [102]}, headers=role_auth)
    assert all_client.get(identity_path(ADMIN), headers=auth).json()["FunctionalityIds"] == [102]
    for identity_id in (BLUEBANK_ADMIN, UNKNOWN_UUID):
        response = all_client.patch(identity_path(identity_id), json={}, headers=auth)
        error(response, 404, "NotFound")
    error(all_client.patch(identity_path("x"), json={}, headers=auth), 400, "BadRequest")
    bad = all_client.patch(identity_path(ADMIN), json={"FunctionalityIds": [-1]}, headers=auth)
    error(bad, 400, "BadRequest")
    refused = all_client.patch(
        identity_path(ADMIN), json={}, headers=app_auth(all_client, ROLE_APP)
    )
    assert "WMember" in error(refused, 403, "Forbidden")


# Identity provider settings


def test_identity_provider_settings_by_provider_id(all_client: TestClient) -> None:
    response = all_client.get(
        "/v1.0/identities/provider-setting/1", headers=app_auth(all_client, MEMBER_APP)
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "Id": 1,
        "ProviderId": 1,
        "ProviderTypeId": 1,
        "Name": "Idsrv",
        "DisplayName": "DFS.Identity",
        "IsEnabled": True,
        "IsDefault": True,
        "CreatedDate": "2024-01-22T09:44:04.0650350Z",
        "LastUpdatedDate": "2024-01-22T09:44:04.0650350Z",
    }
    bluebank = all_client.get(
        "/v1.0/identities/provider-setting/1", headers=bluebank_auth(all_client)
    ).json()
    assert (bluebank["Id"], bluebank["LastUpdatedDate"]) == (2, None)
    assert bluebank["CreatedDate"] == "2024-03-04T08:15:00.0000000Z"


@pytest.mark.parametrize(("provider", "status"), [("2", 404), ("0", 400), ("2147483648", 400)])
def test_unknown_or_malformed_provider_ids(
    all_client: TestClient, provider: str, status: int
) -> None:
    response = all_client.get(
        f"/v1.0/identities/provider-setting/{provider}", headers=identity_auth(all_client)
    )
    error(response, status, "NotFound" if status == 404 else "BadRequest")


def test_provider_settings_need_rmember(all_client: TestClient) -> None:
    response = all_client.get(
        "/v1.0/identities/provider-setting/1", headers=app_auth(all_client, ROLE_APP)
    )
    assert "RMember" in error(response, 403, "Forbidden")
