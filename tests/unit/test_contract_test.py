"""The parts of `specserve contract-test` that need no server: options, Schemathesis's config,
and the summary read from its NDJSON events."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from specserve import cli, contract_test
from specserve.apis import ACCESS_CONTROL, ANSYSID, DFS, PRIMEDOCS, ApiDefinition


def test_auth_phases_and_report_options() -> None:
    assert contract_test.parse_auth("auto") is contract_test.AUTO
    assert contract_test.parse_auth("bearer=a=b").headers() == {"Authorization": "Bearer a=b"}
    assert contract_test.parse_auth("api-key=k").headers() == {"x-api-key": "k"}
    assert contract_test.parse_phases("fuzzing, stateful") == ("fuzzing", "stateful")
    assert contract_test.parse_report("junit=out/r.xml") == Path("out/r.xml")
    for parse, wrong in (
        (contract_test.parse_auth, "basic=x"),
        (contract_test.parse_auth, "bearer="),
        (contract_test.parse_phases, "fuzzing,unit"),
        (contract_test.parse_report, "html=r"),
    ):
        with pytest.raises(ValueError, match=r"use|list"):
            parse(wrong)


def test_one_junit_file_or_one_per_api() -> None:
    path = Path("reports/contract.xml")
    assert contract_test.junit_paths(path, (PRIMEDOCS,)) == {"primedocs": path}
    assert contract_test.junit_paths(path, (PRIMEDOCS, DFS)) == {
        "primedocs": Path("reports/contract-primedocs.xml"),
        "dfs": Path("reports/contract-dfs.xml"),
    }


def test_the_config_carries_each_apis_settings_and_the_credentials() -> None:
    def config(api: ApiDefinition, headers: dict[str, str]) -> dict[str, Any]:
        return tomllib.loads(tomli_w.dumps(contract_test.schemathesis_settings(api, headers)))

    dfs = config(DFS, {"Authorization": 'Bearer "quoted" \\ token'})
    assert dfs["generation"]["allow-x00"] is False
    assert "422" in dfs["checks"]["positive_data_acceptance"]["expected-statuses"]
    assert dfs["headers"] == {"Authorization": 'Bearer "quoted" \\ token'}
    assert config(ANSYSID, {})["generation"]["allow-extra-parameters"] is False
    access = config(ACCESS_CONTROL, {"x-api-key": "k"})
    assert "allow-extra-parameters" not in access["generation"] and access["checks"] == {}


def test_operation_ids_restrict_the_run_to_those_operations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run: list[contract_test.Options] = []

    def contract_test_run(options: contract_test.Options, *_: Any) -> int:
        run.append(options)
        return 0

    monkeypatch.setattr(contract_test, "contract_test", contract_test_run)
    argv = ["contract-test", "--base-url", "http://localhost:8080", "--api", "accesscontrol"]
    repeated = ["getIdentity", "addIdentity", "getIdentity"]
    assert cli.main([*argv, *(f"--include-operation-id={name}" for name in repeated)]) == 0
    assert cli.main(argv) == 0
    assert [options.operation_ids for options in run] == [("getIdentity", "addIdentity"), ()]

    def command(options: contract_test.Options) -> list[str]:
        server = contract_test.Server("http://localhost:8080")
        spec = Path("specs/accesscontrol.yaml")
        return contract_test.schemathesis_command(
            spec, server, ACCESS_CONTROL, options, Path("scratch")
        )

    restricted = command(run[0])
    assert restricted[-4:] == [
        *("--include-operation-id", "getIdentity"),
        *("--include-operation-id", "addIdentity"),
    ]
    assert "--include-operation-id" not in command(run[1])


def _scenario(phase: str, label: str, cases: list[tuple[str, str, list[str]]]) -> dict:
    recorder = {
        "label": label,
        "cases": {
            f"c{i}": {"value": {"method": method, "path": path}}
            for i, (method, path, _) in enumerate(cases)
        },
        "checks": {
            f"c{i}": [{"name": "not_a_server_error", "status": "success"}]
            + [{"name": name, "status": "failure"} for name in failed]
            for i, (_, _, failed) in enumerate(cases)
        },
    }
    return {"ScenarioFinished": {"phase": phase, "recorder": recorder}}


def test_the_summary_counts_cases_and_failing_checks_per_operation() -> None:
    events = [
        # Coverage sends other methods to the operation's path: they count for the operation.
        _scenario("coverage", "GET /a", [("GET", "/a", []), ("TRACE", "/a", [])]),
        _scenario("fuzzing", "GET /a", [("GET", "/a", ["response_schema_conformance"])]),
        # A stateful scenario's steps count for the operations they call.
        _scenario(
            "stateful",
            "Stateful tests",
            [("POST", "/a", []), ("GET", "/a", ["use_after_free", "response_schema_conformance"])],
        ),
        {"NonFatalError": {"label": "DELETE /a", "phase": "fuzzing"}},
    ]
    summary = contract_test.summarize(events)
    assert set(summary) == {"GET /a", "POST /a", "DELETE /a"}
    assert summary["GET /a"].cases == 4
    assert summary["GET /a"].failures == {"response_schema_conformance": 2, "use_after_free": 1}
    assert summary["POST /a"].cases == 1 and not summary["POST /a"].failures
    assert (summary["GET /a"].steps, summary["POST /a"].steps) == (1, 1)
    assert summary["DELETE /a"].errors == 1
