"""DFS member sync and import (tags IdentityMemberSync and IdentityMemberImport), through the
HTTP API on both backends, with the demo data of fixtures/seed/dfs.yaml.

The bulk sync and the import run after their request answered; the tests wait for their end
by polling the status operation, for at most ten seconds."""

from __future__ import annotations

import datetime
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from store.dfs.models import MemberOperation
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
from tests.support.dfs import (
    envelope_error as error,
)

JACK_DANIELS = "11655f64-5717-4562-b3fc-2cab3f66af00"
RITA_MEIER = "2d7f1c3e-8a4b-4c6d-9e0f-1a2b3c4d5e01"  # tenant access disabled
PAUL_FREY = "2d7f1c3e-8a4b-4c6d-9e0f-1a2b3c4d5e02"  # sign-in and tenant access disabled
BLUEBANK_ADMIN = "b1000000-0000-0000-0000-000000000001"
BLUEBANK_SERVICE = "b1000000-0000-0000-0000-000000000002"  # no member
UNKNOWN = "7e57e57e-0000-4000-8000-000000000000"
SAMPLE_APP = "jGER285mdgZuDq50PadB1ITWv3tM9Y"
SYNC_MEMBERS = "/v3.0/identities/sync-members"
IMPORT_MEMBERS = "/v1.0/identities/import-members"

ADMIN_MEMBER = {"MemberId": 1, **ADMIN_MEMBER_DATA}
SAMPLE_REQUEST = {
    "Member": {
        **ADMIN_MEMBER_DATA,
        "BankBranchId": 1,
    },
    "Context": {"Createdby": "BackOffice", "AuthorizedAppId": SAMPLE_APP},
}


def sync_path(identity_id: str) -> str:
    return f"/v3.1/identities/{identity_id}/sync-member"


def status_path(run_id: str) -> str:
    return f"/v1.0/identities/member-operations/{run_id}"


def bluebank(client: TestClient) -> dict[str, str]:
    return identity_auth(client, user="bluebank.admin", password="Bluebank-Demo-1")


def member(client: TestClient, member_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(f"/v1.0/members/{member_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def started(response: Any) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"longRunningRequestId"}
    return str(uuid.UUID(body["longRunningRequestId"]))


def finished(client: TestClient, run_id: str, headers: dict[str, str]) -> dict[str, Any]:
    """The run's status once it ended: it works in a thread of the server, so poll."""
    deadline = time.monotonic() + 10
    while True:
        response = client.get(status_path(run_id), headers=headers)
        assert response.status_code == 200, response.text
        body = dict(response.json())
        if body["status"] in ("Succeeded", "Failed"):
            return body
        assert time.monotonic() < deadline, f"the run did not end: {body}"
        time.sleep(0.02)


# POST /v3.1/identities/{identityId}/sync-member


def test_sync_of_an_identity_with_a_member_keeps_it_and_audits_each_call(
    all_client: TestClient,
) -> None:
    auth = identity_auth(all_client)
    first = all_client.post(sync_path(ADMIN), json={}, headers=auth)
    assert first.status_code == 200, first.text
    assert first.json() == {"IdentityId": ADMIN, "MemberId": 1, "AuditContextId": 1001}
    # The sample's request writes the member's own data: nothing changes but the audit.
    again = all_client.post(sync_path(ADMIN), json=SAMPLE_REQUEST, headers=auth)
    assert again.json() == {"IdentityId": ADMIN, "MemberId": 1, "AuditContextId": 1002}
    assert ADMIN_MEMBER.items() <= member(all_client, 1, auth).items()
    assert member(all_client, 1, auth)["BankBranch"]["Id"] == 1


def test_given_member_properties_override_the_identitys_and_others_are_kept(
    all_client: TestClient,
) -> None:
    auth = app_auth(all_client, MEMBER_APP)
    body = {
        "Member": {"FirstName": "Adam", "Email": "adam@additiv.com", "BankBranchId": 2},
        "Context": None,
    }
    response = all_client.post(sync_path(ADMIN), json=body, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["MemberId"] == 1
    written = member(all_client, 1, auth)
    assert written["FirstName"] == "Adam"
    assert written["Email"] == "adam@additiv.com"
    assert written["BankBranch"]["Id"] == 2
    assert written["LastName"] == "Admin"
    assert written["Phone"] == "41|522672742"
    # Null properties take the identity's (now the member's) value.
    nulls = {"Member": {"FirstName": None, "Email": None}}
    assert all_client.post(sync_path(ADMIN), json=nulls, headers=auth).status_code == 200
    assert member(all_client, 1, auth)["FirstName"] == "Adam"


def test_sync_of_an_identity_without_a_member_creates_one_once(all_client: TestClient) -> None:
    auth = bluebank(all_client)
    first = all_client.post(sync_path(BLUEBANK_SERVICE), json={}, headers=auth)
    assert first.status_code == 200, first.text
    created = first.json()
    assert created["IdentityId"] == BLUEBANK_SERVICE
    assert created["MemberId"] > 101
    assert created["AuditContextId"] == 1001
    # The identity has no name of its own but its user name.
    new_member = member(all_client, created["MemberId"], auth)
    assert new_member["FirstName"] == new_member["LastName"] == "svc-bluebank-sync"
    assert new_member["IdentityId"] == BLUEBANK_SERVICE
    body = {"Member": {"FirstName": "Sync", "LastName": "Service", "SalutationId": 3}}
    again = all_client.post(sync_path(BLUEBANK_SERVICE), json=body, headers=auth)
    assert again.json()["MemberId"] == created["MemberId"]
    assert again.json()["AuditContextId"] == 1002
    renamed = member(all_client, created["MemberId"], auth)
    assert (renamed["FirstName"], renamed["LastName"], renamed["SalutationId"]) == (
        "Sync",
        "Service",
        3,
    )


def test_concurrent_syncs_of_an_identity_without_a_member_create_one(
    all_client: TestClient,
) -> None:
    auth = bluebank(all_client)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(
                lambda _: all_client.post(sync_path(BLUEBANK_SERVICE), json={}, headers=auth),
                range(8),
            )
        )
    assert [answer.status_code for answer in answers] == [200] * 8
    assert len({answer.json()["MemberId"] for answer in answers}) == 1
    assert sorted(answer.json()["AuditContextId"] for answer in answers) == list(range(1001, 1009))


def test_concurrent_bulk_syncs_all_end(all_client: TestClient) -> None:
    auth = app_auth(all_client, MEMBER_APP)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: all_client.post(SYNC_MEMBERS, headers=auth), range(8)))
    # Calls that came while a run was queued or running were answered its id (how many did
    # depends on timing); every run answered ends, and went through every identity.
    for run_id in {started(answer) for answer in answers}:
        status = finished(all_client, run_id, auth)
        assert (status["status"], status["processedCount"]) == ("Succeeded", 7)


def test_sync_of_an_unknown_or_foreign_identity_is_404(all_client: TestClient) -> None:
    additiv = identity_auth(all_client)
    for identity_id in (UNKNOWN, BLUEBANK_SERVICE):
        response = all_client.post(sync_path(identity_id), json={}, headers=additiv)
        error(response, 404, "NotFound")
    response = all_client.post(sync_path(ADMIN), json={}, headers=bluebank(all_client))
    error(response, 404, "NotFound")


@pytest.mark.parametrize(
    ("identity_id", "member_data", "named"),
    [
        (ADMIN, {"Email": "jd@additiv.com"}, "member 55"),
        (ADMIN, {"Email": "JD@Additiv.com"}, "member 55"),
        (ADMIN, {"SalutationId": 99}, "salutation"),
        (ADMIN, {"BankBranchId": 4}, "bank branch"),  # Bluebank's
        (RITA_MEIER, {}, "access"),
        (PAUL_FREY, {}, "access"),
    ],
)
def test_member_data_the_tenant_refuses_is_422_and_nothing_changes(
    all_client: TestClient, identity_id: str, member_data: dict[str, Any], named: str
) -> None:
    auth = identity_auth(all_client)
    response = all_client.post(sync_path(identity_id), json={"Member": member_data}, headers=auth)
    assert named in error(response, 422, "UnprocessableEntity")
    assert ADMIN_MEMBER.items() <= member(all_client, 1, auth).items()
    # The refused call made no audit context either.
    assert all_client.post(sync_path(ADMIN), json={}, headers=auth).json()["AuditContextId"] == 1001


def test_an_unregistered_authorized_app_is_422(all_client: TestClient) -> None:
    body = {"Context": {"AuthorizedAppId": "no-such-app"}}
    response = all_client.post(sync_path(ADMIN), json=body, headers=identity_auth(all_client))
    error(response, 422, "UnprocessableEntity")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (sync_path("not-a-uuid"), {}),
        (sync_path(ADMIN), {"Member": {"FirstName": ""}}),
        (sync_path(ADMIN), {"Member": {"SalutationId": 0}}),
        (sync_path(ADMIN), {"Member": {"SalutationId": 2**31}}),
        (sync_path(ADMIN), {"Member": {"Phone": "1" * 51}}),
        (sync_path(ADMIN), {"Member": {"Nickname": "Ad"}}),
        (sync_path(ADMIN), {"Context": {"Createdby": ""}}),
        (sync_path(ADMIN), {"Identity": {}}),
    ],
)
def test_a_malformed_sync_is_400(all_client: TestClient, path: str, body: Any) -> None:
    response = all_client.post(path, json=body, headers=identity_auth(all_client))
    error(response, 400, "BadRequest")


def test_syncing_a_member_needs_wmember(all_client: TestClient) -> None:
    response = all_client.post(sync_path(ADMIN), json={}, headers=app_auth(all_client, ROLE_APP))
    assert "WMember" in error(response, 403, "Forbidden")


# POST /v3.0/identities/sync-members, GET /v1.0/identities/member-operations/{id}


def test_the_bulk_sync_updates_every_member_and_reports_those_it_could_not(
    all_client: TestClient,
) -> None:
    auth = app_auth(all_client, MEMBER_APP)
    run_id = started(all_client.post(SYNC_MEMBERS, headers=auth))
    status = finished(all_client, run_id, auth)
    assert status["longRunningRequestId"] == run_id
    assert status["operation"] == "SyncMembers"
    assert status["status"] == "Succeeded"
    counts = {key: status[key] for key in ("totalCount", "processedCount", "createdCount")}
    assert counts == {"totalCount": 7, "processedCount": 7, "createdCount": 0}
    assert (status["updatedCount"], status["failedCount"]) == (5, 2)
    # Rita Meier's and Paul Frey's access to the tenant is disabled.
    failed = {(item["identityId"], item["memberId"]) for item in status["errors"]}
    assert failed == {(RITA_MEIER, 20), (PAUL_FREY, 21)}
    assert all("access" in item["message"] for item in status["errors"])
    assert status["createdDate"] <= status["startedDate"] <= status["completedDate"]
    assert status["completedDate"].endswith("Z")
    # Each member written was audited: five audit contexts are taken.
    after = all_client.post(sync_path(TEAM_LEADER), json={}, headers=auth)
    assert after.json()["AuditContextId"] == 1006
    assert member(all_client, 16, auth)["Email"] == "bd@additiv.com"


def test_a_sync_while_one_is_queued_answers_that_one(all_app: Any, all_client: TestClient) -> None:
    # A run queued by another request (or worker) whose runner has not started it yet.
    with all_app.services.store.unit_of_work() as uow:
        queued = uow.dfs_member_sync.queue_operation(tenant_id=2, operation="SyncMembers")
    run_id = str(queued.id)
    auth = identity_auth(all_client)
    waiting = all_client.get(status_path(run_id), headers=auth)
    assert waiting.status_code == 200, waiting.text
    assert waiting.json() | {"createdDate": None} == {
        "longRunningRequestId": run_id,
        "operation": "SyncMembers",
        "status": "Queued",
        "createdDate": None,
        "startedDate": None,
        "completedDate": None,
        "totalCount": 0,
        "processedCount": 0,
        "createdCount": 0,
        "updatedCount": 0,
        "failedCount": 0,
        "errors": [],
    }
    # An import is another operation: it is not that one.
    import_id = started(all_client.post(IMPORT_MEMBERS, headers=auth))
    assert import_id != run_id
    assert started(all_client.post(SYNC_MEMBERS, headers=auth)) == run_id
    assert finished(all_client, run_id, auth)["status"] == "Succeeded"
    assert finished(all_client, import_id, auth)["status"] == "Succeeded"
    # Once it ended, a sync is a new run.
    next_id = started(all_client.post(SYNC_MEMBERS, headers=auth))
    assert next_id not in (run_id, import_id)
    assert finished(all_client, next_id, auth)["status"] == "Succeeded"


def test_the_status_of_an_unknown_or_foreign_run_is_404(all_client: TestClient) -> None:
    additiv = identity_auth(all_client)
    run_id = started(all_client.post(SYNC_MEMBERS, headers=additiv))
    finished(all_client, run_id, additiv)
    error(all_client.get(status_path(run_id), headers=bluebank(all_client)), 404, "NotFound")
    error(all_client.get(status_path(UNKNOWN), headers=additiv), 404, "NotFound")
    error(all_client.get(status_path("not-a-uuid"), headers=additiv), 400, "BadRequest")


def test_runs_need_wmember_and_their_status_rmember(all_client: TestClient) -> None:
    roles_app = app_auth(all_client, ROLE_APP)
    for path in (SYNC_MEMBERS, IMPORT_MEMBERS):
        assert "WMember" in error(all_client.post(path, headers=roles_app), 403, "Forbidden")
    run_id = started(all_client.post(SYNC_MEMBERS, headers=identity_auth(all_client)))
    response = all_client.get(status_path(run_id), headers=roles_app)
    assert "RMember" in error(response, 403, "Forbidden")
    finished(all_client, run_id, app_auth(all_client, MEMBER_APP))


# POST /v1.0/identities/import-members


def test_the_import_creates_the_members_of_identities_without_one(all_client: TestClient) -> None:
    auth = bluebank(all_client)
    # Before the import, the identity's details (kept in its member) are not there to show.
    for path in (
        f"/v1.0/identities/{BLUEBANK_SERVICE}",
        f"/v1.0/identities/{BLUEBANK_SERVICE}/hierarchy",
    ):
        assert "no member yet" in error(
            all_client.get(path, headers=auth), 422, "UnprocessableEntity"
        )
    run_id = started(all_client.post(IMPORT_MEMBERS, headers=auth))
    status = finished(all_client, run_id, auth)
    assert status["operation"] == "ImportMembers"
    assert status["status"] == "Succeeded"
    counts = [status[key] for key in ("totalCount", "processedCount", "createdCount")]
    assert counts == [1, 1, 1]
    assert (status["updatedCount"], status["failedCount"], status["errors"]) == (0, 0, [])
    # The service identity has its member now: a sync finds it, and keeps it.
    synced = all_client.post(sync_path(BLUEBANK_SERVICE), json={}, headers=auth).json()
    assert synced["AuditContextId"] == 1002
    assert member(all_client, synced["MemberId"], auth)["FirstName"] == "svc-bluebank-sync"
    details = all_client.get(f"/v1.0/identities/{BLUEBANK_SERVICE}", headers=auth)
    assert details.json()["MemberId"] == synced["MemberId"]
    # Nothing is left to import.
    again = finished(all_client, started(all_client.post(IMPORT_MEMBERS, headers=auth)), auth)
    assert (again["status"], again["totalCount"], again["createdCount"]) == ("Succeeded", 0, 0)


def test_an_import_where_every_identity_has_a_member_creates_nothing(
    all_client: TestClient,
) -> None:
    auth = app_auth(all_client, MEMBER_APP)
    status = finished(all_client, started(all_client.post(IMPORT_MEMBERS, headers=auth)), auth)
    assert status["status"] == "Succeeded"
    assert [status[key] for key in ("totalCount", "processedCount", "failedCount")] == [0, 0, 0]
    # The members of the tenant are untouched (Bill Doe's, for one).
    assert member(all_client, 16, auth)["IdentityId"] == BILL_DOE
    assert all_client.post(sync_path(JACK_DANIELS), json={}, headers=auth).json() == {
        "IdentityId": JACK_DANIELS,
        "MemberId": 55,
        "AuditContextId": 1001,
    }


def test_a_run_whose_runner_is_gone_fails_and_blocks_nothing(
    all_client: TestClient, database_url: str
) -> None:
    # A run left Running by a server that was killed: its heartbeat stopped 10 minutes ago.
    auth = identity_auth(all_client)
    lost = started(all_client.post(SYNC_MEMBERS, headers=auth))
    finished(all_client, lost, auth)
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.update(MemberOperation)
                .where(MemberOperation.id == uuid.UUID(lost))
                .values(
                    status="Running",
                    completed_date=None,
                    heartbeat_date=datetime.datetime.now(datetime.UTC)
                    - datetime.timedelta(minutes=10),
                )
            )
    finally:
        engine.dispose()

    status = all_client.get(status_path(lost), headers=auth).json()
    assert status["status"] == "Failed"
    assert "stopped without finishing" in status["errors"][-1]["message"]
    # A new run starts instead of answering the lost one's id, and ends.
    run_id = started(all_client.post(SYNC_MEMBERS, headers=auth))
    assert run_id != lost
    assert finished(all_client, run_id, auth)["status"] == "Succeeded"
