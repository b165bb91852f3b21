"""Fixtures shared by the whole suite: databases on both backends, the app, a client, tokens."""

from __future__ import annotations

import contextlib
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from specserve.apis import API_NAMES
from specserve.app import create_app
from specserve.settings import Settings
from tests.support.databases import PostgresDatabases, SqliteDatabases
from tests.support.postgres import find_bin_dir, throwaway_cluster
from tests.support.secret_watch import all_used_secrets, leaks, watching_logs
from tests.support.tokens import bearer, fetch_token

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]
PRIMEDOCS_DATASOURCE = "b78c3707-d7c7-4fc7-b97f-87d70f63c1ac"


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_the_logs() -> Iterator[None]:
    """Every line the run's servers log, searched at its end for every secret it used."""
    with watching_logs() as lines:
        yield
    leaked = leaks(lines, all_used_secrets())
    if leaked:
        shown = "\n".join(f"{secret[:4]}...: {line[:300]}" for secret, line in leaked[:20])
        pytest.fail(f"{len(leaked)} log lines hold a secret:\n{shown}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """SPECSERVE_TEST_POSTGRES_URL, or a throwaway cluster. Without PostgreSQL its tests fail
    (deselect them explicitly with `-m "not postgresql"`), so none passes unnoticed."""
    given = os.environ.get("SPECSERVE_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.fail(
            "PostgreSQL is not installed: scripts/ensure-postgres installs it from Debian's "
            "packages, or set SPECSERVE_TEST_POSTGRES_URL, or deselect with -m 'not postgresql'"
        )
    with throwaway_cluster(bin_dir) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> SqliteDatabases:
    return SqliteDatabases(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgresql_databases(postgres_server: str) -> PostgresDatabases:
    return PostgresDatabases(postgres_server)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with the seeded data, the test's own; given back when the test is over (after
    the fixtures that use it), for the next test to reuse."""
    databases = request.getfixturevalue(f"{backend}_databases")
    url = str(databases.fresh(tmp_path))
    yield url
    databases.release(url)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder (and so one signing key) for the run: keys are slow to make."""
    return tmp_path_factory.mktemp("data")


def settings_for(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        public_url="http://testserver",
        validate_responses=True,
        **overrides,
    )


@contextlib.contextmanager
def serving(app: Any) -> Iterator[TestClient]:
    """A client of `app` on one event loop for all its requests, started and shut down as a
    server is: the loop that, as in a server, runs handlers over PostgreSQL (see
    specserve.threads)."""
    with TestClient(app, raise_server_exceptions=False) as opened:
        yield opened


@pytest.fixture
def app(database_url: str, data_dir: Path) -> Iterator[Any]:
    """The server with the primedocs API (and the token service): what most tests of the
    runtime need, and quicker to build than every API."""
    application = create_app(settings_for(database_url, data_dir, apis=("primedocs",)))
    yield application
    application.services.store.dispose()


@pytest.fixture
def all_app(database_url: str, data_dir: Path) -> Iterator[Any]:
    """The server with every API, those still being built (served only when named) included."""
    application = create_app(settings_for(database_url, data_dir, apis=API_NAMES))
    yield application
    application.services.store.dispose()


@pytest.fixture
def all_client(all_app: Any) -> Iterator[TestClient]:
    with serving(all_app) as opened:
        yield opened


@pytest.fixture
def ansysid_app(database_url: str, data_dir: Path) -> Iterator[Any]:
    """The server with the AnsysID API and its B2C sign-in: a fifth of the time of every API's
    (the DFS spec is most of that), for the many tests of these two."""
    application = create_app(settings_for(database_url, data_dir, apis=("ansysid",)))
    yield application
    application.services.store.dispose()


@pytest.fixture
def ansysid_client(ansysid_app: Any) -> Iterator[TestClient]:
    with serving(ansysid_app) as opened:
        yield opened


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with serving(app) as opened:
        yield opened


@pytest.fixture
def auth(client: TestClient) -> dict[str, str]:
    """Authorization header with a real token of the demo client."""
    return bearer(fetch_token(client))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The Schemathesis runs are the longest items (a minute or two each): started first, they
    # run beside the many short ones instead of leaving one worker busy at the end. The longest
    # of them, contract-test over HTTP against a served process (tests/e2e), go first of all.
    items.sort(
        key=lambda item: (
            item.get_closest_marker("contract") is None,
            item.path.parent.name != "e2e",
        )
    )


# Cases sent by the xdist workers, gathered by the controlling process as each worker ends.
WORKER_CASES: Counter[str] = Counter()


def _cases_run_here() -> Counter[str]:
    runs = sys.modules.get("tests.support.contract_runs")
    return Counter(getattr(runs, "CASES_RUN", {}))


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["cases_run"] = dict(_cases_run_here())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    WORKER_CASES.update(getattr(node, "workeroutput", {}).get("cases_run", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    cases = _cases_run_here() + WORKER_CASES
    if not cases:
        return
    terminalreporter.section("Schemathesis cases per API, backend, mode and operation")
    for key, count in sorted(cases.items()):
        terminalreporter.write_line(f"{count:6d}  {key.replace(chr(9), '  ')}")
    # Per API and backend: cases generated from the schema (positive and negative) and the
    # steps of stateful scenarios.
    totals: Counter[tuple[str, str, str]] = Counter()
    for key, count in cases.items():
        api, backend, mode, _operation = key.split("\t")
        totals[api, backend, "stateful steps" if mode == "stateful" else "cases"] += count
    terminalreporter.section("Schemathesis cases and stateful steps per API and backend")
    for (api, backend, kind), count in sorted(totals.items()):
        terminalreporter.write_line(f"{count:6d}  {kind:<15} {backend:<10} {api}")
