"""A bounded mixed load over the four APIs (20,000 requests, reads and writes, 32 clients at
once) against `specserve serve` on PostgreSQL with two workers: no answer is a 5xx, and
afterwards the store holds exactly what the acknowledged writes say, resource by resource."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_serve import environment, run_server
from tests.support import mixed_load

pytestmark = pytest.mark.postgresql

server = contextlib.contextmanager(run_server)
REQUESTS = 20_000


def test_a_mixed_load_leaves_the_store_as_the_acknowledged_writes_say(
    tmp_path: Path, postgresql_databases: Any
) -> None:
    tag = f"m{uuid.uuid4().hex[:5]}"
    with postgresql_databases.lent(tmp_path) as url:
        # The load's own clients send no wrong credentials; the limit stays as a server has it.
        env = environment(tmp_path, DATABASE_URL=url)
        with server(env, tmp_path / "serve.log", "--workers", "2") as base:
            expected, tally = asyncio.run(mixed_load.run(base, requests=REQUESTS, tag=tag))
        found = mixed_load.stored(url, tag)
    summary = f"{tally.requests} requests in {tally.seconds:.0f} s: {dict(tally.statuses)}"
    assert tally.requests >= REQUESTS, summary
    assert tally.server_errors == 0, summary
    assert set(tally.statuses) <= {"200", "204", "404"}, summary
    assert tally.acknowledged_writes > REQUESTS // 5, summary
    assert not expected.in_doubt, summary  # every request was answered
    for api in ("dfs", "accesscontrol", "ansysid", "primedocs"):
        assert getattr(expected, api), f"no write of {api} was acknowledged: {summary}"
    assert mixed_load.differences(expected, found) == {
        "dfs": [],
        "accesscontrol": [],
        "ansysid": [],
        "primedocs": [],
    }, summary
