"""The specs as Schemathesis schemas, loaded from the app's own docs endpoints."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from specserve.apis import API_NAMES
from specserve.app import create_app
from specserve.settings import Settings

POSTGRESQL_EXAMPLES_PER_OPERATION = 50


def served_schema(app: Any, api: str, *, also_accepted: str | None = None) -> Any:
    """The API's spec as the app serves it; `also_accepted`: a status that schema-valid data
    may rightly get besides the defaults."""
    schema = schemathesis.openapi.from_asgi(f"/_specserve/docs/{api}/openapi.json", app)
    if app.services.store.url.startswith("postgresql"):
        # The same handlers and queries run on both databases: SQLite gets the full fuzzing
        # phase, PostgreSQL (what differs: the dialect, constraints, collation, concurrency)
        # half of it, with every coverage case still sent. It keeps the suite under its budget.
        schema.config.generation.update(max_examples=POSTGRESQL_EXAMPLES_PER_OPERATION)
    # Text holds no NUL character: every spec says a body with one is a 400 (no database stores
    # it), so it is not schema-valid data; tests/unit/test_request_names.py covers the refusal.
    schema.config.generation.update(allow_x00=False)
    if also_accepted is not None:
        acceptance = schema.config.checks.positive_data_acceptance
        acceptance.expected_statuses = [*acceptance.expected_statuses, also_accepted]
    return schema


@pytest.fixture
def accesscontrol_schema(all_app: Any) -> Any:
    return served_schema(all_app, "accesscontrol")


@pytest.fixture
def primedocs_schema(app: Any) -> Any:
    return served_schema(app, "primedocs")


@pytest.fixture
def ids_schema(app: Any) -> Any:
    # RFC 6749 answers 400 to well-formed requests it refuses (an unknown grant type or a scope
    # the client may not have), so schema-valid data may rightly get a 400 from the token
    # endpoint; every other check keeps its defaults.
    return served_schema(app, "ids", also_accepted="400")


def served_ansysid_schema(app: Any) -> Any:
    schema = served_schema(app, "ansysid")
    # The spec says a query parameter an operation does not declare is ignored (as ASP.NET
    # ignores it), so a request whose only fault is one is not invalid data.
    schema.config.generation.update(allow_extra_parameters=False)
    return schema


@pytest.fixture
def ansysid_schema(ansysid_app: Any) -> Any:
    return served_ansysid_schema(ansysid_app)


@pytest.fixture
def b2c_schema(ansysid_app: Any) -> Any:
    # As at IdentityServer's token endpoint, RFC 6749 answers 400 to well-formed requests it
    # refuses; and the authorize endpoint's answer to a client it does not know (which random
    # data names) is its 400 error page, since no redirect is safe.
    return served_schema(ansysid_app, "b2c", also_accepted="400")


@pytest.fixture
def dfs_schema(all_app: Any) -> Any:
    # DFS answers 422 UnprocessableEntity, as its spec documents per operation, to schema-valid
    # requests that a business rule refuses (an id in the body that names nothing, a role in
    # use); schema-valid data may rightly get it. 400 stays a failure for schema-valid data.
    return served_schema(all_app, "dfs", also_accepted="422")


@pytest.fixture(scope="module")
def mock_app(sqlite_databases: Any, data_dir: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every API in mock mode, once per module: mock answers keep no state. (The token services
    and API keys, real in mock mode too, use a seeded SQLite store.)"""
    database_url = sqlite_databases.fresh(tmp_path_factory.mktemp("mock"))
    settings = Settings(
        database_url=database_url,
        data_dir=data_dir,
        public_url="http://testserver",
        apis=API_NAMES,
        mode="mock",
    )
    application = create_app(settings)
    yield application
    application.services.store.dispose()


@pytest.fixture
def sandbox_app(data_dir: Any) -> Any:
    settings = Settings(
        data_dir=data_dir,
        public_url="http://testserver",
        apis=API_NAMES,
        mode="sandbox",
        validate_responses=True,
    )
    application = create_app(settings)
    yield application
    application.services.store.dispose()


@pytest.fixture(scope="module")
def mock_primedocs_schema(mock_app: Any) -> Any:
    return served_schema(mock_app, "primedocs")


@pytest.fixture(scope="module")
def mock_accesscontrol_schema(mock_app: Any) -> Any:
    return served_schema(mock_app, "accesscontrol")


@pytest.fixture(scope="module")
def mock_dfs_schema(mock_app: Any) -> Any:
    return served_schema(mock_app, "dfs", also_accepted="422")


@pytest.fixture(scope="module")
def mock_ansysid_schema(mock_app: Any) -> Any:
    return served_ansysid_schema(mock_app)


@pytest.fixture
def sandbox_schema(sandbox_app: Any) -> Any:
    return served_schema(sandbox_app, "sandbox")
