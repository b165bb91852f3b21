"""Planted breakages that `specserve contract-test` must catch and name.

Each breakage is a small stand-in for the identities of the Access Control API
(tests/support/planted.py) that keeps the contract but for one planted fault, served in a
thread; a broken fixture is served by the real `specserve serve --mock`. Every breakage runs
next to a control, the same server without the fault, which must pass: so a test fails for the
fault, not for the stand-in.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from specserve.settings import PROJECT_ROOT
from tests.e2e.test_serve import SPECSERVE, environment, run_server
from tests.support import planted
from tests.support.planted import API_KEY, AccessControlIdentities, serving

server = contextmanager(run_server)

# The spec's examples and a few generated cases, enough for most faults (the coverage phase,
# with its many negative cases, takes longer; the stateful one needs linked operations).
QUICK = "examples,fuzzing"
ROW_PREFIXES = ("  GET ", "  POST ", "  PUT ", "  DELETE ")


@dataclass(frozen=True)
class Breakage:
    fault: str
    operation_ids: tuple[str, ...]  # the spec slice the run is restricted to
    planted_in: str  # the operation's row in the summary, where the check is named
    check: str  # the Schemathesis check that must name it
    account: str  # words of Schemathesis's account of the failure
    phases: str = QUICK
    max_examples: int = 3


BREAKAGES = (
    Breakage(
        planted.UNDOCUMENTED_STATUS,
        ("addIdentity",),
        "POST /identities",
        "status_code_conformance",
        "Received: 201",
    ),
    Breakage(
        planted.WRONG_TYPE,
        ("getIdentity",),
        "GET /identities/{id}",
        "response_schema_conformance",
        '"0" is not of type "integer"',
    ),
    Breakage(
        planted.MISSING_FIELD,
        ("listIdentities",),
        "GET /identities",
        "response_schema_conformance",
        '"description" is a required property',
    ),
    Breakage(
        planted.IGNORED_AUTH,
        ("listIdentities",),
        "GET /identities",
        "ignored_auth",
        "API accepts requests without authentication",
    ),
    Breakage(
        planted.CRASH_ON_BAD_INPUT,
        ("updateIdentity",),
        "PUT /identities/{id}",
        "not_a_server_error",
        "Server error",
        # A body that is not an object is one of the coverage phase's negative cases.
        phases="examples,coverage",
    ),
    Breakage(
        planted.DELETE_KEEPS,
        # POST /identities links to the DELETE and GET of the identity it made (and the DELETE
        # to the GET): the stateful phase reads an identity after deleting it.
        ("addIdentity", "deleteIdentity", "getIdentity"),
        "GET /identities/{id}",
        "use_after_free",
        "Deleted resource still available",
        phases="stateful",
        max_examples=10,
    ),
)


def contract_tests(
    env: dict[str, str], folder: Path, *runs: Sequence[str]
) -> list[subprocess.CompletedProcess[str]]:
    """`specserve contract-test` with each set of arguments, all at once (output to files)."""
    started = []
    for number, args in enumerate(runs):
        out, err = folder / f"run-{number}.out", folder / f"run-{number}.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            command = [*SPECSERVE, "contract-test", *args]
            process = subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr, text=True)
        started.append((process, out, err))
    try:
        for process, _, _ in started:
            process.wait(timeout=300)
    finally:
        for process, _, _ in started:
            if process.poll() is None:
                process.kill()
                process.wait()
    return [
        subprocess.CompletedProcess(process.args, process.returncode, _read(out), _read(err))
        for process, out, err in started
    ]


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def summary(output: str) -> dict[str, str]:
    """The per-operation table: each operation's failures by check ("-" for none)."""
    rows = {}
    for line in output.splitlines():
        if line.startswith(ROW_PREFIXES):
            method, path, _cases, failures = line.split(maxsplit=3)
            rows[f"{method} {path}"] = failures
    return rows


def arguments(base: str, breakage: Breakage) -> list[str]:
    return [
        *("--base-url", base, "--api", "accesscontrol", "--auth", f"api-key={API_KEY}"),
        *("--max-examples", str(breakage.max_examples), "--seed", "1"),
        *("--phases", breakage.phases),
        *(
            arg
            for operation in breakage.operation_ids
            for arg in ("--include-operation-id", operation)
        ),
    ]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda breakage: breakage.fault)
def test_contract_test_catches_and_names_the_planted_breakage(
    breakage: Breakage, tmp_path: Path
) -> None:
    env = environment(tmp_path)
    with (
        serving(AccessControlIdentities(breakage.fault).app()) as broken,
        serving(AccessControlIdentities().app()) as intact,
    ):
        run, control = contract_tests(
            env, tmp_path, arguments(broken, breakage), arguments(intact, breakage)
        )
    assert control.returncode == 0, control.stdout + control.stderr
    assert "accesscontrol: passed" in control.stdout
    assert set(summary(control.stdout).values()) == {"-"}, control.stdout

    assert run.returncode == 1, run.stdout + run.stderr
    assert "accesscontrol: FAILED" in run.stdout
    rows = summary(run.stdout)
    assert breakage.check in rows[breakage.planted_in], run.stdout
    # Only the planted operation fails, and Schemathesis's account of it is printed.
    assert {label for label, failures in rows.items() if failures != "-"} == {
        breakage.planted_in
    }, run.stdout
    assert breakage.account in run.stdout, run.stdout


# A body of the Access Control mock's GET /identities/{id} (Anders Andersen, the default).
FIXTURE = Path("mock", "accesscontrol", "getIdentity.yaml")
FIXTURE_TYPE = "      name: Anders Andersen\n      type: 0\n"
BROKEN_TYPE = "      name: Anders Andersen\n      type: zero\n"


def test_a_mock_fixture_that_breaks_its_schema_is_a_server_error(
    tmp_path: Path, sqlite_databases: Any
) -> None:
    """The mock checks each answer as it leaves (response validation is always on in mock
    mode): a fixture body that breaks its schema is a 500, which not_a_server_error names."""
    envs = {}
    for name in ("intact", "broken"):
        fixtures = tmp_path / name / "fixtures"
        shutil.copytree(PROJECT_ROOT / "fixtures", fixtures)
        envs[name] = environment(
            tmp_path / name,
            DATABASE_URL=sqlite_databases.fresh(tmp_path / name),
            SPECSERVE_FIXTURES_DIR=str(fixtures),
        )
    fixture = tmp_path / "broken" / "fixtures" / FIXTURE
    text = fixture.read_text(encoding="utf-8")
    assert text.count(FIXTURE_TYPE) == 1
    fixture.write_text(text.replace(FIXTURE_TYPE, BROKEN_TYPE), encoding="utf-8")

    with ExitStack() as servers:
        bases = {
            name: servers.enter_context(
                server(env, tmp_path / name / "serve.log", "--mock", "accesscontrol")
            )
            for name, env in envs.items()
        }
        run, control = contract_tests(
            envs["broken"],
            tmp_path,
            *(
                [
                    *("--base-url", bases[name], "--api", "accesscontrol"),
                    *("--max-examples", "3", "--seed", "1", "--phases", QUICK),
                    *("--include-operation-id", "getIdentity"),
                ]
                for name in ("broken", "intact")
            ),
        )
    assert control.returncode == 0, control.stdout + control.stderr
    assert summary(control.stdout) == {"GET /identities/{id}": "-"}, control.stdout

    assert run.returncode == 1, run.stdout + run.stderr
    assert "(specserve, mock mode" in run.stdout
    failures = summary(run.stdout)["GET /identities/{id}"]
    assert "not_a_server_error" in failures, run.stdout
    # The 500 is the mock's problem answer, as documented: no other check fails.
    assert failures.startswith("not_a_server_error ") and "," not in failures, run.stdout
    assert "Server error" in run.stdout
    # Schemathesis shows the mock's answer: its response validation names the broken value.
    assert "Response body does not conform to specification" in run.stdout, run.stdout
