"""The `specserve` command line, in process."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jwt
import pytest
import sqlalchemy as sa
import uvicorn
from starlette.testclient import TestClient

from specserve.apis import API_NAMES
from specserve.app import create_app
from specserve.cli import main
from specserve.settings import Settings
from tests.conftest import PRIMEDOCS_DATASOURCE


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DATABASE_URL", "SPECSERVE_PUBLIC_URL", "SPECSERVE_PORT", "SPECSERVE_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPECSERVE_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    "argv", [["--help"], ["serve", "--help"], ["db", "--help"], ["token", "--help"]]
)
def test_help_explains_each_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "usage: specserve" in capsys.readouterr().out


def test_db_commands_build_and_rebuild_the_database(environment: Path) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "seed"]) == 0
    assert (environment / "specserve.db").exists()
    assert main(["db", "reset"]) == 0


def test_token_prints_a_token_the_server_accepts(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--api", "primedocs", "--port", "8080"]) == 0
    token = capsys.readouterr().out.strip()
    app = create_app(Settings.from_env())
    response = TestClient(app).get(
        f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/Admin/Users",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200


def test_production_refuses_demo_data_and_placeholder_settings(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPECSERVE_ENV", "production")
    assert main(["db", "seed"]) == 2
    assert main(["serve"]) == 2
    assert "DATABASE_URL" in capsys.readouterr().err


def test_unknown_api_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--api", "nothing"])
    assert exit_info.value.code == 2


def test_token_works_on_a_data_folder_not_made_yet(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPECSERVE_DATA_DIR", str(environment / "not" / "yet"))
    assert main(["token", "--api", "primedocs"]) == 0
    assert capsys.readouterr().out.count(".") == 2


def test_a_malformed_setting_is_a_clear_error(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPECSERVE_PORT", "abc")
    assert main(["db", "upgrade"]) == 2
    assert "SPECSERVE_PORT must be a whole number" in capsys.readouterr().err


def test_token_refuses_a_demo_client_without_the_apis_scope(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "reset"]) == 0
    engine = sa.create_engine(f"sqlite:///{environment / 'specserve.db'}")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE ids_client_scopes SET scope = 'pd_ReportingApi' "
                "WHERE client_id = 'CustomApiClient'"
            )
        )
    engine.dispose()
    assert main(["token", "--api", "primedocs"]) == 2
    assert "may not ask for" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "subject", "tenant"),
    [
        ([], "01000000-0000-0000-0000-000000000000", "Additiv"),
        (
            ["--user", "BDOU", "--tenant", "additiv"],
            "3fa85f64-5717-4562-b3fc-2c963f66afa4",
            "Additiv",
        ),
    ],
)
def test_token_for_dfs_signs_in_a_demo_identity(
    environment: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    subject: str,
    tenant: str,
) -> None:
    assert main(["token", "--api", "dfs", *argv]) == 0
    claims = jwt.decode(capsys.readouterr().out.strip(), options={"verify_signature": False})
    assert (claims["sub"], claims["tenant_key"], claims["aud"]) == (subject, tenant, ["DFS.Api"])


def test_token_refuses_an_unknown_demo_identity(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--api", "dfs", "--user", "nobody"]) == 2
    assert "no demo identity 'nobody'" in capsys.readouterr().err


def test_keys_are_printed_once_listed_without_their_value_and_revoked(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "create", "--name", "build-server"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("ssk_") and len(key) > 40
    assert main(["keys", "create", "--name", "build-server"]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert "build-server" in listed and "demo" in listed
    assert key not in listed
    client = TestClient(create_app(Settings.from_env().with_overrides(apis=API_NAMES)))
    identities = "/api/v1/accesscontrol/identities"
    assert client.get(identities, headers={"x-api-key": key}).status_code == 200
    assert main(["keys", "revoke", "build-server"]) == 0
    assert client.get(identities, headers={"x-api-key": key}).status_code == 401
    assert main(["keys", "revoke", "nobody"]) == 2
    assert "No key named 'nobody'" in capsys.readouterr().err


def test_access_groups_are_added_and_removed(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group = "5b0f3c1d-2b4f-4c6a-8d9e-0f1a2b3c4d99"
    assert main(["accesscontrol", "groups", "add", "--name", "Night shift", "--id", group]) == 0
    assert capsys.readouterr().out.strip() == group
    assert main(["accesscontrol", "groups", "list"]) == 0
    assert f"{group}  Night shift" in capsys.readouterr().out
    assert main(["accesscontrol", "groups", "remove", group]) == 0
    assert main(["accesscontrol", "groups", "remove", group]) == 2
    assert "No access group" in capsys.readouterr().err
    assert main(["accesscontrol", "groups", "add", "--name", ""]) == 2
    assert main(["keys", "create", "--name", "k" * 101]) == 2
    assert "1 to" in capsys.readouterr().err


@pytest.fixture
def serve_calls(
    environment: Path, monkeypatch: pytest.MonkeyPatch, sqlite_databases: Any
) -> list[dict[str, Any]]:
    """`specserve serve` without starting uvicorn: the settings it hands the workers, and
    uvicorn's arguments."""
    calls: list[dict[str, Any]] = []
    # _serve writes the workers' settings into the environment: a copy, not this process's.
    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setenv("DATABASE_URL", sqlite_databases.fresh(environment))
    monkeypatch.setattr(
        uvicorn,
        "run",
        lambda *args, **kwargs: calls.append({**kwargs, "settings": Settings.from_env()}),
    )
    return calls


def test_serve_mock_names_its_apis_and_resilience_settings(
    serve_calls: list[dict[str, Any]],
) -> None:
    argv = [
        "serve", "--mock", "dfs", "ansysid", "--mock-auth", "presence", "--latency", "10..20",
        "--fault-rate", "0.1", "--cors-origin", "http://app.test", "--reload",
    ]  # fmt: skip
    assert main(argv) == 0
    (call,) = serve_calls
    settings = call["settings"]
    assert (settings.mode, settings.apis, settings.mock_auth) == (
        "mock",
        ("dfs", "ansysid"),
        "presence",
    )
    assert (settings.latency_ms, settings.fault_rate) == ((10, 20), 0.1)
    assert settings.cors_origins == ("http://app.test",)
    assert call["reload"] is True
    assert {Path(d).name for d in call["reload_dirs"]} == {"specs", "fixtures"}


def test_serve_mock_without_names_mocks_every_api(serve_calls: list[dict[str, Any]]) -> None:
    assert main(["serve", "--mock"]) == 0
    assert serve_calls[0]["settings"].apis == API_NAMES
    assert serve_calls[0]["settings"].mode == "mock"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--mock", "nope"], "unknown API nope"),
        (["serve", "--sandbox", "--workers", "2"], "one worker"),
        (["serve", "--mock", "--latency", "9..3"], "latency"),
        (["serve", "--mock", "--fault-rate", "2"], "fraction"),
        (["serve", "--mock", "--reload", "--workers", "2"], "--reload runs one worker"),
        (
            ["serve", "--latency", "5..9", "--fault-rate", "0.1"],
            "--latency (SPECSERVE_LATENCY), --fault-rate (SPECSERVE_FAULT_RATE) apply to mock",
        ),
        (["serve", "--sandbox", "--mock-auth", "off"], "--mock-auth (SPECSERVE_MOCK_AUTH) apply"),
        (["serve", "--cors-origin", "http://a.test"], "--cors-origin (SPECSERVE_CORS_ORIGINS)"),
    ],
)
def test_serve_refuses_meaningless_mode_options(
    serve_calls: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert serve_calls == []


def test_mode_settings_from_the_environment_are_checked_too(
    serve_calls: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SPECSERVE_FAULT_RATE", "1")
    assert main(["serve", "--sandbox"]) == 2
    assert "--fault-rate (SPECSERVE_FAULT_RATE) apply to mock mode only" in capsys.readouterr().err


def test_serve_mock_and_sandbox_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--mock", "--sandbox"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_lint_passes_the_specs_and_fails_a_broken_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SPECSERVE_SPECS_DIR", raising=False)
    assert main(["lint"]) == 0
    assert capsys.readouterr().out.strip().endswith("operations, 0 findings")

    spec = Path(__file__).parent.parent / "specs" / "specserve-admin.yaml"
    broken = tmp_path / "specserve-admin.yaml"
    # The reset's answer loses its example.
    text = spec.read_text(encoding="utf-8")
    example = "              example:\n                resetAt: '2026-11-25T10:00:00Z'\n"
    assert example in text
    broken.write_text(text.replace(example, "", 1), encoding="utf-8")
    assert main(["lint", str(broken)]) == 1
    out = capsys.readouterr().out
    assert f"{broken}: POST /reset 200 application/json: has no example" in out
    assert "specserve lint: 1 spec, 2 operations, 1 finding" in out
