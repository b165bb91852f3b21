"""The specs as Schemathesis schemas, loaded from the app's own docs endpoints."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis


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
