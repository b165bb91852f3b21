"""The benchmark behind scripts/bench: specserve beside Prism 5 and a bare Starlette app, all
serving the DFS Admin identity operations, driven by wrk in one run on this machine.

Every configuration is started in turn, checked (the right answer, and a 4xx for an invalid
request and for a missing token), warmed up, then measured; the whole list is measured
`--rounds` times, in alternating order, so that drift of a shared machine falls on all alike.
The table compares within the run (ratios), never against figures from another run.

Run by scripts/bench, which installs wrk, Prism, PostgreSQL and matplotlib when missing; this
module starts and stops the servers, seeds, measures and reports.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store.dfs.models import (  # noqa: E402
    Identity,
    Member,
    Tenant,
    TenantAccess,
    folded,
    new_search_version,
    normalized,
)
from tests.support.postgres import find_bin_dir, throwaway_cluster  # noqa: E402
from tests.support.processes import free_port  # noqa: E402

VENV_BIN = Path(sys.executable).parent
SPECSERVE = str(VENV_BIN / "specserve")
PRISM = ROOT / ".tools" / "prism" / "node_modules" / ".bin" / "prism"
SPEC = ROOT / "specs" / "dfs-admin.yaml"

BILL_DOE = "3fa85f64-5717-4562-b3fc-2c963f66afa4"  # a seeded identity of tenant Additiv
IDENTITY = f"/v1.0/identities/{BILL_DOE}"
SEARCH = "/v1.0/identities/search"
CREATE = "/v1.2/identities"
SEEDED_IDENTITIES = 100_000
STARTUP_SECONDS = 120


# ---- what is measured ---------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """One request (or, for creates, one kind of request) that wrk sends over and over."""

    name: str
    method: str
    path: str
    body: Any = None
    connections: int = 64
    unique_user_names: bool = False  # each request creates a new identity

    def lua(self, token: str) -> str:
        """wrk's script: the method, headers and body (a fresh user name per request for a
        create, from a per-thread prefix and a counter)."""
        headers = {"Authorization": f"Bearer {token}"}
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        lines = [f"wrk.method = {json.dumps(self.method)}"]
        lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
        if not self.unique_user_names:
            if self.body is not None:
                lines.append(f"wrk.body = {lua_string(json.dumps(self.body))}")
            return "\n".join(lines) + "\n"
        template = json.dumps({**self.body, "Username": "@NAME@"})
        before, after = template.split("@NAME@")
        return "\n".join(
            [
                *lines,
                "local threads = 0",
                "function setup(thread) threads = threads + 1; thread:set('id', threads) end",
                "local counter = 0",
                f"local run = {json.dumps(uuid.uuid4().hex[:8])}",
                "function request()",
                "  counter = counter + 1",
                "  local name = 'bench-' .. run .. '-' .. id .. '-' .. counter",
                f"  return wrk.format(nil, nil, nil, {lua_string(before)} .. name .. "
                f"{lua_string(after)})",
                "end",
                "",
            ]
        )


def slug(name: str) -> str:
    return re.sub(r"\W+", "-", name).strip("-")


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


MOCK_LOADS = (
    Load("GET identity by id", "GET", IDENTITY),
    Load("POST identity search", "POST", SEARCH, {"SearchTerm": "bill"}),
)
REAL_LOADS = (
    Load("GET identity by id", "GET", IDENTITY),
    # A page of 20 of the tenant's 100,000 identities, by last name (the default order).
    Load("POST search, page of 20", "POST", SEARCH, {"Page": 1, "PageSize": 20}, connections=16),
    Load(
        "POST create",
        "POST",
        CREATE,
        {"FirstName": "Bench", "LastName": "Mark", "Username": "", "IdentityRoleId": 1},
        connections=16,
        unique_user_names=True,
    ),
)
# Requests every validating server must refuse (any 4xx: Prism answers 422 where specserve
# answers the DFS API's 400).
INVALID_SEARCH = {"PageSize": "ten"}


@dataclass
class Server:
    """A configuration: how to start it, and what to send it."""

    name: str
    loads: tuple[Load, ...]
    start: Callable[[int], list[str]]  # the command, given the port
    env: dict[str, str] = field(default_factory=dict)
    validates: bool = True  # the ceiling does not
    specserve: bool = False  # it issues its own tokens (for its port: the issuer)
    seeded: bool = False  # real mode: its store gets the bench's identities
    token: str = ""  # set once the server runs


@dataclass
class Measurement:
    server: str
    load: str
    round: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


# ---- wrk --------------------------------------------------------------------------------


def run_wrk(url: str, load: Load, token: str, seconds: int, folder: Path) -> dict[str, float]:
    script = folder / "load.lua"
    script.write_text(load.lua(token))
    threads = min(2, load.connections)
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{load.connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            url + load.path,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return parse_wrk(done.stdout)


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> dict[str, float]:
    def percentile(label: str) -> float:
        found = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        if found is None:
            raise ValueError(f"wrk printed no {label}th percentile:\n{output}")
        return float(found.group(1)) * UNITS_MS[found.group(2)]

    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in", output, re.M)
    if rate is None or total is None:
        raise ValueError(f"wrk's output not understood:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return {
        "rps": float(rate.group(1)),
        "p50": percentile("50"),
        "p99": percentile("99"),
        "errors": errors,
        "requests": int(total.group(1)),
    }


# ---- servers ----------------------------------------------------------------------------


@contextmanager
def running(server: Server, port: int, log: Path) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, **server.env}
    with log.open("w") as output:
        process = subprocess.Popen(
            server.start(port), env=env, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            with suppress(httpx.TransportError):
                if httpx.get(base + IDENTITY, timeout=2).status_code < 500:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench: {server.name} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def specserve_token(port: int, env: dict[str, str]) -> str:
    """A token of the demo identity of tenant Additiv, issued for this port."""
    done = subprocess.run(
        [SPECSERVE, "token", "--api", "dfs", "--port", str(port)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: `specserve token` failed:\n{done.stderr}")
    return done.stdout.strip()


def check_answers(server: Server, base: str) -> None:
    """Before measuring: each load answers 2xx with JSON, and a validating server refuses a
    request without a token and an invalid body."""
    auth = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=base, timeout=30) as client:
        for load in server.loads:
            body = load.body
            if load.unique_user_names:
                body = {**load.body, "Username": f"bench-check-{uuid.uuid4().hex[:12]}"}
            answer = client.request(load.method, load.path, json=body, headers=auth)
            if not 200 <= answer.status_code < 300:
                raise SystemExit(
                    f"bench: {server.name}, {load.name}: {answer.status_code} {answer.text[:500]}"
                )
            answer.json()
        if not server.validates:
            return
        no_token = client.get(IDENTITY)
        invalid = client.post(SEARCH, json=INVALID_SEARCH, headers=auth)
        for what, answer in (("no token", no_token), ("an invalid body", invalid)):
            if not 400 <= answer.status_code < 500:
                raise SystemExit(
                    f"bench: {server.name} answered {answer.status_code} to {what}: "
                    f"{answer.text[:300]}"
                )


# ---- real mode: the store, with 100,000 identities in one tenant -------------------------


def prepare_real_store(env: dict[str, str], count: int) -> None:
    """The schema, the demo data, and `count` more identities."""
    Path(env["SPECSERVE_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    for command in (["db", "upgrade"], ["db", "seed"]):
        subprocess.run(
            [SPECSERVE, *command], env={**os.environ, **env}, check=True, capture_output=True
        )
    add_identities(env["DATABASE_URL"], count)


def add_identities(database_url: str, count: int) -> None:
    """`count` identities in Bill Doe's tenant, each with its member and tenant access (his
    role), inserted in batches; prints its progress."""
    engine = create_engine(database_url)
    first_names = ["Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Greta", "Hugo", "Ida"]
    last_names = ["Keller", "Meier", "Müller", "Schmid", "Weber", "Huber", "Fischer", "Baumann"]
    rng = random.Random(20240601)
    started = time.monotonic()
    with engine.begin() as connection:
        bill = connection.execute(
            select(Identity.tenant_id, Identity.provider_setting_id, TenantAccess.role_id)
            .join(TenantAccess, TenantAccess.identity_id == Identity.id)
            .where(Identity.id == uuid.UUID(BILL_DOE))
        ).one()
        next_member = (connection.execute(select(func.max(Member.id))).scalar() or 0) + 1
    batch = 5_000
    for offset in range(0, count, batch):
        members, identities, access = [], [], []
        for number in range(offset, min(offset + batch, count)):
            member_id = next_member + number
            first, last = rng.choice(first_names), rng.choice(last_names)
            identity_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            name = f"bench{number:06d}"
            members.append(
                {
                    "id": member_id,
                    "tenant_id": bill.tenant_id,
                    "first_name": first,
                    "last_name": f"{last}{number % 997}",
                    "email": f"{name}@bench.example",
                    # Written as the model writes them (bulk inserts skip its validators).
                    "first_name_folded": folded(first),
                    "last_name_folded": folded(f"{last}{number % 997}"),
                    "email_folded": folded(f"{name}@bench.example"),
                    "assigned_contacts_count": 0,
                }
            )
            identities.append(
                {
                    "id": identity_id,
                    "tenant_id": bill.tenant_id,
                    "member_id": member_id,
                    "user_name": name,
                    "user_name_normalized": normalized(name),
                    "provider_setting_id": bill.provider_setting_id,
                    "is_sign_in_enabled": True,
                    "is_system_account": False,
                    "sees_all_tenants": False,
                }
            )
            access.append(
                {
                    "identity_id": identity_id,
                    "tenant_id": bill.tenant_id,
                    "role_id": bill.role_id,
                    "is_enabled": True,
                }
            )
        with engine.begin() as connection:
            connection.execute(Member.__table__.insert(), members)
            connection.execute(Identity.__table__.insert(), identities)
            connection.execute(TenantAccess.__table__.insert(), access)
            # Written outside the store: counts remembered before must not stand.
            connection.execute(
                update(Tenant)
                .where(Tenant.id == bill.tenant_id)
                .values(search_version=new_search_version())
            )
        done = min(offset + batch, count)
        print(
            f"\r  seeding identities: {done:,} of {count:,} ({time.monotonic() - started:.0f} s)",
            end="",
            flush=True,
        )
    print()
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('dfs_members', 'id'), "
                    "(SELECT max(id) FROM dfs_members))"
                )
            )
            connection.execute(text("ANALYZE"))
    engine.dispose()


# ---- the configurations -----------------------------------------------------------------

MOCK_ONE = "specserve --mock, 1 worker"
MOCK_TWO = "specserve --mock, 2 workers"
PRISM_MOCK = "Prism 5 (-v error)"
CEILING = "Starlette, same bytes (ceiling)"
REAL_SQLITE = "specserve real, SQLite, 1 worker"
REAL_POSTGRESQL = "specserve real, PostgreSQL, 1 worker"
SPECSERVE_CONFIGURATIONS = (MOCK_ONE, MOCK_TWO, REAL_SQLITE, REAL_POSTGRESQL)


def servers(work: Path, postgres_url: str | None, include_real: bool) -> list[Server]:
    mock_env = {"SPECSERVE_DATA_DIR": str(work / "mock-data")}
    body_dir = work / "ceiling"
    found: list[Server] = [
        Server(
            MOCK_ONE,
            MOCK_LOADS,
            lambda port: [SPECSERVE, "serve", "--mock", "dfs", "--port", str(port)],
            mock_env,
            specserve=True,
        ),
        Server(
            MOCK_TWO,
            MOCK_LOADS,
            lambda port: [
                *(SPECSERVE, "serve", "--mock", "dfs", "--port", str(port), "--workers", "2")
            ],
            mock_env,
            specserve=True,
        ),
        Server(
            PRISM_MOCK,
            MOCK_LOADS,
            lambda port: [str(PRISM), "mock", str(SPEC), "-p", str(port), "-v", "error"],
        ),
        Server(
            CEILING,
            MOCK_LOADS,
            lambda port: [
                *(str(VENV_BIN / "python"), str(ROOT / "scripts" / "bench_ceiling.py")),
                *(str(body_dir), str(port)),
            ],
            validates=False,
        ),
    ]
    if include_real:
        found.append(
            Server(
                REAL_SQLITE,
                REAL_LOADS,
                lambda port: [SPECSERVE, "serve", "--api", "dfs", "--port", str(port)],
                {
                    "SPECSERVE_DATA_DIR": str(work / "sqlite-data"),
                    "DATABASE_URL": f"sqlite:///{work / 'sqlite-data' / 'specserve.db'}",
                },
                specserve=True,
                seeded=True,
            )
        )
        if postgres_url is not None:
            found.append(
                Server(
                    REAL_POSTGRESQL,
                    REAL_LOADS,
                    lambda port: [SPECSERVE, "serve", "--api", "dfs", "--port", str(port)],
                    {"SPECSERVE_DATA_DIR": str(work / "pg-data"), "DATABASE_URL": postgres_url},
                    specserve=True,
                    seeded=True,
                )
            )
    return found


def capture_mock_answers(work: Path, mock: Server) -> None:
    """The ceiling answers with the very bytes specserve's mock answers."""
    folder = work / "ceiling"
    folder.mkdir(exist_ok=True)
    port = free_port()
    with running(mock, port, work / "capture.log") as base:
        token = specserve_token(port, mock.env)
        auth = {"Authorization": f"Bearer {token}"}
        for load, file in zip(MOCK_LOADS, ("get.json", "post.json"), strict=True):
            answer = httpx.request(
                load.method, base + load.path, json=load.body, headers=auth, timeout=30
            )
            answer.raise_for_status()
            (folder / file).write_bytes(answer.content)


# ---- the run ----------------------------------------------------------------------------


def measure(args: argparse.Namespace, work: Path, postgres_url: str | None) -> list[Measurement]:
    configurations = servers(work, postgres_url, include_real=not args.mock_only)
    capture_mock_answers(work, configurations[0])
    for server in configurations:
        if server.seeded:
            print(f"{server.name}: {args.identities:,} identities in Bill Doe's tenant")
            prepare_real_store(server.env, args.identities)
    results: list[Measurement] = []
    for round_number in range(1, args.rounds + 1):
        order = configurations if round_number % 2 else list(reversed(configurations))
        for server in order:
            port = free_port()
            log = work / f"{slug(server.name)}-{round_number}.log"
            with running(server, port, log) as base:
                if server.specserve:
                    server.token = specserve_token(port, server.env)
                elif not server.token:
                    # Prism checks only that a bearer token is there; the ceiling, nothing.
                    server.token = configurations[0].token or "x.y.z"
                check_answers(server, base)
                for load in server.loads:
                    run_wrk(base, load, server.token, args.warmup, work)
                    figures = run_wrk(base, load, server.token, args.duration, work)
                    results.append(
                        Measurement(
                            server.name,
                            load.name,
                            round_number,
                            figures["rps"],
                            figures["p50"],
                            figures["p99"],
                            int(figures["errors"]),
                        )
                    )
                    print(
                        f"round {round_number}: {server.name:<38} {load.name:<26} "
                        f"{figures['rps']:>9,.0f} req/s  p50 {figures['p50']:6.2f} ms  "
                        f"p99 {figures['p99']:7.2f} ms  errors {int(figures['errors'])}",
                        flush=True,
                    )
    return results


# ---- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    server: str
    load: str
    rps: float  # the median of the rounds
    rps_each: list[float]
    p50_ms: float
    p99_ms: float  # the worst of the rounds
    errors: int


def rows(results: list[Measurement]) -> list[Row]:
    keys = list(dict.fromkeys((m.server, m.load) for m in results))
    found = []
    for server, load in keys:
        runs = [m for m in results if (m.server, m.load) == (server, load)]
        found.append(
            Row(
                server,
                load,
                statistics.median(m.requests_per_second for m in runs),
                [m.requests_per_second for m in runs],
                statistics.median(m.p50_ms for m in runs),
                max(m.p99_ms for m in runs),
                sum(m.errors for m in runs),
            )
        )
    return found


Target = tuple[str, str, bool]  # (target, measured, met)


def targets(table: list[Row], identities: int) -> list[Target]:
    """Each target of the benchmark that this run measured."""
    by = {(row.server, row.load): row for row in table}
    checks: list[Target] = []
    for load in ("GET identity by id", "POST identity search"):
        one, two, prism = (by.get((name, load)) for name in (MOCK_ONE, MOCK_TWO, PRISM_MOCK))
        if one and prism:
            target = f"mock, 1 worker, {load}: at least 1.25x Prism's requests a second"
            checks.append(faster(target, one, prism, 1.25))
            checks.append(
                (
                    f"mock, 1 worker, {load}: p99 no worse than Prism's",
                    f"{one.p99_ms:.1f} ms / {prism.p99_ms:.1f} ms",
                    one.p99_ms <= prism.p99_ms,
                )
            )
        if one and two:
            checks.append(faster(f"mock, {load}: 2 workers at least 1.8x 1 worker", two, one, 1.8))
    get_pg = by.get((REAL_POSTGRESQL, "GET identity by id"))
    get_prism = by.get((PRISM_MOCK, "GET identity by id"))
    if get_pg and get_prism:
        target = "real, PostgreSQL, 1 worker, GET by id: at least Prism's requests a second"
        checks.append(faster(target, get_pg, get_prism, 1.0))
    search = by.get((REAL_POSTGRESQL, "POST search, page of 20"))
    if search:
        checks.append(
            (
                f"real, PostgreSQL, search page of 20 of {identities:,} at 16 connections: "
                "p99 < 50 ms",
                f"{search.p99_ms:.1f} ms",
                search.p99_ms < 50,
            )
        )
    # Errors of the references (Prism's timeouts, say) are in the table; specserve's are a
    # failed target.
    for item in table:
        if item.errors and item.server in SPECSERVE_CONFIGURATIONS:
            checks.append((f"{item.server}, {item.load}: no errors", str(item.errors), False))
    return checks


def faster(target: str, mine: Row, theirs: Row, at_least: float) -> Target:
    """A target of requests a second: `mine` at least `at_least` times `theirs`."""
    ratio = mine.rps / theirs.rps
    return target, f"{ratio:.2f}x ({mine.rps:,.0f} / {theirs.rps:,.0f})", ratio >= at_least


def versions() -> dict[str, str]:
    found = {"Python": platform.python_version()}
    for package in ("connexion", "starlette", "uvicorn", "sqlalchemy", "psycopg"):
        with suppress(Exception):
            found[package] = version(package)
    with suppress(Exception):
        found["Prism"] = subprocess.run(
            [str(PRISM), "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    with suppress(Exception):
        found["wrk"] = (
            subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
            .stdout.split("\n")[0]
            .strip()
        )
    return found


def machine() -> str:
    model = "unknown CPU"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}"


def report(table: list[Row], args: argparse.Namespace, command: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `scripts/bench` (a benchmark, not a test). Every figure below comes from",
        "one run on one machine: wrk and the servers share its cores, so compare within the",
        "table (ratios), not with another machine or another run.",
        "",
        f"- Machine: {machine()}",
        f"- Versions: {', '.join(f'{k} {v}' for k, v in versions().items())}",
        f"- Command: `{command}`",
        f"- Each configuration measured {args.rounds} times, in alternating order, "
        f"{args.duration} s each after a {args.warmup} s warm-up; wrk with 2 threads. Requests a "
        "second: the median of the rounds (each round in brackets); p50: the median; p99: the "
        "worst round's.",
        "- Every specserve configuration validates requests (formats included) and verifies "
        "the bearer token (RS256) on every request. Prism checks only that a token is there. "
        "The Starlette app validates nothing: it is the ceiling.",
        "",
        "| configuration | load | connections | requests/s | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    connections = {load.name: load.connections for load in (*MOCK_LOADS, *REAL_LOADS)}
    for row in table:
        each = ", ".join(f"{rps:,.0f}" for rps in row.rps_each)
        lines.append(
            f"| {row.server} | {row.load} | {connections[row.load]} | {row.rps:,.0f} ({each}) "
            f"| {row.p50_ms:.2f} | {row.p99_ms:.2f} | {row.errors} |"
        )
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for target, measured, met in targets(table, args.identities):
        lines.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    lines += ["", "![requests a second per configuration](benchmarks.png)", ""]
    return "\n".join(lines)


def chart(table: list[Row], path: Path) -> None:
    # matplotlib is the bench extra's, installed by scripts/bench: not needed to import this.
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    loads = list(dict.fromkeys(row.load for row in table))
    figure, axes = plt.subplots(len(loads), 1, figsize=(9, 2.2 + 1.1 * len(table)), squeeze=False)
    for axis, load in zip(axes[:, 0], loads, strict=True):
        chosen = [row for row in table if row.load == load]
        axis.barh([row.server for row in chosen], [row.rps for row in chosen], color="#4a7ab5")
        axis.set_title(load)
        axis.invert_yaxis()
        axis.set_xlabel("requests a second (median of rounds)")
        for index, row in enumerate(chosen):
            axis.text(row.rps, index, f" {row.rps:,.0f}", va="center", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=15, help="seconds measured per load")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per load")
    parser.add_argument("--identities", type=int, default=SEEDED_IDENTITIES)
    parser.add_argument("--mock-only", action="store_true", help="leave out real mode")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None or not PRISM.exists():
        raise SystemExit("bench: run through scripts/bench, which installs wrk and Prism")
    command = "scripts/bench " + " ".join(sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="specserve-bench-") as scratch:
        work = Path(scratch)
        if args.mock_only:
            results = measure(args, work, None)
        else:
            bin_dir = find_bin_dir()
            if bin_dir is None:
                raise SystemExit("bench: PostgreSQL is not installed (scripts/ensure-postgres)")
            with throwaway_cluster(bin_dir) as postgres_url:
                results = measure(args, work, postgres_url)
    table = rows(results)
    text = report(table, args, command.strip())
    args.out.write_text(text)
    chart(table, args.out.with_name("benchmarks.png"))
    print()
    print(text)


if __name__ == "__main__":
    main()
