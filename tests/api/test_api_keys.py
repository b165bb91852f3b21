"""API keys of the Access Control API: where they go, which are refused, and that they never
reach the log."""

from __future__ import annotations

import logging

import pytest
from starlette.testclient import TestClient

from store import Store
from tests.support.accesscontrol import BASE, DEMO_KEY, problem
from tests.support.secret_watch import used_secret

IDENTITIES = f"{BASE}/identities"


def test_the_key_works_in_its_header(all_client: TestClient) -> None:
    assert all_client.get(IDENTITIES, headers={"x-api-key": DEMO_KEY}).status_code == 200


def test_the_key_works_as_a_query_parameter(all_client: TestClient) -> None:
    assert all_client.get(IDENTITIES, params={"api_key": DEMO_KEY}).status_code == 200


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({}, {}),
        ({"x-api-key": "ssk_wrong"}, {}),
        ({}, {"api_key": "ssk_wrong"}),
        ({"x-api-key": ""}, {}),
        ({"Authorization": f"Bearer {DEMO_KEY}"}, {}),
    ],
    ids=["missing", "wrong-header", "wrong-query", "empty", "as-bearer"],
)
def test_no_valid_key_is_401(
    all_client: TestClient, headers: dict[str, str], params: dict[str, str]
) -> None:
    problem(all_client.get(IDENTITIES, headers=headers, params=params), 401)


def test_a_revoked_key_is_401_and_a_new_one_works(all_client: TestClient, all_app: object) -> None:
    store: Store = all_app.services.store  # type: ignore[attr-defined]
    with store.unit_of_work() as uow:
        fresh = used_secret(uow.api_keys.create("ci"))
        uow.api_keys.revoke("demo")
    problem(all_client.get(IDENTITIES, headers={"x-api-key": DEMO_KEY}), 401)
    assert all_client.get(IDENTITIES, headers={"x-api-key": fresh}).status_code == 200
    with store.unit_of_work() as uow:
        used = {key.name: key for key in uow.api_keys.list()}
    assert used["ci"].last_used_at is not None
    assert used["demo"].revoked_at is not None


def test_keys_never_reach_the_log(all_client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        all_client.get(IDENTITIES, params={"api_key": DEMO_KEY})
        all_client.get(IDENTITIES, headers={"x-api-key": DEMO_KEY})
        all_client.get(IDENTITIES, params={"api_key": "ssk_wrong-one"})
    # Every record but the test client's own (httpx logs the URL it sends, key and all).
    server = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    access = [r.getMessage() for r in caplog.records if r.name == "specserve.access"]
    assert len(access) == 3
    assert not [line for line in server if DEMO_KEY in line or "ssk_wrong-one" in line]
