"""`specserve serve` as a user runs it: a process on a loopback port, then the seed's examples."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PRIMEDOCS_DATASOURCE
from tests.support.processes import free_port, wait_until_up

ADMIN = f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/Admin"
SPECSERVE = [sys.executable, "-m", "specserve"]


def run_server(env: dict[str, str], log: Path, *args: str) -> Iterator[str]:
    """Yield the base URL of a running `specserve serve`; its output goes to `log`. With
    `--tls`, the URL is https://localhost (the name its certificate is made for)."""
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [*SPECSERVE, "serve", "--port", str(port), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )
    base = f"https://localhost:{port}" if "--tls" in args else f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # A clean shutdown: uvicorn finishes what is in flight, runs the app's shutdown (the
        # store closed), then exits 0, or re-raises the SIGTERM it caught (-15).
        written = log.read_text()
        assert process.returncode in (0, -signal.SIGTERM), written[-2000:]
        assert "Application shutdown complete" in written, written[-2000:]


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SPECSERVE_") and k != "DATABASE_URL"
    }
    return {**env, "SPECSERVE_DATA_DIR": str(tmp_path / "data"), **extra}


def demo_client_auth(base: str) -> dict[str, str]:
    """The seed's token request, as its PowerShell example sends it."""
    token = httpx.post(
        f"{base}/ids/connect/token",
        data={
            "client_id": "CustomApiClient",
            "client_secret": "CustomClient_Secret_123",
            "grant_type": "client_credentials",
            "scope": "pd_AdminWebApi",
        },
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def walk_the_seed_examples(base: str) -> None:
    headers = demo_client_auth(base)
    users = httpx.get(f"{base}{ADMIN}/Users?pageSize=2&page=1", headers=headers)
    assert users.status_code == 200
    assert users.json()["pagingDetails"] == {"pageSize": 2, "page": 1, "totalPages": 2}
    onboarded = httpx.post(
        f"{base}{ADMIN}/Users?sid=S-1-5-21-3623811015-3361044348-30300820-1106", headers=headers
    )
    assert onboarded.status_code == 200
    assert onboarded.json()["title"] == "Jonas Weber"


def test_serve_on_a_fresh_data_folder_seeds_sqlite_and_answers(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    for base in run_server(environment(tmp_path), log):
        walk_the_seed_examples(base)
    assert (tmp_path / "data" / "specserve.db").exists()
    assert f"POST {ADMIN}/Users 200" in log.read_text()


@pytest.mark.postgresql
def test_two_workers_share_one_postgresql(tmp_path: Path, postgresql_databases) -> None:
    env = environment(tmp_path, DATABASE_URL=postgresql_databases.empty())
    for command in (["db", "upgrade"], ["db", "seed"]):
        subprocess.run([*SPECSERVE, *command], env=env, check=True, capture_output=True)
    log = tmp_path / "server.log"
    for base in run_server(env, log, "--workers", "2"):
        walk_the_seed_examples(base)
        # Both workers answer from the same database: the onboarded user is seen by each.
        headers = demo_client_auth(base)
        for _ in range(6):
            listed = httpx.get(f"{base}{ADMIN}/Users", headers=headers)
            assert "Jonas Weber" in {user["title"] for user in listed.json()["data"]}
    # Each worker writes the access log too (the walk above listed users once more).
    assert log.read_text().count(f"GET {ADMIN}/Users 200") == 7


@pytest.mark.postgresql
def test_serve_refuses_an_unmigrated_postgresql(tmp_path: Path, postgresql_databases) -> None:
    env = environment(tmp_path, DATABASE_URL=postgresql_databases.empty())
    result = subprocess.run(
        [*SPECSERVE, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "specserve db upgrade" in result.stderr
