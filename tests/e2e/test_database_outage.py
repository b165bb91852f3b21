"""PostgreSQL stopped under a running `specserve serve` (two workers): every API answers 503 in
its own format, quickly, while the database is away, and works again once it is back, without
a restart of the server."""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PRIMEDOCS_DATASOURCE
from tests.e2e.test_serve import SPECSERVE, environment, run_server
from tests.support.accesscontrol import BASE as ACCESS_CONTROL
from tests.support.accesscontrol import KEY_HEADER
from tests.support.ansysid import ADMIN, password_grant
from tests.support.dfs import identity_auth
from tests.support.postgres import find_bin_dir, restartable_cluster
from tests.support.tokens import DEMO_CLIENT, bearer, fetch_token

pytestmark = pytest.mark.postgresql

server = contextlib.contextmanager(run_server)
BILL_DOE = "3fa85f64-5717-4562-b3fc-2c963f66afa4"
# How long an answer may take while the database is away.
QUICKLY = 5.0
# How long the server may take to notice that it is back.
RECOVERY = 30.0


def reads(client: httpx.Client) -> dict[str, tuple[str, dict[str, str]]]:
    """api -> (a read of the database, its credentials), the tokens taken while it is up."""
    ansysid = password_grant(client, ADMIN)["access_token"]  # type: ignore[arg-type]
    return {
        "dfs": (f"/v1.0/identities/{BILL_DOE}", identity_auth(client)),  # type: ignore[arg-type]
        "ansysid": ("/Accounts", bearer(ansysid)),
        "primedocs": (
            f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/Admin/Users",
            bearer(fetch_token(client)),  # type: ignore[arg-type]
        ),
        "accesscontrol": (f"{ACCESS_CONTROL}/identities", KEY_HEADER),
    }


def unavailable(api: str, response: httpx.Response) -> None:
    assert response.status_code == 503, f"{api}: {response.status_code} {response.text[:300]}"
    body: dict[str, Any] = response.json()
    if api == "dfs":
        assert body["Code"] == "ServiceUnavailable"
    elif api == "token":
        assert body["error"] == "temporarily_unavailable"
    else:
        assert response.headers["content-type"] == "application/problem+json"
        assert body["status"] == 503


def test_an_outage_is_503_quickly_and_then_over(tmp_path: Path) -> None:
    bin_dir = find_bin_dir()
    assert bin_dir is not None, "PostgreSQL is not installed (scripts/ensure-postgres)"
    with restartable_cluster(bin_dir) as cluster:
        env = environment(tmp_path, DATABASE_URL=cluster.url)
        for command in (["db", "upgrade"], ["db", "seed"]):
            subprocess.run([*SPECSERVE, *command], env=env, check=True, capture_output=True)
        with (
            server(env, tmp_path / "serve.log", "--workers", "2") as base,
            httpx.Client(base_url=base, timeout=60) as client,
        ):
            calls = reads(client)
            for api, (path, headers) in calls.items():
                assert client.get(path, headers=headers).status_code == 200, api

            cluster.stop()
            for _ in range(3):  # each worker, and connections already open and new ones
                for api, (path, headers) in calls.items():
                    started = time.monotonic()
                    response = client.get(path, headers=headers)
                    assert time.monotonic() - started < QUICKLY, api
                    unavailable(api, response)
                token = client.post(
                    "/ids/connect/token", data={**DEMO_CLIENT, "grant_type": "client_credentials"}
                )
                unavailable("token", token)

            cluster.start()
            deadline = time.monotonic() + RECOVERY
            waiting = dict(calls)
            while waiting and time.monotonic() < deadline:
                for api, (path, headers) in list(waiting.items()):
                    if client.get(path, headers=headers).status_code == 200:
                        del waiting[api]
                time.sleep(0.2)
            assert not waiting, f"still failing {RECOVERY} s after the database came back"
            # Every worker and connection recovered: a run of reads all answer.
            for _ in range(10):
                for api, (path, headers) in calls.items():
                    assert client.get(path, headers=headers).status_code == 200, api
