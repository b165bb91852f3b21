"""Tenant isolation of the DFS Admin Services API: a token of one tenant never sees, changes or
learns of another tenant's data; such ids are answered exactly as ids that never existed.

One case per (operation, id it takes): the administrator of one tenant sends a valid request
naming a thing of the other tenant, then the same request naming a thing that never existed.
Both must get the status the spec gives for an unknown id (404 for a path id; for a body id
422, or for a search filter simply no match), with the same `Code`, `SubCode` and message (the
id itself aside), and the whole database must be as before. A guard test derives from the spec
every path parameter and every id property of a request body, so that an operation added later
cannot go without its case.
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
import sqlalchemy as sa
import yaml
from httpx2 import Response
from starlette.testclient import TestClient

from specserve.contract import HTTP_METHODS, resolve_refs
from specserve.settings import PROJECT_ROOT
from store.dfs.models import ProviderSetting
from tests.support.dfs import ADDITIV_UID, ADMIN, BILL_DOE

# Things of tenant 2 (Additiv), from fixtures/seed/dfs.yaml.
ADDITIV_TENANT = 2
# Captain Morgan has back-office permissions of his own (overriding his role's).
CAPTAIN = "11655f64-5717-4562-b3fc-2cab3f66bb77"
BILL_DOE_MEMBER = 16
ADDITIV_ADMIN_ROLE = 1
RELATIONSHIP_MANAGER = 35
GENERAL_MANAGER = 2
ADDITIV_PARTICIPANT = 1
ADDITIV_BRANCH = 1
ADDITIV_APP = "jGER285mdgZuDq50PadB1ITWv3tM9Y"

# Things of tenant 3 (Bluebank).
BLUEBANK_TENANT = 3
ANNA = "b1000000-0000-0000-0000-000000000001"
BLUEBANK_ADMIN_ROLE = 50
ADVISOR = 51
BLUEBANK_PARTICIPANT = 8
# Registered for tenant 3 by its app access policies.
BLUEBANK_APP = "bLu3BaNkSyNcC1i3nT0000000000aa"

# Never existed anywhere (int32 and uuid, as the spec's parameters require).
NO_ID = 999_999
NO_UUID = "0badc0de-0000-4000-8000-000000000000"
NO_TENANT = 999
NO_APP = "NoSuchApp00000000000000000000x"

# A JPEG as short as the store accepts: its start and end markers.
TINY_JPEG_B64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2Q=="
INCLUDE_ALL = {"SearchByAllTenants": True, "SearchByInactive": True, "SearchBySystemAccounts": True}
SPEC = PROJECT_ROOT / "specs" / "dfs-admin.yaml"


# Cases


@dataclass(frozen=True)
class Setup:
    """What a case may use to make the thing it names, before the database is compared."""

    client: TestClient
    admin: dict[str, str]
    bluebank: dict[str, str]
    database: Database


Id = int | str


class _Slot:
    """Where a case's request takes the id under test (the other tenant's, or none's)."""

    def __repr__(self) -> str:
        return "ID"


ID = _Slot()


@dataclass(frozen=True)
class Case:
    operation_id: str
    # What the id is: "path:<parameter>" or "body:<property>" ("body:[]": the body is the list).
    target: str
    method: str
    # "{id}" marks the id in the path; ID marks it in the body.
    path: str
    body: Any = None
    # The other tenant's thing: a value, or made by the case (things the seed lacks).
    foreign: Id | Callable[[Setup], Id] = field(kw_only=True)
    absent: Id = NO_ID
    # 404 or 422: an error in the DFS envelope; 200: a search or check finding nothing.
    status: int = 404
    caller: Literal["bluebank", "admin"] = "bluebank"
    marks: tuple[Any, ...] = field(default=())

    @property
    def case_id(self) -> str:
        direction = "" if self.caller == "bluebank" else "-by-additiv"
        return f"{self.operation_id}-{self.target}{direction}"

    def request(self, client: TestClient, headers: dict[str, str], value: Id) -> Response:
        return client.request(
            self.method,
            self.path.replace("{id}", str(value)),
            headers=headers,
            json=_filled(self.body, value),
        )


def _filled(body: Any, value: Id) -> Any:
    if body is ID:
        return value
    if isinstance(body, dict):
        return {key: _filled(item, value) for key, item in body.items()}
    if isinstance(body, list):
        return [_filled(item, value) for item in body]
    return body


def unused_additiv_role(setup: Setup) -> Id:
    """A role of Additiv that no identity holds: every seeded role is in use, and a delete
    would be refused (422) before the tenant even mattered."""
    response = setup.client.post("/v2.0/roles", json={"ShortName": "Probe"}, headers=setup.admin)
    assert response.status_code == 200, response.text
    return int(response.json()["Id"])


def finished_additiv_member_operation(setup: Setup) -> Id:
    """A long-running import of Additiv, waited for: its run writes in a thread of its own,
    which must be done before the database is compared."""
    response = setup.client.post("/v1.0/identities/import-members", headers=setup.admin)
    assert response.status_code == 200, response.text
    operation_id = str(response.json()["longRunningRequestId"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = setup.client.get(
            f"/v1.0/identities/member-operations/{operation_id}", headers=setup.admin
        )
        assert status.status_code == 200, status.text
        if status.json()["status"] in ("Succeeded", "Failed"):
            return operation_id
        time.sleep(0.05)
    pytest.fail(f"the member operation {operation_id} did not end within ten seconds")


def additiv_only_provider(setup: Setup) -> Id:
    """A provider id that only Additiv has a setting for: both seeded tenants have provider 1,
    each its own setting, so no seeded provider id is the other tenant's alone. No operation
    creates settings, hence the row is written directly."""
    with setup.database.engine.begin() as connection:
        connection.execute(
            sa.insert(ProviderSetting).values(
                id=77,
                tenant_id=ADDITIV_TENANT,
                provider_id=77,
                provider_type_id=1,
                name="Probe",
                display_name="Probe",
                is_enabled=True,
                is_default=False,
                created_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
            )
        )
    return 77


CHECK_PATH = "/v1.0/roles/{id}/required-access-policies/check"
SCOPE_PATH = "/v1.0/tenants/{id}/resources/DFS.Api/scopes/DFS.Api.Full/access-policies"
# The Bluebank administrator names Additiv's things (and, where Additiv's administrator has a
# power of its own, `SearchByAllTenants`, the converse).
PATH_CASES = [
    Case("getTenantIdentityRolesWithAccessPolicies", "path:tenantUid", "GET",
         "/v1.0/tenants/{id}/identity-roles", foreign=ADDITIV_UID, absent=NO_UUID),
    Case("getClientAccessPoliciesByApiScope", "path:tenantUid", "GET", SCOPE_PATH,
         foreign=ADDITIV_UID, absent=NO_UUID),
    Case("checkRoleRequiredAccessPolicies", "path:roleId", "POST", CHECK_PATH,
         {"permissionsUids": ["a461dd13-74ec-4d63-be00-9e6c55590d4f"]},
         foreign=RELATIONSHIP_MANAGER),
    Case("getIdentityProviderSetting", "path:providerId", "GET",
         "/v1.0/identities/provider-setting/{id}", foreign=additiv_only_provider),
    Case("getRoleBackOfficePermissions", "path:roleId", "GET",
         "/v1.0/roles/{id}/back-office-permissions", foreign=RELATIONSHIP_MANAGER),
    Case("updateRoleBackOfficePermissions", "path:roleId", "PATCH",
         "/v1.0/roles/{id}/back-office-permissions",
         {"DefaultMenuItemId": 13, "MenuItemIds": [13], "FunctionalityIds": []},
         foreign=RELATIONSHIP_MANAGER),
    Case("getIdentityBackOfficePermissions", "path:identityId", "GET",
         "/v1.0/identities/{id}/back-office-permissions", foreign=CAPTAIN, absent=NO_UUID),
    Case("getIdentityBackOfficePermissions", "path:identityId", "GET",
         "/v1.0/identities/{id}/back-office-permissions", foreign=ANNA, absent=NO_UUID,
         caller="admin"),
    Case("updateIdentityBackOfficePermissions", "path:identityId", "PATCH",
         "/v1.0/identities/{id}/back-office-permissions", {"FunctionalityIds": []},
         foreign=CAPTAIN, absent=NO_UUID),
    Case("getIdentityProfilePicture", "path:identityId", "GET",
         "/v1.0/identities/{id}/profilepicture", foreign=ADMIN, absent=NO_UUID),
    Case("uploadIdentityProfilePicture", "path:identityId", "PUT",
         "/v1.0/identities/{id}/profilepicture", {"ImageContentBase64": TINY_JPEG_B64},
         foreign=ADMIN, absent=NO_UUID),
    # The Additiv administrator has a picture: a leak would remove it.
    Case("deleteIdentityProfilePicture", "path:identityId", "DELETE",
         "/v1.0/identities/{id}/profilepicture", foreign=ADMIN, absent=NO_UUID),
    Case("getIdentity", "path:identityId", "GET", "/v1.0/identities/{id}",
         foreign=BILL_DOE, absent=NO_UUID),
    Case("getIdentity", "path:identityId", "GET", "/v1.0/identities/{id}",
         foreign=ANNA, absent=NO_UUID, caller="admin"),
    Case("getIdentityAccessPolicies", "path:identityId", "GET",
         "/v1.0/identities/{id}/access-policies", foreign=BILL_DOE, absent=NO_UUID),
    Case("getIdentityHierarchy", "path:identityId", "GET", "/v1.0/identities/{id}/hierarchy",
         foreign=ADMIN, absent=NO_UUID),
    Case("checkIdentityPersonAccess", "path:identityId", "GET",
         f"/v1.0/identities/{{id}}/hierarchy/{BILL_DOE_MEMBER}/exists",
         foreign=ADMIN, absent=NO_UUID),
    # Bill Doe's member is below Anna's level: only the tenant keeps it out of her hierarchy.
    Case("checkIdentityPersonAccess", "path:personId", "GET",
         f"/v1.0/identities/{ANNA}/hierarchy/{{id}}/exists",
         foreign=BILL_DOE_MEMBER, status=200),
    Case("checkIdentityPersonAccessByUid", "path:identityId", "GET",
         f"/v1.0/identities/{{id}}/hierarchy/person-uid/{BILL_DOE}/exists",
         foreign=ADMIN, absent=NO_UUID),
    Case("checkIdentityPersonAccessByUid", "path:personUId", "GET",
         f"/v1.0/identities/{ANNA}/hierarchy/person-uid/{{id}}/exists",
         foreign=BILL_DOE, absent=NO_UUID, status=200),
    Case("updateIdentityV13", "path:identityId", "PATCH", "/v1.3/identities/{id}",
         {"UpdateProperties": ["Description"], "Description": "Changed by another tenant"},
         foreign=BILL_DOE, absent=NO_UUID),
    Case("setIdentityTenantAccess", "path:identityId", "PATCH",
         f"/v1.0/tenants/{BLUEBANK_TENANT}/identities/{{id}}/access",
         {"IsEnabled": True, "IdentityRoleId": ADVISOR}, foreign=BILL_DOE, absent=NO_UUID),
    # Anna (Bluebank) given the administrator role of Additiv, by Bluebank's administrator.
    Case("setIdentityTenantAccess", "path:tenantId", "PATCH",
         f"/v1.0/tenants/{{id}}/identities/{ANNA}/access",
         {"IsEnabled": True, "IdentityRoleId": ADDITIV_ADMIN_ROLE},
         foreign=ADDITIV_TENANT, absent=NO_TENANT),
    Case("setIdentityHierarchyExclusions", "path:identityId", "PUT",
         "/v1.0/identities/{id}/hierarchy/exclude", [BILL_DOE], foreign=ADMIN, absent=NO_UUID),
    Case("syncIdentityMember", "path:identityId", "POST", "/v3.1/identities/{id}/sync-member",
         {"Member": {"Description": "Synced by another tenant"}}, foreign=BILL_DOE,
         absent=NO_UUID),
    Case("getMemberOperationStatus", "path:longRunningRequestId", "GET",
         "/v1.0/identities/member-operations/{id}", foreign=finished_additiv_member_operation,
         absent=NO_UUID),
    Case("getMember", "path:memberId", "GET", "/v1.0/members/{id}", foreign=BILL_DOE_MEMBER),
    Case("deleteRole", "path:roleId", "DELETE", "/v2.0/roles/{id}", foreign=unused_additiv_role),
    Case("getRole", "path:roleId", "GET", "/v2.0/roles/{id}", foreign=RELATIONSHIP_MANAGER),
    Case("updateRole", "path:roleId", "PATCH", "/v2.0/roles/{id}",
         {"LongName": "Renamed by another tenant", "AllowAllPolicies": True},
         foreign=RELATIONSHIP_MANAGER),
    Case("getRoleHierarchy", "path:roleId", "GET", "/v2.0/roles/{id}/hierarchy",
         foreign=RELATIONSHIP_MANAGER),
    Case("changeRoleHierarchyLevel", "path:roleId", "PATCH", "/v2.0/roles/{id}/hierarchy-level/Up",
         foreign=RELATIONSHIP_MANAGER),
    Case("setRoleHierarchyExclusions", "path:roleId", "PUT", "/v2.0/roles/{id}/hierarchy/exclude",
         [GENERAL_MANAGER], foreign=ADDITIV_ADMIN_ROLE),
    Case("getParticipant", "path:participantId", "GET", "/v1.0/participants/{id}",
         foreign=ADDITIV_PARTICIPANT),
    Case("updateParticipant", "path:participantId", "PATCH", "/v1.0/participants/{id}",
         {"name": "Renamed by another tenant", "isActive": False, "identityInternalUserIds": []},
         foreign=ADDITIV_PARTICIPANT),
    Case("associateApplicationParticipants", "path:applicationId", "POST",
         "/v1.0/applications/{id}/participants", {"participantIds": [BLUEBANK_PARTICIPANT]},
         foreign=ADDITIV_APP, absent=NO_APP),
]  # fmt: skip

# Ids in request bodies: the spec answers 422 for an unknown one, and a search simply matches
# nothing; the other tenant's must be answered alike.
BODY_CASES = [
    Case("generateAuditContext", "body:PersonIds", "POST", "/v3.0/audit-context/generate",
         {"PersonIds": [ID]}, foreign=BILL_DOE_MEMBER, status=422),
    Case("generateAuditContext", "body:InternalIds", "POST", "/v3.0/audit-context/generate",
         {"InternalIds": [ID]}, foreign=BILL_DOE, absent=NO_UUID, status=422),
    Case("generateAuditContext", "body:AuthorizedAppId", "POST", "/v3.0/audit-context/generate",
         {"Createdby": "BackOffice", "AuthorizedAppId": ID}, foreign=ADDITIV_APP, absent=NO_APP,
         status=422),
    Case("syncIdentityMember", "body:Member.BankBranchId", "POST",
         f"/v3.1/identities/{ANNA}/sync-member", {"Member": {"BankBranchId": ID}},
         foreign=ADDITIV_BRANCH, status=422),
    Case("syncIdentityMember", "body:Context.AuthorizedAppId", "POST",
         f"/v3.1/identities/{ANNA}/sync-member", {"Context": {"AuthorizedAppId": ID}},
         foreign=ADDITIV_APP, absent=NO_APP, status=422),
    Case("updateIdentityV13", "body:IdentityRoleId", "PATCH", f"/v1.3/identities/{ANNA}",
         {"UpdateProperties": ["IdentityRoleId"], "IdentityRoleId": ID},
         foreign=ADDITIV_ADMIN_ROLE, status=422),
    Case("updateIdentityV13", "body:ParticipantIds", "PATCH", f"/v1.3/identities/{ANNA}",
         {"UpdateProperties": ["ParticipantIds"], "ParticipantIds": [ID]},
         foreign=ADDITIV_PARTICIPANT, status=422),
    Case("updateIdentityV13", "body:BankBranchId", "PATCH", f"/v1.3/identities/{ANNA}",
         {"UpdateProperties": ["BankBranchId"], "BankBranchId": ID},
         foreign=ADDITIV_BRANCH, status=422),
    Case("createIdentityV12", "body:IdentityRoleId", "POST", "/v1.2/identities",
         {"FirstName": "Eve", "LastName": "Probe", "Username": "eprobe", "IdentityRoleId": ID},
         foreign=ADDITIV_ADMIN_ROLE, status=422),
    Case("createIdentityV12", "body:ParticipantIds", "POST", "/v1.2/identities",
         {"FirstName": "Eve", "LastName": "Probe", "Username": "eprobe",
          "IdentityRoleId": ADVISOR, "ParticipantIds": [ID]},
         foreign=ADDITIV_PARTICIPANT, status=422),
    Case("createIdentityV12", "body:BankBranchId", "POST", "/v1.2/identities",
         {"FirstName": "Eve", "LastName": "Probe", "Username": "eprobe",
          "IdentityRoleId": ADVISOR, "BankBranchId": ID},
         foreign=ADDITIV_BRANCH, status=422),
    Case("setIdentityTenantAccess", "body:IdentityRoleId", "PATCH",
         f"/v1.0/tenants/{BLUEBANK_TENANT}/identities/{ANNA}/access",
         {"IsEnabled": True, "IdentityRoleId": ID}, foreign=ADDITIV_ADMIN_ROLE, status=422),
    Case("setIdentityHierarchyExclusions", "body:[]", "PUT",
         f"/v1.0/identities/{ANNA}/hierarchy/exclude", [ID], foreign=BILL_DOE, absent=NO_UUID,
         status=422),
    Case("setRoleHierarchyExclusions", "body:[]", "PUT",
         f"/v2.0/roles/{BLUEBANK_ADMIN_ROLE}/hierarchy/exclude", [ID],
         foreign=RELATIONSHIP_MANAGER, status=422),
    Case("createParticipant", "body:identityInternalUserIds", "POST", "/v1.0/participants",
         {"name": "Probe", "identityInternalUserIds": [ID]}, foreign=BILL_DOE, absent=NO_UUID,
         status=422),
    Case("updateParticipant", "body:identityInternalUserIds", "PATCH",
         f"/v1.0/participants/{BLUEBANK_PARTICIPANT}", {"identityInternalUserIds": [ID]},
         foreign=BILL_DOE, absent=NO_UUID, status=422),
    Case("associateApplicationParticipants", "body:participantIds", "POST",
         f"/v1.0/applications/{BLUEBANK_APP}/participants", {"participantIds": [ID]},
         foreign=ADDITIV_PARTICIPANT, status=422),
    Case("searchIdentities", "body:IdentityIds", "POST", "/v1.0/identities/search",
         {"IdentityIds": [ID], **INCLUDE_ALL}, foreign=BILL_DOE, absent=NO_UUID, status=200),
    # Additiv's administrator may search "all tenants" (`sees_all_tenants` in the seed).
    Case("searchIdentities", "body:IdentityIds", "POST", "/v1.0/identities/search",
         {"IdentityIds": [ID], **INCLUDE_ALL}, foreign=ANNA, absent=NO_UUID, status=200,
         caller="admin"),
    Case("searchIdentities", "body:RoleIds", "POST", "/v1.0/identities/search",
         {"RoleIds": [ID], **INCLUDE_ALL}, foreign=RELATIONSHIP_MANAGER, status=200),
    Case("searchIdentities", "body:ParticipantIds", "POST", "/v1.0/identities/search",
         {"ParticipantIds": [ID], **INCLUDE_ALL}, foreign=ADDITIV_PARTICIPANT, status=200),
    Case("searchMembers", "body:MemberIds", "POST", "/v1.0/members/search",
         {"MemberIds": [ID]}, foreign=BILL_DOE_MEMBER, status=200),
    Case("searchParticipants", "body:participantIds", "POST", "/v1.0/participants/search",
         {"participantIds": [ID]}, foreign=ADDITIV_PARTICIPANT, status=200),
]  # fmt: skip

CASES = PATH_CASES + BODY_CASES

# Ids that name nothing a tenant owns, with the reason.
SHARED_CATALOGUE = "a shared catalogue, the same for every tenant: there is nothing to isolate"
EXEMPT = {
    ("getAccessPolicy", "path:accessPolicyId"): SHARED_CATALOGUE + " (access policies)",
    ("getPermission", "path:permissionId"): SHARED_CATALOGUE + " (permissions)",
    ("getClientAccessPoliciesByApiScope", "path:apiResource"): (
        "a name of the token service's api resources, not an id of a tenant's thing; the "
        "tenant is named by tenantUid, which has its case"
    ),
    ("getClientAccessPoliciesByApiScope", "path:apiScope"): (
        "a name of the token service's api scopes, not an id of a tenant's thing"
    ),
    ("changeRoleHierarchyLevel", "path:operation"): "the enum Up or Down",
    ("checkRoleRequiredAccessPolicies", "body:permissionsUids"): SHARED_CATALOGUE,
    ("updateRoleBackOfficePermissions", "body:DefaultMenuItemId"): SHARED_CATALOGUE,
    ("updateRoleBackOfficePermissions", "body:MenuItemIds"): SHARED_CATALOGUE,
    ("updateRoleBackOfficePermissions", "body:FunctionalityIds"): SHARED_CATALOGUE,
    ("updateIdentityBackOfficePermissions", "body:DefaultMenuItemId"): SHARED_CATALOGUE,
    ("updateIdentityBackOfficePermissions", "body:MenuItemIds"): SHARED_CATALOGUE,
    ("updateIdentityBackOfficePermissions", "body:FunctionalityIds"): SHARED_CATALOGUE,
    ("updateRole", "body:AccessPolicyIds"): SHARED_CATALOGUE,
    ("updateIdentityV13", "body:SalutationId"): SHARED_CATALOGUE + " (salutations)",
    ("createIdentityV12", "body:SalutationId"): SHARED_CATALOGUE + " (salutations)",
    ("syncIdentityMember", "body:Member.SalutationId"): SHARED_CATALOGUE + " (salutations)",
    **{
        (operation, f"body:{name}"): (
            "the member's free-text reference in another system, not an id of anything the "
            "API stores"
        )
        for operation, name in (
            ("createIdentityV12", "ExternalId"),
            ("updateIdentityV13", "ExternalId"),
            ("syncIdentityMember", "Member.ExternalId"),
        )
    },
    ("setIdentityTenantAccess", "body:TenantId"): (
        "must equal the path's tenantId (422 otherwise, before any lookup); the path "
        "parameter has its case"
    ),
}


# The database, whole


Snapshot = dict[str, list[tuple[Any, ...]]]


class Database:
    """Every row of every table, read directly (not through the server's models), so that a
    table added later is compared too. Tables are reflected once: reflection is most of the
    cost, and a table that appears or goes shows in the snapshot's list of names anyway."""

    def __init__(self, url: str) -> None:
        self._engine = sa.create_engine(url)
        self._metadata = sa.MetaData()
        self._metadata.reflect(self._engine)

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    def snapshot(self) -> Snapshot:
        with self._engine.connect() as connection:
            names = sorted(sa.inspect(connection).get_table_names())
            rows: Snapshot = {"<tables>": [(name,) for name in names]}
            for name, table in self._metadata.tables.items():
                result = connection.execute(sa.select(table))
                # repr: rows mix types and NULLs, which do not compare with `<`.
                rows[name] = sorted((tuple(row) for row in result), key=repr)
            return rows

    def dispose(self) -> None:
        self._engine.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    reader = Database(database_url)
    yield reader
    reader.dispose()


def changes(before: Snapshot, after: Snapshot) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """The tables that differ, each with its rows gone and its rows new (an update is both)."""
    return {
        name: {
            "gone": [row for row in before.get(name, []) if row not in after.get(name, [])],
            "new": [row for row in after.get(name, []) if row not in before.get(name, [])],
        }
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }


# The answers


def _without(message: str, value: Id) -> str:
    """The message with the id itself replaced, so that two answers about different ids can
    be compared for anything else they tell."""
    return re.sub(rf"(?<![\w-]){re.escape(str(value))}(?![\w-])", "<id>", message)


def error_answer(response: Response, status: int, value: Id) -> tuple[str, str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"Code", "SubCode", "Message", "CorrelationId"}, body
    code = {404: "NotFound", 422: "UnprocessableEntity"}[status]
    assert body["Code"] == code, body
    return body["Code"], body["SubCode"], _without(body["Message"], value)


# The tests


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=case.case_id, marks=case.marks) for case in CASES]
)
def test_other_tenants_id_is_answered_as_absent_and_changes_nothing(
    case: Case,
    all_client: TestClient,
    admin: dict[str, str],
    bluebank: dict[str, str],
    database: Database,
) -> None:
    setup = Setup(all_client, admin, bluebank, database)
    foreign = case.foreign(setup) if callable(case.foreign) else case.foreign
    headers = admin if case.caller == "admin" else bluebank
    before = database.snapshot()

    to_foreign = case.request(all_client, headers, foreign)
    after_foreign = database.snapshot()
    to_absent = case.request(all_client, headers, case.absent)
    after_absent = database.snapshot()

    # What was written first: rows changed by another tenant are the worse leak, and the
    # rows show what happened; then what was answered.
    assert changes(before, after_foreign) == {}
    assert changes(after_foreign, after_absent) == {}
    if case.status == 200:
        assert to_foreign.status_code == 200, to_foreign.text
        assert to_absent.status_code == 200, to_absent.text
        assert to_foreign.json() == to_absent.json()
    else:
        assert error_answer(to_foreign, case.status, foreign) == error_answer(
            to_absent, case.status, case.absent
        )


def _spec() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document: dict[str, Any] = yaml.load(SPEC.read_text(encoding="utf-8"), Loader=loader)
    return document


ID_PROPERTY = re.compile(r"(Id|Ids|Uids)$")


def _body_ids(schema: dict[str, Any], prefix: str = "") -> list[str]:
    """The properties of a request body that name things by id, nested ones dotted."""
    if not prefix and schema.get("type") == "array":
        return ["[]"]
    names = []
    for sub in schema.get("allOf", []):
        names += _body_ids(sub, prefix)
    for name, prop in (schema.get("properties") or {}).items():
        if ID_PROPERTY.search(name):
            names.append(prefix + name)
        if "properties" in prop or "allOf" in prop:
            names += _body_ids(prop, f"{prefix}{name}.")
    return names


def id_targets(document: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    """(operationId, "path:<parameter>" or "body:<property>") -> (method, path template), for
    every id an operation of the spec takes."""
    targets = {}
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            operation = item[method]
            parameters = resolve_refs(
                item.get("parameters", []) + operation.get("parameters", []), document
            )
            names = [f"path:{p['name']}" for p in parameters if p["in"] == "path"]
            body = resolve_refs(operation.get("requestBody", {}), document)
            for media in body.get("content", {}).values():
                names += [f"body:{name}" for name in _body_ids(media.get("schema", {}))]
            for name in names:
                targets[(operation["operationId"], name)] = (method.upper(), path)
    return targets


def _operation_at(document: dict[str, Any], method: str, concrete: str) -> str | None:
    """The operationId a router would pick for a concrete path: literals before parameters."""
    matches = []
    for template, item in document["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if method.lower() in item and re.fullmatch(pattern, concrete):
            matches.append((template.count("{"), item[method.lower()]["operationId"]))
    return min(matches)[1] if matches else None


def test_every_id_an_operation_takes_has_an_isolation_case() -> None:
    """A future operation (or a new id of one) fails here until it has a case or a reason to
    be exempt; a case naming an id the spec no longer has fails too."""
    document = _spec()
    targets = id_targets(document)
    covered = {(case.operation_id, case.target) for case in CASES}
    assert not covered & EXEMPT.keys(), "an id is both exempt and covered"
    missing = sorted(targets.keys() - covered - EXEMPT.keys())
    assert missing == [], f"ids without a tenant isolation case (add one, or exempt it): {missing}"
    unknown = sorted((covered | EXEMPT.keys()) - targets.keys())
    assert unknown == [], f"cases or exemptions naming no id of the spec: {unknown}"
    # The derivation itself: it sees path parameters, nested body ids and whole-list bodies.
    for known in (
        ("getIdentity", "path:identityId"),
        ("syncIdentityMember", "body:Member.BankBranchId"),
        ("setRoleHierarchyExclusions", "body:[]"),
    ):
        assert known in targets
    for case in CASES:
        concrete = case.path.replace("{id}", str(case.absent))
        assert _operation_at(document, case.method, concrete) == case.operation_id, case.case_id
