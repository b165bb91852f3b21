"""CI's end-to-end contract run: `specserve serve` in the background, `specserve contract-test
--base-url` against it for every API, then a clean shutdown. On PostgreSQL with two workers
(real mode), and in mock mode. The seed is fixed: a failure replays with the same command."""

from __future__ import annotations

import contextlib
import re
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.e2e.test_serve import SPECSERVE, environment, run_server
from tests.support.contract_runs import count_cases

server = contextlib.contextmanager(run_server)

APIS = ("primedocs", "accesscontrol", "dfs", "ansysid")
SEED = 20240601
# Generated cases per operation in the fuzzing and stateful phases (Schemathesis's default is
# 100). Most of each run is the coverage phase, which this does not bound: with 5, the two tests
# take about two minutes side by side on two cores, hardly more than with 1 or 2.
MAX_EXAMPLES = 5
# A hung run fails instead of holding a worker: four Schemathesis runs, one after the other.
TIMEOUT = 600
# Schemathesis's ignored_auth check sends wrong credentials on purpose, a few per operation: a
# server that slows guessing down (SPECSERVE_CREDENTIAL_FAILURE_LIMIT) would answer the checks
# after the tenth 429. The README says to run contract tests against a server without it.
NO_GUESS_LIMIT = {"SPECSERVE_CREDENTIAL_FAILURE_LIMIT": "0"}


# The totals line of an API in contract-test's summary.
TOTALS = re.compile(r"^(\w+): passed: \d+ operations?, (\d+) cases? \((\d+) in stateful", re.M)


def contract_test_all_apis(env: dict[str, str], base: str, junit: Path, served: str) -> None:
    """`specserve contract-test` over every API; its output is the assertion's message. The
    cases and stateful steps per API go into the run's summary (tests/conftest.py), as
    `served` (the server's backend or mode), over HTTP."""
    command = [
        *SPECSERVE,
        "contract-test",
        *("--base-url", base),
        *(argument for api in APIS for argument in ("--api", api)),
        *("--auth", "auto", "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES)),
        *("--report", f"junit={junit}"),
    ]
    run = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    output = f"$ {' '.join(command[1:])}\n{run.stdout}{run.stderr}"
    assert run.returncode == 0, output
    assert f"contract-test: {len(APIS)} of {len(APIS)} APIs kept the contract" in run.stdout, output
    for api in APIS:
        assert f"{api}: passed: " in run.stdout, output
        report = junit.with_name(f"{junit.stem}-{api}{junit.suffix}")
        assert f"JUnit report of {api}: {report}" in run.stdout, output
        root = ElementTree.parse(report).getroot()
        suite = root.find("testsuite")
        assert suite is not None and suite.get("name") == f"specserve contract-test {api}"
        assert root.get("failures") == "0" and root.get("errors") == "0", output
    totals = TOTALS.findall(run.stdout)
    assert sorted(api for api, _, _ in totals) == sorted(APIS), output
    for api, cases, steps in totals:
        over_http = f"{served} over HTTP"
        count_cases(api, over_http, "generated", "every operation", int(cases) - int(steps))
        count_cases(api, over_http, "stateful", "every operation", int(steps))


@pytest.mark.contract
@pytest.mark.postgresql
def test_every_api_keeps_its_contract_over_http_on_postgresql_with_two_workers(
    tmp_path: Path, postgresql_databases: Any
) -> None:
    with postgresql_databases.lent(tmp_path) as url:
        env = environment(tmp_path, DATABASE_URL=url, **NO_GUESS_LIMIT)
        with server(env, tmp_path / "serve.log", "--workers", "2") as base:
            contract_test_all_apis(env, base, tmp_path / "reports" / "junit.xml", "postgresql")


@pytest.mark.contract
def test_every_api_keeps_its_contract_over_http_in_mock_mode(
    tmp_path: Path, sqlite_databases: Any
) -> None:
    env = environment(tmp_path, DATABASE_URL=sqlite_databases.fresh(tmp_path), **NO_GUESS_LIMIT)
    with server(env, tmp_path / "serve.log", "--mock") as base:
        contract_test_all_apis(env, base, tmp_path / "reports" / "junit.xml", "mock")
