"""Schemathesis over every operation of each spec, through the ASGI app, with real tokens.

Positive and negative data, every check Schemathesis has. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from starlette.testclient import TestClient

from tests.support.dfs import identity_auth
from tests.support.tokens import bearer, fetch_token

pytestmark = pytest.mark.contract

EXAMPLES_PER_OPERATION = 100
HYPOTHESIS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def primedocs_schema(app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/_specserve/docs/primedocs/openapi.json", app)


@pytest.fixture
def ids_schema(app: Any) -> Any:
    schema = schemathesis.openapi.from_asgi("/_specserve/docs/ids/openapi.json", app)
    # RFC 6749 answers 400 to well-formed requests it refuses (an unknown grant type or a scope
    # the client may not have), so schema-valid data may rightly get a 400 from the token
    # endpoint; every other check keeps its defaults.
    acceptance = schema.config.checks.positive_data_acceptance
    acceptance.expected_statuses = [*acceptance.expected_statuses, "400"]
    return schema


@pytest.fixture
def dfs_schema(dfs_app: Any) -> Any:
    schema = schemathesis.openapi.from_asgi("/_specserve/docs/dfs/openapi.json", dfs_app)
    # DFS answers 422 UnprocessableEntity, as its spec documents per operation, to schema-valid
    # requests that a business rule refuses (an id in the body that names nothing, a role in
    # use); schema-valid data may rightly get it. 400 stays a failure for schema-valid data.
    acceptance = schema.config.checks.positive_data_acceptance
    acceptance.expected_statuses = [*acceptance.expected_statuses, "422"]
    return schema


primedocs = schemathesis.pytest.from_fixture("primedocs_schema")
dfs = schemathesis.pytest.from_fixture("dfs_schema")
ids = schemathesis.pytest.from_fixture("ids_schema")


# Cases sent per backend and operation, printed at the end of the run (tests/conftest.py).
CASES_RUN: Counter[str] = Counter()


@primedocs.parametrize()
@HYPOTHESIS
def test_primedocs_keeps_its_contract(case: Any, app: Any) -> None:
    _count(case, app)
    case.call_and_validate(headers=bearer(_token(app)))


@ids.parametrize()
@HYPOTHESIS
def test_identity_server_keeps_its_contract(case: Any, app: Any) -> None:
    _count(case, app)
    case.call_and_validate()


@dfs.parametrize()
@HYPOTHESIS
def test_dfs_keeps_its_contract(case: Any, dfs_app: Any) -> None:
    _count(case, dfs_app)
    case.call_and_validate(headers=_dfs_auth(dfs_app))


def _count(case: Any, app: Any) -> None:
    backend = app.services.store.url.split(":", 1)[0].split("+", 1)[0]
    CASES_RUN[f"{backend:<10} {case.meta.generation.mode:<8} {case.operation.label}"] += 1


_tokens: dict[int, str] = {}


def _token(app: Any) -> str:
    # One token per app: the token endpoint hashes a secret, too slow for every example.
    if id(app) not in _tokens:
        _tokens[id(app)] = fetch_token(TestClient(app))
    return _tokens[id(app)]


_dfs_tokens: dict[int, dict[str, str]] = {}


def _dfs_auth(app: Any) -> dict[str, str]:
    # The administrator of tenant Additiv: every access policy, so every operation is reached.
    if id(app) not in _dfs_tokens:
        _dfs_tokens[id(app)] = identity_auth(TestClient(app))
    return _dfs_tokens[id(app)]
