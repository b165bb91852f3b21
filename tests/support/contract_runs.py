"""Bookkeeping shared by the Schemathesis runs: tokens per app and the count of cases sent."""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.testclient import TestClient

from tests.support.ansysid import ADMIN, user_auth
from tests.support.dfs import identity_auth
from tests.support.tokens import fetch_token

# Cases sent per backend, mode and operation, printed at the end of the run (tests/conftest.py).
CASES_RUN: Counter[str] = Counter()


def record_case(case: Any, app: Any, mode: str | None = None) -> None:
    """Count a case sent, by API (its spec's title), backend, generation mode (or `stateful`)
    and operation; in mock mode the backend is `mock` (the store holds only credentials)."""
    backend = app.services.store.url.split(":", 1)[0].split("+", 1)[0]
    if app.services.settings.mode != "real":
        backend = app.services.settings.mode
    mode = mode or str(case.meta.generation.mode)
    api = case.operation.schema.raw_schema["info"]["title"]
    count_cases(api, backend, mode, case.operation.label)


def count_cases(api: str, backend: str, mode: str, operation: str, count: int = 1) -> None:
    """Cases sent (or stateful steps, `mode` "stateful") to an API, for the run's summary."""
    CASES_RUN["\t".join((api, backend, mode, operation))] += count


_tokens: dict[int, str] = {}


def api_token(app: Any) -> str:
    """A token of the demo client, one per app."""
    # One token per app: the token endpoint hashes a secret, too slow for every example.
    if id(app) not in _tokens:
        _tokens[id(app)] = fetch_token(TestClient(app))
    return _tokens[id(app)]


_ansysid_tokens: dict[int, dict[str, str]] = {}


def ansysid_auth(app: Any) -> dict[str, str]:
    """The demo Ansys Administrator, one token per app: every operation is reached."""
    if id(app) not in _ansysid_tokens:
        _ansysid_tokens[id(app)] = user_auth(TestClient(app), ADMIN)
    return _ansysid_tokens[id(app)]


_dfs_tokens: dict[int, dict[str, str]] = {}


def dfs_auth(app: Any) -> dict[str, str]:
    """Tenant Additiv's administrator, one token per app."""
    # The administrator of tenant Additiv: every access policy, so every operation is reached.
    if id(app) not in _dfs_tokens:
        _dfs_tokens[id(app)] = identity_auth(TestClient(app))
    return _dfs_tokens[id(app)]
