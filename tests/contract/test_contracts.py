"""Schemathesis over every operation of each spec, through the ASGI app, with real tokens.

Positive and negative data, every check Schemathesis has. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.auths import GLOBAL_AUTH_STORAGE

from tests.support.accesscontrol import DEMO_KEY
from tests.support.contract_runs import ansysid_auth, api_token, dfs_auth, record_case
from tests.support.tokens import bearer

pytestmark = pytest.mark.contract

EXAMPLES_PER_OPERATION = 100
HYPOTHESIS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


primedocs = schemathesis.pytest.from_fixture("primedocs_schema")
dfs = schemathesis.pytest.from_fixture("dfs_schema")
ids = schemathesis.pytest.from_fixture("ids_schema")
accesscontrol = schemathesis.pytest.from_fixture("accesscontrol_schema")
ansysid = schemathesis.pytest.from_fixture("ansysid_schema")
b2c = schemathesis.pytest.from_fixture("b2c_schema")


@primedocs.parametrize()
@HYPOTHESIS
def test_primedocs_keeps_its_contract(case: Any, app: Any) -> None:
    record_case(case, app)
    case.call_and_validate(headers=bearer(api_token(app)))


@ids.parametrize()
@HYPOTHESIS
def test_identity_server_keeps_its_contract(case: Any, app: Any) -> None:
    record_case(case, app)
    case.call_and_validate()


@dfs.parametrize()
@HYPOTHESIS
def test_dfs_keeps_its_contract(case: Any, all_app: Any) -> None:
    record_case(case, all_app)
    case.call_and_validate(headers=dfs_auth(all_app))


@ansysid.parametrize()
@HYPOTHESIS
def test_ansysid_keeps_its_contract(case: Any, ansysid_app: Any) -> None:
    record_case(case, ansysid_app)
    case.call_and_validate(headers=ansysid_auth(ansysid_app))


@b2c.parametrize()
@HYPOTHESIS
def test_b2c_sign_in_keeps_its_contract(case: Any, ansysid_app: Any) -> None:
    record_case(case, ansysid_app)
    case.call_and_validate()


class KeyInHeader:
    """The demo API key, as Schemathesis's auth provider: it knows the case carries auth, so
    `ignored_auth` checks what the API answers without it or with a wrong one."""

    def get(self, case: Any, context: Any) -> str:
        return DEMO_KEY

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "x-api-key": data}


class KeyInQuery(KeyInHeader):
    def set(self, case: Any, data: str, context: Any) -> None:
        case.query = {**(case.query or {}), "api_key": data}


@accesscontrol.parametrize()
@GLOBAL_AUTH_STORAGE.apply(KeyInHeader, retry_on=[])
@HYPOTHESIS
def test_access_control_keeps_its_contract_with_the_key_in_its_header(
    case: Any, all_app: Any
) -> None:
    record_case(case, all_app, f"{case.meta.generation.mode}/header")
    case.call_and_validate()


@accesscontrol.parametrize()
@GLOBAL_AUTH_STORAGE.apply(KeyInQuery, retry_on=[])
@HYPOTHESIS
def test_access_control_keeps_its_contract_with_the_key_in_the_query(
    case: Any, all_app: Any
) -> None:
    record_case(case, all_app, f"{case.meta.generation.mode}/query")
    case.call_and_validate()
