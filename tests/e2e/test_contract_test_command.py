"""`specserve contract-test` as a client team runs it: against `specserve serve --mock`, and
against a server that breaks the contract."""

from __future__ import annotations

import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.e2e.test_serve import SPECSERVE, environment, run_server
from tests.support.planted import serving

server = contextmanager(run_server)

ORGANIZATION_UNITS = "GET /api/v3/{datasourceId}/Admin/OrganizationUnits"
BROKEN_TOKEN = "let-me-in"


def contract_test(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SPECSERVE, "contract-test", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_mock_mode_keeps_the_primedocs_contract(tmp_path: Path, sqlite_databases: Any) -> None:
    env = environment(tmp_path, DATABASE_URL=sqlite_databases.fresh(tmp_path))
    junit = tmp_path / "reports" / "primedocs.xml"
    with server(env, tmp_path / "serve.log", "--mock", "dfs", "primedocs") as base:
        run = contract_test(
            env,
            *("--base-url", base, "--api", "primedocs", "--max-examples", "5", "--seed", "1"),
            *("--report", f"junit={junit}"),
        )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "(specserve, mock mode" in run.stdout
    summary = {
        " ".join(line.split()[:2]): line.split()
        for line in run.stdout.splitlines()
        if line.startswith(("  GET ", "  POST ", "  PUT "))
    }
    # Every operation of the spec, with the cases it was sent and no failure.
    assert len(summary) == 7, run.stdout
    for method, path, cases, failures in summary.values():
        assert int(cases) > 0 and failures == "-", (method, path)
    assert "primedocs: passed: 7 operations" in run.stdout
    assert f"JUnit report of primedocs: {junit}" in run.stdout
    root = ElementTree.parse(junit).getroot()
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "specserve contract-test primedocs"
    assert root.get("failures") == "0" and root.get("errors") == "0"
    assert ORGANIZATION_UNITS in {case.get("name") for case in root.iter("testcase")}


def _problem(status: int, title: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "traceId": "0"}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


async def _organization_units(request: Request) -> JSONResponse:
    if request.headers.get("authorization") != f"Bearer {BROKEN_TOKEN}":
        return _problem(401, "Unauthorized")
    # totalPages is an integer in the contract.
    paging = {"pageSize": 10, "page": 1, "totalPages": "1"}
    return JSONResponse({"data": [], "pagingDetails": paging})


def broken_primedocs() -> Starlette:
    """One primedocs operation, answering a field of the wrong type; 404 for the rest."""
    app = Starlette(
        routes=[Route("/webapi/api/v3/{datasourceId}/Admin/OrganizationUnits", _organization_units)]
    )
    app.add_exception_handler(404, lambda request, error: _problem(404, "Not Found"))
    app.add_exception_handler(405, lambda request, error: _problem(405, "Method Not Allowed"))
    return app


def test_a_server_that_breaks_the_contract_fails_with_the_check_and_curl(tmp_path: Path) -> None:
    env = environment(tmp_path)
    with serving(broken_primedocs()) as base:
        run = contract_test(
            env,
            *("--base-url", base, "--api", "primedocs", "--max-examples", "3", "--seed", "1"),
            *("--auth", f"bearer={BROKEN_TOKEN}", "--phases", "examples,fuzzing"),
        )
        # Not a specserve server: --auth auto has nowhere to get a token from.
        auto = contract_test(env, "--base-url", base, "--api", "primedocs")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "(not a specserve server)" in run.stdout
    row = next(
        line for line in run.stdout.splitlines() if line.startswith(f"  {ORGANIZATION_UNITS}")
    )
    assert "response_schema_conformance" in row
    assert "primedocs: FAILED" in run.stdout
    # Schemathesis's account of the failure, with the request as curl (credentials hidden).
    assert "Response violates schema" in run.stdout
    assert "curl -X GET -H 'Authorization: [Filtered]'" in run.stdout
    assert BROKEN_TOKEN not in run.stdout
    assert auto.returncode == 2
    assert "give --auth bearer=TOKEN" in auto.stderr


def test_a_server_out_of_reach_is_a_usage_error(tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
        run = contract_test(environment(tmp_path), "--base-url", f"http://127.0.0.1:{port}")
    assert run.returncode == 2
    assert f"cannot reach the server at http://127.0.0.1:{port}" in run.stderr
