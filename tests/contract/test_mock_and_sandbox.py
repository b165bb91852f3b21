"""Schemathesis over mock mode (every operation of the four APIs, every check, real tokens)
and over sandbox mode (stateful, for each of the four APIs: sequences that follow the specs'
links, reset between them by the sandbox's own reset)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.auths import GLOBAL_AUTH_STORAGE

from tests.contract.conftest import served_ansysid_schema, served_schema
from tests.contract.test_contracts import HYPOTHESIS, KeyInHeader
from tests.contract.test_stateful import (
    CREATES,
    PRIMEDOCS_MUST_LEAD,
    run_flows,
    start_scenarios_at,
    with_dfs_values,
    with_primedocs_values,
)
from tests.support.accesscontrol import DEMO_KEY
from tests.support.contract_runs import ansysid_auth, api_token, dfs_auth, record_case
from tests.support.tokens import bearer

pytestmark = pytest.mark.contract

# Mock answers do not depend on stored state, so fewer examples cover them than real mode.
MOCK = settings(HYPOTHESIS, max_examples=40)

primedocs = schemathesis.pytest.from_fixture("mock_primedocs_schema")
dfs = schemathesis.pytest.from_fixture("mock_dfs_schema")
accesscontrol = schemathesis.pytest.from_fixture("mock_accesscontrol_schema")
ansysid = schemathesis.pytest.from_fixture("mock_ansysid_schema")
sandbox = schemathesis.pytest.from_fixture("sandbox_schema")


@primedocs.parametrize()
@MOCK
def test_primedocs_mock_keeps_its_contract(case: Any, mock_app: Any) -> None:
    record_case(case, mock_app, f"mock/{case.meta.generation.mode}")
    case.call_and_validate(headers=bearer(api_token(mock_app)))


@dfs.parametrize()
@MOCK
def test_dfs_mock_keeps_its_contract(case: Any, mock_app: Any) -> None:
    record_case(case, mock_app, f"mock/{case.meta.generation.mode}")
    case.call_and_validate(headers=dfs_auth(mock_app))


@ansysid.parametrize()
@MOCK
def test_ansysid_mock_keeps_its_contract(case: Any, mock_app: Any) -> None:
    record_case(case, mock_app, f"mock/{case.meta.generation.mode}")
    case.call_and_validate(headers=ansysid_auth(mock_app))


@accesscontrol.parametrize()
@GLOBAL_AUTH_STORAGE.apply(KeyInHeader, retry_on=[])
@MOCK
def test_access_control_mock_keeps_its_contract(case: Any, mock_app: Any) -> None:
    record_case(case, mock_app, f"mock/{case.meta.generation.mode}")
    case.call_and_validate()


@sandbox.parametrize()
@MOCK
def test_the_sandbox_operations_keep_their_contract(case: Any, sandbox_app: Any) -> None:
    record_case(case, sandbox_app, f"sandbox/{case.meta.generation.mode}")
    case.call_and_validate()


# Fewer scenarios than the real-mode stateful runs: the handlers are the same, and this proves
# that the sandbox keeps state between steps and that its reset restores the seed.
SANDBOX_SCENARIOS = 30


def test_dfs_sandbox_flows_follow_the_links(
    sandbox_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_scenarios_at(CREATES, monkeypatch)
    followed = run_flows(
        with_dfs_values(served_schema(sandbox_app, "dfs", also_accepted="422")),
        sandbox_app,
        dfs_auth(sandbox_app),
        sandbox_app.services.sandbox.reset,
        examples=SANDBOX_SCENARIOS,
    )
    led = {flow.split(" -> ")[0] for flow in followed}
    assert {"POST /v1.2/identities", "POST /v2.0/roles"} <= led, f"followed: {followed}"


def test_access_control_sandbox_flows_follow_the_links(sandbox_app: Any) -> None:
    followed = run_flows(
        served_schema(sandbox_app, "accesscontrol"),
        sandbox_app,
        {"x-api-key": DEMO_KEY},
        sandbox_app.services.sandbox.reset,
        examples=SANDBOX_SCENARIOS,
    )
    led = {flow.split(" -> ")[0] for flow in followed}
    assert "POST /identities" in led, f"followed: {followed}"


def test_ansysid_sandbox_flows_follow_the_links(
    sandbox_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_scenarios_at({"POST /Account", "POST /User"}, monkeypatch)
    followed = run_flows(
        served_ansysid_schema(sandbox_app),
        sandbox_app,
        ansysid_auth(sandbox_app),
        sandbox_app.services.sandbox.reset,
        examples=SANDBOX_SCENARIOS,
    )
    led = {flow.split(" -> ")[0] for flow in followed}
    assert {"POST /Account", "POST /User"} <= led, f"followed: {followed}"


def test_primedocs_sandbox_flows_follow_the_links(sandbox_app: Any) -> None:
    followed = run_flows(
        with_primedocs_values(served_schema(sandbox_app, "primedocs")),
        sandbox_app,
        bearer(api_token(sandbox_app)),
        sandbox_app.services.sandbox.reset,
        examples=SANDBOX_SCENARIOS,
    )
    assert {flow.split(" -> ")[0] for flow in followed} >= PRIMEDOCS_MUST_LEAD, followed
