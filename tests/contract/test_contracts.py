"""Schemathesis over every operation of each spec, through the ASGI app, with real tokens.

Positive and negative data, every check Schemathesis has. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.support.contract_runs import api_token, dfs_auth, record_case
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
def test_dfs_keeps_its_contract(case: Any, dfs_app: Any) -> None:
    record_case(case, dfs_app)
    case.call_and_validate(headers=dfs_auth(dfs_app))
