"""Settings come from the environment, go back to it unchanged, and unsafe ones are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from specserve.apis import API_NAMES
from specserve.settings import Settings, SettingsError


def test_from_env_reads_the_variables(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+psycopg://u@db/specserve",
            "SPECSERVE_DATA_DIR": str(tmp_path),
            "SPECSERVE_PORT": "9090",
            "SPECSERVE_APIS": "primedocs",
        }
    )
    assert settings.database_url == "postgresql+psycopg://u@db/specserve"
    assert settings.effective_database_url == "postgresql+psycopg://u@db/specserve"
    assert settings.data_dir == tmp_path
    assert settings.port == 9090
    assert settings.public_url == "http://localhost:9090"
    assert settings.issuer == "http://localhost:9090/ids"
    assert settings.apis == ("primedocs",)


def test_an_empty_environment_gives_the_defaults() -> None:
    assert Settings.from_env({}) == Settings()
    assert Settings.from_env({"DATABASE_URL": ""}).database_url is None


def test_the_default_database_is_a_sqlite_file_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings.from_env({"SPECSERVE_DATA_DIR": str(tmp_path)})
    assert settings.uses_default_sqlite
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'specserve.db'}"


@pytest.mark.parametrize(
    "settings",
    [
        Settings(),
        Settings(
            data_dir=Path("/srv/specserve"),
            database_url="postgresql+psycopg://u:p@db:5432/specserve",
            public_url="https://specserve.example.org/",
            host="0.0.0.0",
            port=8443,
            workers=4,
            handler_threads=12,
            apis=("primedocs",),
            environment="production",
            token_lifetime_seconds=120,
            log_level="debug",
            validate_responses=True,
        ),
    ],
    ids=["defaults", "everything-set"],
)
def test_to_env_round_trips(settings: Settings) -> None:
    assert Settings.from_env(settings.to_env()) == settings


PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "database_url": "postgresql+psycopg://u@db/specserve",
    "public_url": "https://specserve.example.org",
}


def test_sound_settings_pass_the_check() -> None:
    Settings().check()
    Settings(**PRODUCTION).check()


@pytest.mark.parametrize(
    "overrides",
    [
        {"apis": (*API_NAMES, "nonesuch")},
        {"environment": "staging"},
        {**PRODUCTION, "database_url": None},
        {**PRODUCTION, "public_url": "http://localhost:8080"},
        {**PRODUCTION, "public_url": "http://127.0.0.1:8080"},
        {"token_lifetime_seconds": 0},
        {"token_lifetime_seconds": -60},
        {"handler_threads": 0},
    ],
    ids=[
        "unknown-api",
        "unknown-environment",
        "production-without-database",
        "production-on-localhost",
        "production-on-loopback",
        "zero-lifetime",
        "negative-lifetime",
        "no-handler-threads",
    ],
)
def test_unsafe_settings_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(SettingsError):
        Settings(**overrides).check()
