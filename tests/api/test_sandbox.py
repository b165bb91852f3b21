"""Sandbox mode: the real handlers over a throwaway store seeded from fixtures/seed; what a
client writes it reads back until it resets the sandbox; its recent requests are listed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from specserve.app import create_app
from specserve.request_log import CapturedBody
from specserve.sandbox import remove_orphans
from specserve.settings import Settings, SettingsError
from tests.api.test_b2c_signin import authorize, create_pat, redirected
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


def _log(sandbox: TestClient, limit: int = 1) -> Any:
    listed = sandbox.get(f"/_specserve/requests?limit={limit}")
    assert listed.status_code == 200
    return listed.json()


def test_secrets_in_large_bodies_are_redacted_too(sandbox: TestClient) -> None:
    body = {**NEW_IDENTITY, "description": "x" * 5000, "password": "Sup3r-Secret!"}
    sandbox.post(f"{BASE}/identities", headers=KEY_HEADER, json=body)
    (entry,) = _log(sandbox)
    assert "Sup3r-Secret!" not in str(entry)
    assert entry["request"]["body"].endswith("…")
    huge = json.dumps({"password": "Sup3r-Secret!", "padding": "y" * 70_000}).encode()
    headers = {**KEY_HEADER, "Content-Type": "application/json"}
    sandbox.post(f"{BASE}/identities", headers=headers, content=huge)
    (entry,) = _log(sandbox)
    assert (
        entry["request"]["body"] == f"({len(huge)} bytes, too large to look for secrets: not shown)"
    )


def test_unreadable_bodies_are_not_shown_and_the_log_stays_json(sandbox: TestClient) -> None:
    json_body = {"Content-Type": "application/json", **KEY_HEADER}
    sandbox.post(f"{BASE}/identities", headers=json_body, content=b'{"type": NaN}')
    sandbox.post(f"{BASE}/identities", headers=json_body, content=b"[" * 1500)
    nested, nan = _log(sandbox, 2)
    assert nan["request"]["body"] == "(13 bytes, not valid JSON: not shown)"
    assert nested["request"]["body"] == "(1500 bytes, not valid JSON: not shown)"


@pytest.mark.parametrize(
    ("content_type", "body", "shown"),
    [
        (
            "text/plain",
            b'{"password": "S3cret", "name": "x"}',
            '{"password": "(redacted)", "name": "x"}',
        ),
        (
            "text/plain",
            b"grant_type=password&password=S3cret",
            "grant_type=password&password=(redacted)",
        ),
        ("application/x-www-form-urlencoded", b"code=abc&state=1", "code=%28redacted%29&state=1"),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\n",
            "(5 bytes of multipart/form-data: not shown)",
        ),
        ("application/octet-stream", b"\xff\xfe", {"base64": "//4=", "size": 2}),
        (
            "application/json",
            b'{"tokenId": "1", "token_type": "Bearer", "access_token": "a", "Key": "k"}',
            {
                "tokenId": "1",
                "token_type": "Bearer",
                "access_token": "(redacted)",
                "Key": "(redacted)",
            },
        ),
    ],
)
def test_what_the_log_shows_of_a_body(content_type: str, body: bytes, shown: Any) -> None:
    captured = CapturedBody()
    captured.add(body)
    assert captured.shown(content_type) == shown


def test_codes_and_hints_of_the_sign_in_are_redacted_but_ids_are_not(data_dir: Path) -> None:
    app = create_app(sandbox_settings(data_dir, apis=("ansysid",)))
    with TestClient(app, raise_server_exceptions=False) as client:
        pat = create_pat(client)
        signed_in = authorize(client, id_token_hint=pat["token"])
        code = redirected(signed_in)["code"]
        authorize_entry, create_entry = _log(client, 3)[:2]
    logged = str(authorize_entry) + str(create_entry)
    assert pat["token"] not in logged and code not in logged
    assert "id_token_hint=%28redacted%29" in authorize_entry["query"]
    assert "code=%28redacted%29" in authorize_entry["response"]["headers"]["location"]
    assert create_entry["response"]["body"]["tokenId"] == pat["tokenId"]
    assert create_entry["response"]["body"]["token"] == "(redacted)"
    app.services.store.dispose()


def test_the_sandbox_operations_refuse_other_origins(sandbox: TestClient) -> None:
    for method, path in (("GET", "/_specserve/requests"), ("POST", "/_specserve/reset")):
        evil = {"Origin": "https://evil.example", "Content-Type": "text/plain"}
        refused = sandbox.request(method, path, headers=evil, content=b"x")
        problem(refused, 403)
        assert "access-control-allow-origin" not in refused.headers
        own = sandbox.request(method, path, headers={"Origin": "http://testserver"})
        assert own.status_code == 200
    # The APIs themselves are open to browsers.
    api = sandbox.get(f"{BASE}/identities", headers={**KEY_HEADER, "Origin": "https://a.test"})
    assert api.headers["access-control-allow-origin"] == "*"


def test_the_sandbox_operations_in_another_case_are_not_logged(sandbox: TestClient) -> None:
    sandbox.get("/_SPECSERVE/requests")
    sandbox.post("/_Specserve/reset")
    assert _log(sandbox, 10) == []


def test_folders_of_sandboxes_whose_process_died_are_removed(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead, alive = tmp_path / "specserve-sandbox-dead", tmp_path / "specserve-sandbox-alive"
    for folder, pid in ((dead, finished.stdout.strip()), (alive, str(os.getpid()))):
        folder.mkdir()
        (folder / "owner.pid").write_text(pid)
    assert remove_orphans(tmp_path) == [dead]
    assert alive.is_dir() and not dead.exists()
