"""`kill -9` of a worker of `specserve serve` (PostgreSQL, two workers) while clients write:
every write that was acknowledged is in the store after the server is started again, and no
write is half there (a DFS identity is its identity, member and tenant access rows, or none).

The writes are DFS identity creations (three tables in one transaction), each with a user name
of its own, so that what the store holds can be told apart write by write."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.e2e.test_serve import environment, run_server
from tests.support.dfs import identity_auth
from tests.support.processes import workers_serving

pytestmark = pytest.mark.postgresql

server = contextlib.contextmanager(run_server)
WRITERS = 8
# The load goes on this long before the kill, and this long after it.
BEFORE_KILL = 1.5
AFTER_KILL = 2.0


def test_acknowledged_writes_survive_a_killed_worker(
    tmp_path: Path, postgresql_databases: Any
) -> None:
    prefix = f"k{uuid.uuid4().hex[:6]}"
    with postgresql_databases.lent(tmp_path) as url:
        env = environment(tmp_path, DATABASE_URL=url)
        with server(env, tmp_path / "serve.log", "--workers", "2") as base:
            acknowledged, refused = _write_while_a_worker_is_killed(base, prefix)
        # The server again, from the start, over the same database.
        with server(env, tmp_path / "again.log") as base, httpx.Client(base_url=base) as client:
            search = client.post(
                "/v1.0/identities/search",
                json={"SearchTerm": prefix, "PageSize": 1},
                headers=identity_auth(client),  # type: ignore[arg-type]
            )
            assert search.status_code == 200, search.text
        stored = _stored_identities(url, prefix)

    assert len(acknowledged) > WRITERS, "the load made too few writes to mean anything"
    assert acknowledged <= set(stored), sorted(acknowledged - set(stored))[:10]
    half_written = {name: parts for name, parts in stored.items() if parts != (1, 1)}
    assert not half_written, half_written
    # No answer but 200: the only writes not acknowledged are those the killed worker held.
    assert not [name for name in refused if ": " in name], refused[:5]
    assert search.json()["TotalCount"] == len(stored)


def _write_while_a_worker_is_killed(base: str, prefix: str) -> tuple[set[str], list[str]]:
    """Creations from WRITERS threads, each user name its own; one worker killed meanwhile.
    The user names acknowledged (200), and those that were not (with the answer, if any)."""
    auth = identity_auth(httpx.Client(base_url=base))  # type: ignore[arg-type]
    acknowledged: set[str] = set()
    refused: list[str] = []
    stop = threading.Event()

    def write(writer: int) -> None:
        count = 0
        while not stop.is_set():
            count += 1
            name = f"{prefix}.{writer}.{count}"
            body = {"FirstName": "K", "LastName": name, "Username": name, "IdentityRoleId": 1}
            try:
                answer = httpx.post(f"{base}/v1.2/identities", json=body, headers=auth, timeout=30)
            except httpx.TransportError:
                refused.append(name)  # its worker died under it: not acknowledged
                continue
            if answer.status_code == 200:
                acknowledged.add(name)
            else:
                refused.append(f"{name}: {answer.status_code} {answer.text[:200]}")

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        for writer in range(WRITERS):
            pool.submit(write, writer)
        time.sleep(BEFORE_KILL)
        workers = workers_serving(base)
        assert len(workers) == 2, workers
        os.kill(workers[0], signal.SIGKILL)
        time.sleep(AFTER_KILL)
        stop.set()
    return acknowledged, refused


def _stored_identities(database_url: str, prefix: str) -> dict[str, tuple[int, int]]:
    """user name -> (its member rows, its tenant access rows), for the test's identities."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT i.user_name,"
                    " (SELECT count(*) FROM dfs_members m WHERE m.id = i.member_id),"
                    " (SELECT count(*) FROM dfs_tenant_access a WHERE a.identity_id = i.id)"
                    " FROM dfs_identities i WHERE i.user_name LIKE :prefix"
                ),
                {"prefix": f"{prefix}.%"},
            )
            return {name: (members, accesses) for name, members, accesses in rows}
    finally:
        engine.dispose()
