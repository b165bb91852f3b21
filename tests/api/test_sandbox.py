"""Sandbox mode: the real handlers over a throwaway store seeded from fixtures/seed; what a
client writes it reads back until it resets the sandbox; its recent requests are listed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from specserve.app import create_app
from specserve.settings import Settings, SettingsError
from tests.support.accesscontrol import ANDERS, BASE, KEY_HEADER, problem
from tests.support.dfs import identity_auth

NEW = "11111111-2222-4333-8444-555555555555"
NEW_IDENTITY = {"id": NEW, "name": "Zoe Sandbox", "type": 0}


def sandbox_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(data_dir=data_dir, public_url="http://testserver", mode="sandbox", **overrides)


@pytest.fixture
def sandbox(data_dir: Path) -> Iterator[TestClient]:
    app = create_app(sandbox_settings(data_dir, apis=("accesscontrol", "dfs"), request_log_size=5))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.services.store.dispose()


def test_what_a_client_writes_it_reads_back(sandbox: TestClient) -> None:
    created = sandbox.post(f"{BASE}/identities", headers=KEY_HEADER, json=NEW_IDENTITY)
    assert created.status_code == 200, created.text
    read = sandbox.get(f"{BASE}/identities/{NEW}", headers=KEY_HEADER)
    assert (read.status_code, read.json()["name"]) == (200, "Zoe Sandbox")


def test_reset_puts_the_seed_back(sandbox: TestClient) -> None:
    sandbox.post(f"{BASE}/identities", headers=KEY_HEADER, json=NEW_IDENTITY)
    assert sandbox.delete(f"{BASE}/identities/{ANDERS}", headers=KEY_HEADER).status_code == 200
    before = sandbox.post("/_specserve/reset")
    assert before.status_code == 200
    assert before.json()["tables"] > 10 and before.json()["rows"] > 100
    problem(sandbox.get(f"{BASE}/identities/{NEW}", headers=KEY_HEADER), 404)
    assert sandbox.get(f"{BASE}/identities/{ANDERS}", headers=KEY_HEADER).status_code == 200
    # Again: the same rows.
    assert sandbox.post("/_specserve/reset").json()["rows"] == before.json()["rows"]


def test_the_seeded_demo_credentials_work(sandbox: TestClient) -> None:
    assert sandbox.get("/v1.0/access-policies", headers=identity_auth(sandbox)).status_code == 200


def test_recent_requests_are_listed_newest_first_without_secrets(sandbox: TestClient) -> None:
    sandbox.post(f"{BASE}/identities", headers=KEY_HEADER, json=NEW_IDENTITY)
    sandbox.post(
        "/ids/connect/token",
        data={"grant_type": "password", "username": "additiv", "password": "Additiv-Demo-1"},
    )
    sandbox.get(
        f"{BASE}/identities?api_key=ssk_secret-in-query", headers={"X-Correlation-ID": "c-1"}
    )
    listed = sandbox.get("/_specserve/requests")
    assert listed.status_code == 200
    entries = listed.json()
    assert [(e["method"], e["path"]) for e in entries] == [
        ("GET", f"{BASE}/identities"),
        ("POST", "/ids/connect/token"),
        ("POST", f"{BASE}/identities"),
    ]
    newest, token, created = entries
    assert newest["correlationId"] == "c-1"
    assert newest["query"] == "api_key=%28redacted%29"
    assert newest["response"]["status"] == 401
    assert token["request"]["body"] == (
        "grant_type=password&username=additiv&password=%28redacted%29"
    )
    assert created["request"]["headers"]["x-api-key"] == "(redacted)"
    assert created["request"]["body"] == NEW_IDENTITY
    assert (created["response"]["status"], created["response"]["body"]) == (200, None)
    text = listed.text
    for secret in ("ssk_demo", "ssk_secret", "Additiv-Demo-1"):
        assert secret not in text


def test_the_request_log_is_bounded_and_takes_a_limit(sandbox: TestClient) -> None:
    for _ in range(8):
        sandbox.get(f"{BASE}/identities", headers=KEY_HEADER)
    assert len(sandbox.get("/_specserve/requests").json()) == 5  # request_log_size
    assert len(sandbox.get("/_specserve/requests?limit=2").json()) == 2
    problem(sandbox.get("/_specserve/requests?limit=0"), 400)
    problem(sandbox.get("/_specserve/requests?limit=1001"), 400)
    # Its own requests and the docs' are not in it; a reset empties it.
    sandbox.get("/_specserve/")
    assert all(e["path"].startswith(BASE) for e in sandbox.get("/_specserve/requests").json())
    sandbox.post("/_specserve/reset")
    assert sandbox.get("/_specserve/requests").json() == []


def test_the_sandbox_operations_are_documented_beside_the_apis(sandbox: TestClient) -> None:
    spec = sandbox.get("/_specserve/docs/sandbox/openapi.json")
    assert spec.status_code == 200
    assert set(spec.json()["paths"]) == {"/reset", "/requests"}
    assert sandbox.get("/_specserve/apis").status_code == 200


def test_the_sandbox_operations_exist_only_in_a_sandbox(all_client: TestClient) -> None:
    assert all_client.post("/_specserve/reset").status_code == 404


def test_a_sandbox_runs_one_worker(data_dir: Path) -> None:
    with pytest.raises(SettingsError, match="one worker"):
        sandbox_settings(data_dir, workers=2).check()


def test_each_sandbox_has_its_own_data(data_dir: Path) -> None:
    apps = [create_app(sandbox_settings(data_dir, apis=("accesscontrol",))) for _ in range(2)]
    first, second = (TestClient(app, raise_server_exceptions=False) for app in apps)
    first.post(f"{BASE}/identities", headers=KEY_HEADER, json=NEW_IDENTITY)
    assert first.get(f"{BASE}/identities/{NEW}", headers=KEY_HEADER).status_code == 200
    assert second.get(f"{BASE}/identities/{NEW}", headers=KEY_HEADER).status_code == 404
    for app in apps:
        app.services.store.dispose()
