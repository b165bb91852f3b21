"""`specserve contract-test`: Schemathesis against a running server, one run per API.

The contract is ours: each run reads the API's spec from `specs/` and sends it to the URL plus
the API's real base path, whatever the server claims. Schemathesis runs as its own command
(`python -m schemathesis.cli run`) with every check, positive and negative data, and the
stateful phase following the specs' OpenAPI links; its NDJSON events give the per-operation
summary and its JUnit report the failures as Schemathesis words them (with curl to reproduce).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO
from xml.etree import ElementTree

import tomli_w
import yaml

from specserve.apis import ALL_APIS, DEFAULT_API_NAMES, ApiDefinition

PHASES = ("examples", "coverage", "fuzzing", "stateful")
SCHEMATHESIS = (sys.executable, "-m", "schemathesis.cli")
API_KEY_HEADER = "x-api-key"
# Who `--auth auto` signs in as, by the demo data of fixtures/seed (as `specserve token` does).
PRIMEDOCS_CLIENT, PRIMEDOCS_SCOPE = "CustomApiClient", "pd_AdminWebApi"
DFS_CLIENT, DFS_IDENTITY = "dfs.backoffice", "additiv"
B2C_TOKEN_PATH = "/ansysaccount.onmicrosoft.com/B2C_1A_ANSYSID_SIGNUP_SIGNIN/oauth2/v2.0/token"
B2C_CLIENT, ANSYS_ADMINISTRATOR = "b5e3d1c0-7f6a-4b2e-9d8c-1a2b3c4d5e6f", "ansys.admin@ansys.com"
ANSYSID_SCOPE = "openid offline_access https://ansysaccount.onmicrosoft.com/AnsysID/Authentication"
DEMO_API_KEY_NAME = "demo"
# specserve's mock mode keeps no state (a DELETE deletes nothing): the checks that expect it to
# are left out against it, and only against it.
STATEFUL_CHECKS = ("use_after_free", "ensure_resource_availability")
# Lines of Schemathesis's own output shown when it stops without a verdict.
OUTPUT_TAIL = 40


class ContractTestError(Exception):
    """A run that cannot start: a server out of reach, credentials not to be had."""


@dataclass(frozen=True)
class Auth:
    """`--auth`: `auto` (the server's own token services), or a credential given."""

    kind: str  # auto, bearer or api-key
    value: str = ""

    def headers(self) -> dict[str, str]:
        if self.kind == "bearer":
            return {"Authorization": f"Bearer {self.value}"}
        return {API_KEY_HEADER: self.value}


AUTO = Auth("auto")


def parse_auth(text: str) -> Auth:
    if text == "auto":
        return AUTO
    kind, equals, value = text.partition("=")
    if kind not in ("bearer", "api-key") or not equals or not value:
        raise ValueError(f"'{text}': use auto, bearer=TOKEN or api-key=KEY")
    return Auth(kind, value)


def parse_phases(text: str) -> tuple[str, ...]:
    phases = tuple(phase.strip() for phase in text.split(",") if phase.strip())
    unknown = [phase for phase in phases if phase not in PHASES]
    if unknown or not phases:
        raise ValueError(f"'{text}': a comma-separated list of {', '.join(PHASES)}")
    return phases


def parse_report(text: str) -> Path:
    kind, equals, path = text.partition("=")
    if kind != "junit" or not equals or not path:
        raise ValueError(f"'{text}': use junit=PATH")
    return Path(path)


@dataclass(frozen=True)
class Options:
    base_url: str
    apis: tuple[str, ...] = ()  # empty: every API the server serves (or all of them)
    auth: Auth = AUTO
    max_examples: int | None = None
    phases: tuple[str, ...] | None = None
    seed: int | None = None
    junit: Path | None = None
    operation_ids: tuple[str, ...] = ()  # empty: every operation of the spec


@dataclass(frozen=True)
class Server:
    """What the base URL answers: a specserve server names its APIs and mode."""

    base_url: str
    specserve_apis: tuple[str, ...] | None = None  # None: not a specserve server
    mode: str | None = None

    def api_url(self, api: ApiDefinition) -> str:
        return self.base_url + api.base_path.rstrip("/")

    @property
    def stateless(self) -> bool:
        return self.specserve_apis is not None and self.mode == "mock"

    def describe(self) -> str:
        if self.specserve_apis is None:
            return f"{self.base_url} (not a specserve server)"
        if self.stateless:
            return (
                f"{self.base_url} (specserve, mock mode: it keeps no state, so without "
                f"{' and '.join(STATEFUL_CHECKS)})"
            )
        return f"{self.base_url} (specserve, {self.mode} mode)"


@dataclass
class OperationResult:
    cases: int = 0
    steps: int = 0  # of the cases, those sent as steps of stateful scenarios
    failures: Counter[str] = field(default_factory=Counter)  # failing cases per check
    errors: int = 0


@dataclass
class ApiResult:
    api: ApiDefinition
    operations: dict[str, OperationResult]
    reproductions: list[tuple[str, str]]  # (operation, Schemathesis's account of its failures)
    seed: int | None
    links: int  # the spec's OpenAPI links, which the stateful phase follows
    seconds: float
    exit_code: int
    output_tail: str = ""
    junit: Path | None = None

    @property
    def cases(self) -> int:
        return sum(operation.cases for operation in self.operations.values())

    @property
    def steps(self) -> int:
        return sum(operation.steps for operation in self.operations.values())

    @property
    def failures(self) -> int:
        return sum(sum(op.failures.values()) + op.errors for op in self.operations.values())

    @property
    def passed(self) -> bool:
        return self.exit_code == 0 and self.failures == 0


# ---- the server and its credentials


def _http(url: str, form: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, str]:
    """Status and body of a GET (or a form POST); HTTP errors are answers too."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def probe_server(base_url: str) -> Server:
    """Whether the server answers at all, and whether it is a specserve server."""
    base_url = base_url.rstrip("/")
    try:
        status, body = _http(f"{base_url}/_specserve/apis")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ContractTestError(f"cannot reach the server at {base_url}: {reason}") from error
    try:
        served = json.loads(body) if status == 200 else None
        names = tuple(str(entry["name"]) for entry in served) if served else None
        mode = str(served[0].get("mode", "real")) if served else None
    except (ValueError, TypeError, KeyError):
        names, mode = None, None
    return Server(base_url, names, mode)


def choose_apis(server: Server, named: tuple[str, ...]) -> tuple[ApiDefinition, ...]:
    """The APIs named, else those the (specserve) server serves, else every API."""
    served = server.specserve_apis
    if named and served is not None:
        missing = [name for name in named if name not in served]
        if missing:
            raise ContractTestError(
                f"the server at {server.base_url} does not serve {', '.join(missing)} "
                f"(it serves {', '.join(served)})"
            )
    wanted = named or (served if served is not None else DEFAULT_API_NAMES)
    return tuple(api for api in ALL_APIS if api.name in wanted and not api.infrastructure)


def _seed(seed_dir: Path, name: str) -> Any:
    return yaml.safe_load((seed_dir / f"{name}.yaml").read_text(encoding="utf-8"))


def _client_secret(seed_dir: Path, client_id: str) -> str:
    clients = _seed(seed_dir, "identity")["clients"]
    return str(next(client["secret"] for client in clients if client["client_id"] == client_id))


def _token_request(api: ApiDefinition, seed_dir: Path) -> tuple[str, dict[str, str], str]:
    """Where to ask for the API's token, the form to send and who it is for."""
    if api.name == "primedocs":
        form = {
            "grant_type": "client_credentials",
            "client_id": PRIMEDOCS_CLIENT,
            "client_secret": _client_secret(seed_dir, PRIMEDOCS_CLIENT),
            "scope": PRIMEDOCS_SCOPE,
        }
        return "/ids/connect/token", form, f"the demo client {PRIMEDOCS_CLIENT}"
    if api.name == "dfs":
        identities = [
            identity
            for tenant in _seed(seed_dir, "dfs")["tenants"]
            for identity in tenant.get("identities", [])
        ]
        password = next(i["password"] for i in identities if i["user_name"] == DFS_IDENTITY)
        form = {
            "grant_type": "password",
            "username": DFS_IDENTITY,
            "password": str(password),
            "client_id": DFS_CLIENT,
            "client_secret": _client_secret(seed_dir, DFS_CLIENT),
        }
        return "/ids/connect/token", form, f"the demo identity {DFS_IDENTITY}"
    if api.name == "ansysid":
        users = _seed(seed_dir, "ansysid")["users"]
        password = next(user["password"] for user in users if user["email"] == ANSYS_ADMINISTRATOR)
        form = {
            "grant_type": "password",
            "client_id": B2C_CLIENT,
            "username": ANSYS_ADMINISTRATOR,
            "password": str(password),
            "scope": ANSYSID_SCOPE,
        }
        return B2C_TOKEN_PATH, form, f"the demo user {ANSYS_ADMINISTRATOR}"
    raise ContractTestError(f"--auth auto has no token service for {api.name}")


def credentials(api: ApiDefinition, server: Server, auth: Auth, seed_dir: Path) -> dict[str, str]:
    """The headers every request of the API's run carries."""
    if auth.kind != "auto":
        return auth.headers()
    if server.specserve_apis is None:
        raise ContractTestError(
            f"--auth auto takes credentials from a specserve server's token services, and "
            f"{server.base_url} is not one: give --auth bearer=TOKEN or --auth api-key=KEY"
        )
    try:
        if api.api_keys:
            keys = _seed(seed_dir, "accesscontrol")["api_keys"]
            key = next(entry["key"] for entry in keys if entry["name"] == DEMO_API_KEY_NAME)
            return {API_KEY_HEADER: str(key)}
        path, form, who = _token_request(api, seed_dir)
    except (OSError, KeyError, TypeError, StopIteration) as error:
        raise ContractTestError(
            f"{api.name}: the demo credentials are not in {seed_dir} ({error!r}); "
            "set SPECSERVE_FIXTURES_DIR, or give --auth"
        ) from error
    status, body = _http(server.base_url + path, form)
    if status != 200:
        raise ContractTestError(
            f"{api.name}: no token for {who} from {server.base_url}{path} "
            f"({status}: {body[:200]}); give --auth bearer=TOKEN"
        )
    return {"Authorization": f"Bearer {json.loads(body)['access_token']}"}


# ---- one Schemathesis run


def schemathesis_settings(api: ApiDefinition, headers: dict[str, str]) -> dict[str, Any]:
    """The run's schemathesis.toml: what the in-process contract tests also set
    (tests/contract/conftest.py), and the credentials (kept off the command line)."""
    from schemathesis.config import ChecksConfig  # noqa: PLC0415 (slow to import)

    # Text holds no NUL character: every spec says a body with one is a 400.
    generation: dict[str, Any] = {"allow-x00": False, "database": "none"}
    checks: dict[str, Any] = {}
    operations: list[dict[str, Any]] = []
    if api.name == "ansysid":
        # The spec says a query parameter an operation does not declare is ignored.
        generation["allow-extra-parameters"] = False
        # A role id may be well formed and still name a role the API never grants or removes
        # (Administrative and Support roles come from the federation and the CRM): 400, as the
        # spec says; no schema can tell those ids apart.
        accepted = ChecksConfig().positive_data_acceptance.expected_statuses
        operations.append(
            {
                "include-operation-id": ["addAccountUserRole", "removeAccountUserRole"],
                "checks": {"positive_data_acceptance": {"expected-statuses": [*accepted, "400"]}},
            }
        )
    if api.name == "dfs":
        # DFS answers 422 to schema-valid requests a business rule refuses, as documented.
        accepted = ChecksConfig().positive_data_acceptance.expected_statuses
        checks["positive_data_acceptance"] = {"expected-statuses": [*accepted, "422"]}
    return {
        "cache": {"enabled": False},
        "generation": generation,
        "checks": checks,
        "headers": headers,
        **({"operations": operations} if operations else {}),
    }


def schemathesis_command(
    spec: Path, server: Server, api: ApiDefinition, options: Options, scratch: Path
) -> list[str]:
    command = [
        *SCHEMATHESIS,
        "--config-file", str(scratch / "schemathesis.toml"),
        "run", str(spec),
        "--url", server.api_url(api),
        "--checks", "all",
        "--mode", "all",
        "--no-color",
        "--report", "ndjson,junit",
        "--report-ndjson-path", str(scratch / "events.ndjson"),
        "--report-junit-path", str(scratch / "junit.xml"),
    ]  # fmt: skip
    if server.stateless:
        command += ["--exclude-checks", ",".join(STATEFUL_CHECKS)]
    if options.max_examples is not None:
        command += ["--max-examples", str(options.max_examples)]
    if options.phases is not None:
        command += ["--phases", ",".join(options.phases)]
    if options.seed is not None:
        command += ["--seed", str(options.seed)]
    for operation_id in options.operation_ids:
        command += ["--include-operation-id", operation_id]
    return command


def run_api(
    api: ApiDefinition, server: Server, options: Options, specs_dir: Path, headers: dict[str, str]
) -> ApiResult:
    """Schemathesis over one API, in a scratch folder (its config, reports and caches)."""
    with tempfile.TemporaryDirectory(prefix=f"specserve-contract-{api.name}-") as scratch:
        folder = Path(scratch)
        config = folder / "schemathesis.toml"
        config.write_text(tomli_w.dumps(schemathesis_settings(api, headers)), encoding="utf-8")
        config.chmod(0o600)
        command = schemathesis_command(specs_dir / api.spec_file, server, api, options, folder)
        started = time.monotonic()
        finished = subprocess.run(
            command, cwd=folder, capture_output=True, text=True, errors="replace", check=False
        )
        seconds = time.monotonic() - started
        events = list(_read_events(folder / "events.ndjson"))
        result = ApiResult(
            api=api,
            operations=summarize(events),
            reproductions=list(failure_accounts(folder / "junit.xml")),
            seed=_seed_of(events),
            links=_links_of(events),
            seconds=seconds,
            exit_code=finished.returncode,
        )
        if finished.returncode != 0 and not result.reproductions:
            output = (finished.stdout + finished.stderr).rstrip().splitlines()
            result.output_tail = "\n".join(output[-OUTPUT_TAIL:])
        if options.junit is not None and (folder / "junit.xml").exists():
            result.junit = options.junit
            _copy_junit(folder / "junit.xml", api, result.junit)
    return result


def _read_events(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _seed_of(events: list[dict[str, Any]]) -> int | None:
    for event in events:
        if "Initialize" in event:
            seed = event["Initialize"].get("seed")
            return int(seed) if seed is not None else None
    return None


def _links_of(events: list[dict[str, Any]]) -> int:
    for event in events:
        if "LoadingFinished" in event:
            return int(event["LoadingFinished"]["statistic"]["transitions"]["total"])
    return 0


def summarize(events: Iterable[dict[str, Any]]) -> dict[str, OperationResult]:
    """Cases and failing checks per operation ("GET /path"), over every phase. A scenario
    tests one operation (its cases include other methods on its path, for
    `unsupported_method`), but the steps of a stateful one count for the operations they call."""
    operations: dict[str, OperationResult] = {}

    def operation(label: str) -> OperationResult:
        return operations.setdefault(label, OperationResult())

    for event in events:
        if "ScenarioFinished" in event:
            scenario = event["ScenarioFinished"]
            recorder = scenario["recorder"]
            checks = recorder.get("checks", {})
            stateful = scenario.get("phase") == "stateful"
            for case_id, node in recorder.get("cases", {}).items():
                case = node["value"]
                label = f"{case['method']} {case['path']}" if stateful else recorder["label"]
                result = operation(label)
                result.cases += 1
                result.steps += int(stateful)
                failed = {c["name"] for c in checks.get(case_id, []) if c["status"] == "failure"}
                result.failures.update(failed)
        elif "NonFatalError" in event:
            operation(str(event["NonFatalError"].get("label", "?"))).errors += 1
    return operations


def failure_accounts(junit: Path) -> Iterator[tuple[str, str]]:
    """Schemathesis's account of each operation's failures and errors, as its JUnit report
    holds them: the checks that failed, the response, and the request as curl."""
    if not junit.exists():
        return
    for testcase in ElementTree.parse(junit).getroot().iter("testcase"):
        for problem in [*testcase.iter("failure"), *testcase.iter("error")]:
            text = (problem.text or problem.get("message") or "").strip()
            yield str(testcase.get("name", "?")), text


def _copy_junit(source: Path, api: ApiDefinition, target: Path) -> None:
    """Schemathesis's JUnit report, its test suite named after the API."""
    tree = ElementTree.parse(source)
    for suite in tree.getroot().iter("testsuite"):
        suite.set("name", f"specserve contract-test {api.name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tree.write(target, encoding="utf-8", xml_declaration=True)


def junit_paths(path: Path, apis: tuple[ApiDefinition, ...]) -> dict[str, Path]:
    """One API: the path given; several: one file each, the API's name before the suffix."""
    if len(apis) == 1:
        return {apis[0].name: path}
    return {api.name: path.with_name(f"{path.stem}-{api.name}{path.suffix}") for api in apis}


# ---- the command


def report_api(result: ApiResult, out: TextIO) -> None:
    """The per-operation table and the API's totals line."""
    labels = sorted(result.operations, key=lambda label: label.split(" ", 1)[::-1])
    width = max([len("operation"), *map(len, labels)])
    print(f"  {'operation':<{width}}  {'cases':>6}  failures by check", file=out)
    for label in labels:
        operation = result.operations[label]
        failures = [f"{check} {count}" for check, count in sorted(operation.failures.items())]
        if operation.errors:
            failures.append(f"errors {operation.errors}")
        shown = ", ".join(failures) or "-"
        print(f"  {label:<{width}}  {operation.cases:>6}  {shown}", file=out)
    verdict = "passed" if result.passed else "FAILED"
    seed = f"seed {result.seed}, " if result.seed is not None else ""
    print(
        f"{result.api.name}: {verdict}: {_count(len(result.operations), 'operation')}, "
        f"{_count(result.cases, 'case')} ({result.steps} in stateful scenarios), "
        f"{_count(result.failures, 'failure')} in "
        f"{result.seconds:.1f} s ({seed}{_count(result.links, 'OpenAPI link')} in the spec)",
        file=out,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def report_failures(result: ApiResult, out: TextIO) -> None:
    if result.reproductions:
        print(f"\n{result.api.name}: failures (credentials in curl show as [Filtered])", file=out)
        for label, account in result.reproductions:
            print(f"\n--- {result.api.name}: {label}", file=out)
            lines = (f"    {line}" if line else "" for line in account.splitlines())
            print("\n".join(lines), file=out)
    elif result.output_tail:
        print(f"\n{result.api.name}: Schemathesis stopped (exit {result.exit_code}):", file=out)
        print(result.output_tail, file=out)


def contract_test(
    options: Options, specs_dir: Path, fixtures_dir: Path, out: TextIO = sys.stdout
) -> int:
    """Test each chosen API in turn; 0 if all kept their contract, 1 otherwise."""
    server = probe_server(options.base_url)
    apis = choose_apis(server, options.apis)
    # Every credential first: a run that cannot get one stops before any test.
    headers = {
        api.name: credentials(api, server, options.auth, fixtures_dir / "seed") for api in apis
    }
    junit = junit_paths(options.junit, apis) if options.junit is not None else {}
    print(f"contract-test: {server.describe()}: {', '.join(api.name for api in apis)}", file=out)
    results: list[ApiResult] = []
    for api in apis:
        print(f"\n{api.name}: {specs_dir / api.spec_file} at {server.api_url(api)}/", file=out)
        out.flush()
        api_options = replace(options, junit=junit.get(api.name))
        result = run_api(api, server, api_options, specs_dir, headers[api.name])
        report_api(result, out)
        report_failures(result, out)
        results.append(result)
    print(file=out)
    for result in results:
        if result.junit is not None:
            print(f"JUnit report of {result.api.name}: {result.junit}", file=out)
    failed = [result.api.name for result in results if not result.passed]
    print(
        f"contract-test: {len(results) - len(failed)} of {len(results)} APIs kept the contract"
        + (f"; failed: {', '.join(failed)}" if failed else ""),
        file=out,
    )
    return 1 if failed else 0
