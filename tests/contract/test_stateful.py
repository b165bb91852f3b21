"""Stateful Schemathesis over the four APIs' specs: sequences that follow their OpenAPI links.

Create an identity, role or participant, then read, update and delete it with the id the
create answered; every response is checked as in the stateless run, plus Schemathesis's
stateful checks (a deleted resource stays gone, a created one is there). The test also asserts
that every create led somewhere through its links, so that it cannot pass having tested
nothing.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis.specs.openapi.stateful as schemathesis_stateful
from hypothesis import HealthCheck, settings

from store.dfs.member_sync import RUNNER_THREAD_PREFIX
from tests.conftest import PRIMEDOCS_DATASOURCE
from tests.support.accesscontrol import DEMO_KEY
from tests.support.contract_runs import ansysid_auth, api_token, dfs_auth, record_case
from tests.support.tokens import bearer

pytestmark = pytest.mark.contract

STATEFUL = settings(
    max_examples=100,
    stateful_step_count=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

# Each CRUD family's create, and each long-running request, must have led somewhere: at least
# one of its links followed and answered 2xx. Which links random data reaches varies from run
# to run (Schemathesis decides by true randomness whether a step uses a link's value), so the
# link-by-link check is tests/api/test_dfs_links.py, with the spec's examples.
SOURCES_THAT_MUST_LEAD = {
    "POST /v1.2/identities",
    "POST /v2.0/roles",
    "POST /v1.0/participants",
    "POST /v3.0/identities/sync-members",
    "POST /v1.0/identities/import-members",
}


# Schemathesis starts scenarios only at creates whose body names no id of a kind no operation
# answers; DFS creates name such ids (SalutationId, BankBranchId: seeded catalogue data), so
# without this they would be reached only by chance and their links never walked.
CREATES = {"POST /v1.2/identities", "POST /v2.0/roles", "POST /v1.0/participants"}


@pytest.fixture
def restore_seed(backend: str, database_url: str, request: pytest.FixtureRequest) -> Any:
    """Puts the test's database back to the seeded data (between scenarios)."""
    databases = request.getfixturevalue(f"{backend}_databases")
    return lambda: databases.restore(database_url)


def test_dfs_flows_follow_the_links(
    dfs_schema: Any,
    all_app: Any,
    restore_seed: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start_scenarios_at(CREATES, monkeypatch)
    followed = run_flows(with_dfs_values(dfs_schema), all_app, dfs_auth(all_app), restore_seed)
    led = {flow.split(" -> ")[0] for flow in followed}
    missing = SOURCES_THAT_MUST_LEAD - led
    assert not missing, f"no link followed to a 2xx from {sorted(missing)}; followed: {followed}"


def test_access_control_flows_follow_the_links(
    accesscontrol_schema: Any,
    all_app: Any,
    restore_seed: Callable[[], None],
) -> None:
    followed = run_flows(
        accesscontrol_schema,
        all_app,
        {"x-api-key": DEMO_KEY},
        restore_seed,
        examples=50,  # ten operations, three flows: fewer scenarios reach them all
    )
    # An identity's create leads to its read, update, delete or groups; a group's member list
    # (groups come from the seed: no operation makes one) to a removal, and that to re-adding.
    led = {flow.split(" -> ")[0] for flow in followed}
    must_lead = {"POST /identities", "GET /accessgroups/{id}/identities"}
    assert must_lead <= led, f"followed: {followed}"


def test_ansysid_flows_follow_the_links(
    ansysid_schema: Any,
    ansysid_app: Any,
    restore_seed: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start_scenarios_at({"POST /Account", "POST /User"}, monkeypatch)
    followed = run_flows(
        ansysid_schema,
        ansysid_app,
        ansysid_auth(ansysid_app),
        restore_seed,
    )
    # An account's create leads to its read, update, delete, users and groups; a user's create
    # to the user's read, update and delete; a PAT's to its read, update and revocation. (A
    # group's links, two steps from the root, are walked by tests/api/test_ansysid_links.py.)
    led = {flow.split(" -> ")[0] for flow in followed}
    must_lead = {"POST /Account", "POST /User", "POST /PersonalAccessTokens"}
    assert must_lead <= led, f"followed: {followed}"


def test_primedocs_flows_follow_the_links(
    primedocs_schema: Any,
    app: Any,
    restore_seed: Callable[[], None],
) -> None:
    followed = run_flows(
        with_primedocs_values(primedocs_schema),
        app,
        bearer(api_token(app)),
        restore_seed,
        examples=50,
    )
    # The list leads to a user's read, and the read to its first profile's read, update and
    # shares; an update of a profile to its read.
    assert {flow.split(" -> ")[0] for flow in followed} >= PRIMEDOCS_MUST_LEAD, followed


_USERS = "/api/v3/{datasourceId}/Admin/Users"
PRIMEDOCS_MUST_LEAD = {f"GET {_USERS}", f"GET {_USERS}/{{userId}}"}


def with_primedocs_values(schema: Any) -> Any:
    """The primedocs schema with the values its flows need given, not generated.

    Every path names the datasource: a random one is a 404 from the first step on. The bodies
    name a user to share with and an organization unit: a random one is the API's documented
    404, which Schemathesis cannot tell from the profile itself missing (the stateless run sends
    random ones). So these are the spec's examples, seeded ones."""
    schema.config.parameters = {
        "path.datasourceId": PRIMEDOCS_DATASOURCE,
        "body.accountId": "8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5003",
        "body.organizationUnitId": "5d1c3b1e-6f0a-4b8e-9a51-2f7c0e3a1003",
    }
    return schema


def with_dfs_values(schema: Any) -> Any:
    """The DFS schema with the references an identity's create and update need given, not
    generated: a random salutation, role or bank branch is the API's documented 422, and
    scenarios that meet only those lead nowhere. These are the spec's example's, seeded ones."""
    schema.config.parameters = {
        "body.SalutationId": 2,
        "body.IdentityRoleId": 1,
        "body.BankBranchId": 1,
    }
    return schema


def start_scenarios_at(creates: set[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Let scenarios start at these creates, which Schemathesis would reach only by chance."""
    likely_root = schemathesis_stateful.is_likely_root_transition
    monkeypatch.setattr(
        schemathesis_stateful,
        "is_likely_root_transition",
        lambda operation, *rest: operation.label in creates or likely_root(operation, *rest),
    )


def run_flows(
    schema: Any,
    app: Any,
    headers: dict[str, str],
    restore: Callable[[], None],
    *,
    examples: int = 100,
) -> Counter[str]:
    """Run Schemathesis's stateful phase over the spec's links; answer the links followed to a
    2xx, as "source -> link name"."""
    # Only the spec's own links: inferred ones (list -> read of the catalogue) would take most
    # of the steps, and the flows under test are those the spec promises.
    schema.config.phases.stateful.inference.algorithms = []
    followed: Counter[str] = Counter()

    class Flows(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def step(self, input: Any) -> Any:
            output = super().step(input)
            record_case(input.case, app, "stateful")
            link = input.transition
            if link is not None and output.response.status_code < 300:
                followed[_source_and_link(link.id)] += 1
            return output

        def teardown(self) -> None:
            # Every scenario starts from the seeded data, so that Hypothesis can replay one
            # (a second run of a create must not meet the first one's row).
            _wait_for_member_runs()
            app.services.store.dispose()
            restore()

    Flows.run(settings=settings(STATEFUL, max_examples=examples))
    return followed


def _source_and_link(transition_id: str) -> str:
    # "POST /v2.0/roles -> [200] GetRole -> GET /v2.0/roles/{roleId}": "POST /v2.0/roles -> GetRole"
    source, link, _target = transition_id.split(" -> ")
    return f"{source} -> {link.split('] ', 1)[1]}"


def _wait_for_member_runs() -> None:
    # Bulk member runs go on in threads after their request; the data must not change under
    # the restore.
    for thread in threading.enumerate():
        if thread.name.startswith(RUNNER_THREAD_PREFIX):
            thread.join(timeout=30)
