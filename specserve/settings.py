"""All settings in one object: environment variables, overridden by the command line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from specserve.apis import API_NAMES, DEFAULT_API_NAMES

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ENVIRONMENTS = ("development", "production")
# real: handlers over the store; mock: answers from fixtures; sandbox: the real handlers over a
# throwaway store seeded from fixtures/seed, reset on request.
MODES = ("real", "mock", "sandbox")
MOCK_AUTH_MODES = ("verify", "presence", "off")


class SettingsError(ValueError):
    """Settings that must not be used (a placeholder secret in production, an unknown API)."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = PROJECT_ROOT / "data"
    database_url: str | None = None
    public_url: str = "http://localhost:8080"
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    # Synchronous handlers run at once per worker (specserve/threads.py).
    handler_threads: int = 4
    apis: tuple[str, ...] = field(default=DEFAULT_API_NAMES)
    environment: str = "development"
    token_lifetime_seconds: int = 3600
    specs_dir: Path = PROJECT_ROOT / "specs"
    fixtures_dir: Path = PROJECT_ROOT / "fixtures"
    log_level: str = "info"
    validate_responses: bool = False
    mode: str = "real"
    mock_auth: str = "verify"
    # Mock mode: each answer waits a random time in this range (milliseconds).
    latency_ms: tuple[int, int] | None = None
    # Mock mode: the fraction of requests answered with an injected 500 or 503.
    fault_rate: float = 0.0
    # Origins browsers may call from (CORS), in mock and sandbox mode; "*" is any.
    cors_origins: tuple[str, ...] = ("*",)
    # Sandbox mode: how many recent requests GET /_specserve/requests keeps.
    request_log_size: int = 100
    # The largest request body taken; a larger one is 413 before it is read whole.
    max_body_bytes: int = 2 * 1024 * 1024
    # Failed attempts with wrong credentials one client may make within the window before it
    # is answered 429 (specserve/throttle.py); 0 turns the limit off.
    credential_failure_limit: int = 10
    credential_failure_window_seconds: int = 60

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'specserve.db'}"

    @property
    def issuer(self) -> str:
        return f"{self.public_url.rstrip('/')}/ids"

    @property
    def uses_default_sqlite(self) -> bool:
        return self.database_url is None

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def check(self) -> None:
        """Refuse settings that are unsafe or meaningless."""
        unknown = sorted(set(self.apis) - set(API_NAMES))
        if unknown:
            raise SettingsError(f"unknown API {unknown}; choose from {list(API_NAMES)}")
        if self.environment not in ENVIRONMENTS:
            raise SettingsError(f"SPECSERVE_ENV must be one of {list(ENVIRONMENTS)}")
        if self.environment == "production":
            if self.database_url is None:
                raise SettingsError(
                    "production needs DATABASE_URL (PostgreSQL), not the demo SQLite"
                )
            if "localhost" in self.public_url or "127.0.0.1" in self.public_url:
                raise SettingsError(
                    "production needs SPECSERVE_PUBLIC_URL, the URL clients reach the server at "
                    "(it names the token issuer)"
                )
        if self.token_lifetime_seconds <= 0:
            raise SettingsError("SPECSERVE_TOKEN_LIFETIME must be a positive number of seconds")
        if self.mode not in MODES:
            raise SettingsError(f"SPECSERVE_MODE must be one of {list(MODES)}")
        if self.mock_auth not in MOCK_AUTH_MODES:
            raise SettingsError(f"SPECSERVE_MOCK_AUTH must be one of {list(MOCK_AUTH_MODES)}")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise SettingsError("SPECSERVE_FAULT_RATE must be a fraction from 0 to 1")
        if self.mode == "sandbox" and self.workers != 1:
            raise SettingsError(
                "the sandbox keeps its state and request log in its one process: use one worker"
            )
        self._check_mode_settings()
        self._check_minimums()

    def _check_minimums(self) -> None:
        minimums = {
            "SPECSERVE_HANDLER_THREADS": (self.handler_threads, 1),
            "SPECSERVE_REQUEST_LOG_SIZE": (self.request_log_size, 1),
            "SPECSERVE_MAX_BODY_BYTES": (self.max_body_bytes, 1024),
            "SPECSERVE_CREDENTIAL_FAILURE_LIMIT": (self.credential_failure_limit, 0),
            "SPECSERVE_CREDENTIAL_FAILURE_WINDOW": (self.credential_failure_window_seconds, 1),
        }
        for name, (value, minimum) in minimums.items():
            if value < minimum:
                raise SettingsError(f"{name} must be at least {minimum}")

    def _check_mode_settings(self) -> None:
        """Settings of one mode given to another would be ignored: refused instead."""
        defaults = Settings()
        mock_only = [
            name
            for name, changed in (
                ("--mock-auth (SPECSERVE_MOCK_AUTH)", self.mock_auth != defaults.mock_auth),
                ("--latency (SPECSERVE_LATENCY)", self.latency_ms != defaults.latency_ms),
                ("--fault-rate (SPECSERVE_FAULT_RATE)", self.fault_rate != defaults.fault_rate),
            )
            if changed
        ]
        if mock_only and self.mode != "mock":
            raise SettingsError(f"{', '.join(mock_only)} apply to mock mode only (--mock)")
        if self.cors_origins != defaults.cors_origins and self.mode == "real":
            raise SettingsError(
                "--cors-origin (SPECSERVE_CORS_ORIGINS) applies to mock and sandbox mode"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()
        port = _integer(env, "SPECSERVE_PORT", defaults.port)
        apis = env.get("SPECSERVE_APIS")
        return cls(
            data_dir=Path(env.get("SPECSERVE_DATA_DIR", str(defaults.data_dir))),
            database_url=env.get("DATABASE_URL") or None,
            public_url=env.get("SPECSERVE_PUBLIC_URL", f"http://localhost:{port}"),
            host=env.get("SPECSERVE_HOST", defaults.host),
            port=port,
            workers=_integer(env, "SPECSERVE_WORKERS", defaults.workers),
            handler_threads=_integer(env, "SPECSERVE_HANDLER_THREADS", defaults.handler_threads),
            apis=tuple(apis.split(",")) if apis else defaults.apis,
            environment=env.get("SPECSERVE_ENV", defaults.environment),
            token_lifetime_seconds=_integer(
                env, "SPECSERVE_TOKEN_LIFETIME", defaults.token_lifetime_seconds
            ),
            log_level=env.get("SPECSERVE_LOG_LEVEL", defaults.log_level),
            validate_responses=env.get("SPECSERVE_VALIDATE_RESPONSES", "") == "1",
            specs_dir=Path(env.get("SPECSERVE_SPECS_DIR", str(defaults.specs_dir))),
            fixtures_dir=Path(env.get("SPECSERVE_FIXTURES_DIR", str(defaults.fixtures_dir))),
            mode=env.get("SPECSERVE_MODE", defaults.mode),
            mock_auth=env.get("SPECSERVE_MOCK_AUTH", defaults.mock_auth),
            latency_ms=parse_latency(env.get("SPECSERVE_LATENCY", "")),
            fault_rate=_fraction(env, "SPECSERVE_FAULT_RATE", defaults.fault_rate),
            cors_origins=tuple(
                origin.strip()
                for origin in env.get("SPECSERVE_CORS_ORIGINS", "*").split(",")
                if origin.strip()
            ),
            request_log_size=_integer(env, "SPECSERVE_REQUEST_LOG_SIZE", defaults.request_log_size),
            max_body_bytes=_integer(env, "SPECSERVE_MAX_BODY_BYTES", defaults.max_body_bytes),
            credential_failure_limit=_integer(
                env, "SPECSERVE_CREDENTIAL_FAILURE_LIMIT", defaults.credential_failure_limit
            ),
            credential_failure_window_seconds=_integer(
                env,
                "SPECSERVE_CREDENTIAL_FAILURE_WINDOW",
                defaults.credential_failure_window_seconds,
            ),
        )

    def to_env(self) -> dict[str, str]:
        """The environment that gives these settings back (for worker processes)."""
        env = {
            "SPECSERVE_DATA_DIR": str(self.data_dir),
            "SPECSERVE_PUBLIC_URL": self.public_url,
            "SPECSERVE_HOST": self.host,
            "SPECSERVE_PORT": str(self.port),
            "SPECSERVE_WORKERS": str(self.workers),
            "SPECSERVE_HANDLER_THREADS": str(self.handler_threads),
            "SPECSERVE_APIS": ",".join(self.apis),
            "SPECSERVE_ENV": self.environment,
            "SPECSERVE_TOKEN_LIFETIME": str(self.token_lifetime_seconds),
            "SPECSERVE_LOG_LEVEL": self.log_level,
            "SPECSERVE_VALIDATE_RESPONSES": "1" if self.validate_responses else "",
            "SPECSERVE_SPECS_DIR": str(self.specs_dir),
            "SPECSERVE_FIXTURES_DIR": str(self.fixtures_dir),
            "SPECSERVE_MODE": self.mode,
            "SPECSERVE_MOCK_AUTH": self.mock_auth,
            "SPECSERVE_LATENCY": ""
            if self.latency_ms is None
            else "{}..{}".format(*self.latency_ms),
            "SPECSERVE_FAULT_RATE": str(self.fault_rate),
            "SPECSERVE_CORS_ORIGINS": ",".join(self.cors_origins),
            "SPECSERVE_REQUEST_LOG_SIZE": str(self.request_log_size),
            "SPECSERVE_MAX_BODY_BYTES": str(self.max_body_bytes),
            "SPECSERVE_CREDENTIAL_FAILURE_LIMIT": str(self.credential_failure_limit),
            "SPECSERVE_CREDENTIAL_FAILURE_WINDOW": str(self.credential_failure_window_seconds),
        }
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env


def _integer(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {value!r}") from None


def parse_latency(text: str) -> tuple[int, int] | None:
    """`MIN..MAX` milliseconds (or one number for a fixed delay); empty: none."""
    if not text.strip():
        return None
    low, separator, high = text.strip().partition("..")
    try:
        bounds = (int(low), int(high) if separator else int(low))
    except ValueError:
        raise SettingsError(f"latency must be MIN..MAX milliseconds, not {text!r}") from None
    if not 0 <= bounds[0] <= bounds[1] <= 60_000:
        raise SettingsError(f"latency {text!r} must satisfy 0 <= MIN <= MAX <= 60000")
    return bounds


def _fraction(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise SettingsError(f"{name} must be a fraction from 0 to 1, not {value!r}") from None
