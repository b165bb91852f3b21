"""`specserve serve --mock` and `--sandbox` as processes: reload on changed fixtures and specs,
and a sandbox's state over HTTP."""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from specserve.settings import PROJECT_ROOT
from tests.e2e.test_serve import environment, run_server
from tests.support.accesscontrol import BASE, KEY_HEADER

server = contextlib.contextmanager(run_server)

BILL = "3fa85f64-5717-4562-b3fc-2c963f66afa4"
# The search's PageSize bounds in specs/dfs-admin.yaml, which the reload test changes.
SEARCH_SCHEMA_LIMIT = (
    "          maximum: 100\n"
    "          default: 10\n"
    "          description: Results per page, 1 to 100; default 10."
)


def eventually(check: Callable[[], bool], seconds: float = 45) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except httpx.TransportError:
            pass  # restarting
        time.sleep(0.3)
    return False


def test_reload_picks_up_changed_fixtures_and_specs(tmp_path: Path, sqlite_databases: Any) -> None:
    fixtures = tmp_path / "fixtures"
    specs = tmp_path / "specs"
    shutil.copytree(PROJECT_ROOT / "fixtures", fixtures)
    shutil.copytree(PROJECT_ROOT / "specs", specs)
    env = environment(
        tmp_path,
        DATABASE_URL=sqlite_databases.fresh(tmp_path),
        SPECSERVE_FIXTURES_DIR=str(fixtures),
        SPECSERVE_SPECS_DIR=str(specs),
    )
    with server(
        env, tmp_path / "serve.log", "--mock", "dfs", "--mock-auth", "off", "--reload"
    ) as base:

        def first_name() -> str:
            return str(httpx.get(f"{base}/v1.0/identities/{BILL}").json()["FirstName"])

        def page_of(size: int) -> int:
            return httpx.post(f"{base}/v1.0/identities/search", json={"PageSize": size}).status_code

        assert first_name() == "Bill"
        fixture = fixtures / "mock/dfs/getIdentity.yaml"
        fixture.write_text(fixture.read_text().replace("FirstName: Bill", "FirstName: William"))
        assert eventually(lambda: first_name() == "William"), (tmp_path / "serve.log").read_text()

        assert page_of(80) == 200
        spec = specs / "dfs-admin.yaml"
        assert SEARCH_SCHEMA_LIMIT in spec.read_text()
        spec.write_text(
            spec.read_text().replace(
                SEARCH_SCHEMA_LIMIT, SEARCH_SCHEMA_LIMIT.replace("maximum: 100", "maximum: 50")
            )
        )
        assert eventually(lambda: page_of(80) == 400), (tmp_path / "serve.log").read_text()


def test_a_sandbox_keeps_what_it_is_sent_until_reset_and_leaves_nothing_behind(
    tmp_path: Path,
) -> None:
    before = (
        set(Path("/dev/shm").glob("specserve-sandbox-*")) if Path("/dev/shm").is_dir() else set()
    )
    identity = {"id": "11111111-2222-4333-8444-555555555555", "name": "Zoe", "type": 0}
    with server(
        environment(tmp_path), tmp_path / "serve.log", "--sandbox", "accesscontrol"
    ) as base:
        url = f"{base}{BASE}/identities/{identity['id']}"
        assert (
            httpx.post(f"{base}{BASE}/identities", headers=KEY_HEADER, json=identity).status_code
            == 200
        )
        assert httpx.get(url, headers=KEY_HEADER).json()["name"] == "Zoe"
        assert httpx.post(f"{base}/_specserve/reset").status_code == 200
        assert httpx.get(url, headers=KEY_HEADER).status_code == 404
        logged = httpx.get(f"{base}/_specserve/requests").json()
        assert [entry["response"]["status"] for entry in logged] == [404]
    after = (
        set(Path("/dev/shm").glob("specserve-sandbox-*")) if Path("/dev/shm").is_dir() else set()
    )
    assert after <= before
