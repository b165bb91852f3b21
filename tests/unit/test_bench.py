"""scripts/bench.py's reading of wrk's output and its wrk scripts (the benchmark itself is not
a test: it runs by hand, with scripts/bench)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from types import ModuleType

import pytest

from specserve.settings import PROJECT_ROOT


def load_bench() -> ModuleType:
    name = "specserve_scripts_bench"
    path = PROJECT_ROOT / "scripts" / "bench.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = load_bench()

WRK_OUTPUT = """Running 15s test @ http://127.0.0.1:8080/v1.0/identities/x
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    67.96ms  120.74ms   2.00s    97.82%
    Req/Sec   502.10     80.11   610.00     70.00%
  Latency Distribution
     50%  126.00us
     75%   34.00ms
     90%   51.20ms
     99%    1.51s
  14994 requests in 15.01s, 3.29MB read
  Socket errors: connect 0, read 0, write 0, timeout 4
  Non-2xx or 3xx responses: 3
Requests/sec:    999.59
Transfer/sec:      2.99MB
"""


def test_wrk_figures_are_read_in_milliseconds_with_errors_counted() -> None:
    figures = bench.parse_wrk(WRK_OUTPUT)
    assert figures == {
        "rps": 999.59,
        "p50": pytest.approx(0.126),
        "p99": pytest.approx(1510.0),
        "errors": 7,  # 4 timeouts and 3 answers that were not 2xx or 3xx
        "requests": 14994,
    }


def test_wrk_output_without_the_distribution_is_refused() -> None:
    with pytest.raises(ValueError, match="50th percentile"):
        bench.parse_wrk(WRK_OUTPUT.replace("50%", "51%"))


def test_a_create_load_sends_a_new_user_name_each_time() -> None:
    load = bench.Load("POST create", "POST", "/v1.2/identities", {"Username": "", "A": 1})
    script = dataclasses.replace(load, unique_user_names=True).lua("T0KEN")
    assert 'wrk.headers["Authorization"] = "Bearer T0KEN"' in script
    assert 'wrk.headers["Content-Type"] = "application/json"' in script
    # The body is the template with the name spliced in per request.
    assert "counter = counter + 1" in script
    assert '[==[{"Username": "]==] .. name .. [==[", "A": 1}]==]' in script


def test_a_fixed_load_sends_its_body_as_it_is() -> None:
    load = bench.Load("POST search", "POST", "/v1.0/identities/search", {"SearchTerm": "bill"})
    script = load.lua("T0KEN")
    assert 'wrk.method = "POST"' in script
    assert f"wrk.body = [==[{json.dumps({'SearchTerm': 'bill'})}]==]" in script


def test_the_targets_compare_within_the_run() -> None:
    def row(server: str, load: str, rps: float, p99: float) -> object:
        return bench.Row(server, load, rps, [rps], 1.0, p99, 0)

    get = "GET identity by id"
    table = [
        row("specserve --mock, 1 worker", get, 5000, 20),
        row("specserve --mock, 2 workers", get, 9000, 15),
        row("Prism 5 (-v error)", get, 4000, 30),
    ]
    met = {target: ok for target, _, ok in bench.targets(table, 100_000)}
    assert met == {
        f"mock, 1 worker, {get}: at least 1.25x Prism's requests a second": True,
        f"mock, 1 worker, {get}: p99 no worse than Prism's": True,
        f"mock, {get}: 2 workers at least 1.8x 1 worker": True,
    }


def test_errors_are_a_failed_target_of_specserve_only() -> None:
    def row(server: str, errors: int) -> object:
        return bench.Row(server, "GET identity by id", 100, [100], 1.0, 10, errors)

    table = [row("specserve --mock, 1 worker", 2), row("Prism 5 (-v error)", 5)]
    checked = [target for target, _, _ in bench.targets(table, 100_000)]
    assert [target for target in checked if target.endswith("no errors")] == [
        "specserve --mock, 1 worker, GET identity by id: no errors"
    ]
