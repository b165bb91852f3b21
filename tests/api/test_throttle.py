"""Guessing credentials is slowed down: after the limit of failures from one client, its
attempts at the token endpoints and at the API-key API are 429 with Retry-After, in the API's
format, until the window frees; other clients, and other APIs, are not held up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from specserve.app import create_app
from specserve.settings import Settings, SettingsError
from specserve.throttle import CredentialGuesses
from tests.conftest import serving, settings_for
from tests.support.accesscontrol import BASE as ACCESS_CONTROL
from tests.support.accesscontrol import KEY_HEADER
from tests.support.ansysid import ADMIN, PASSWORDS, TEST_SCRIPTS_CLIENT, TOKEN_PATH, USER_SCOPE
from tests.support.tokens import DEMO_CLIENT

LIMIT = 3
IDS_TOKEN = "/ids/connect/token"
WRONG_SECRET = {**DEMO_CLIENT, "client_secret": "guessed", "grant_type": "client_credentials"}
RIGHT_SECRET = {**DEMO_CLIENT, "grant_type": "client_credentials", "scope": "pd_AdminWebApi"}
WRONG_KEY = {"x-api-key": "ssk_guessed"}


@pytest.fixture
def throttled(database_url: str, data_dir: Path) -> Iterator[Any]:
    settings = settings_for(
        database_url,
        data_dir,
        apis=("accesscontrol", "ansysid", "primedocs"),
        credential_failure_limit=LIMIT,
        credential_failure_window_seconds=60,
    )
    app = create_app(settings)
    yield app
    app.services.store.dispose()


def other_client(app: Any) -> TestClient:
    """A client from another address than the test client's."""
    return TestClient(app, client=("203.0.113.7", 50000))


def too_many(response: Any) -> int:
    """The 429's Retry-After, once it is one."""
    assert response.status_code == 429, response.text
    wait = int(response.headers["retry-after"])
    assert 1 <= wait <= 60
    return wait


def test_wrong_client_secrets_are_slowed_down(throttled: Any) -> None:
    with serving(throttled) as client:
        for _ in range(LIMIT):
            assert client.post(IDS_TOKEN, data=WRONG_SECRET).status_code == 401
        refused = client.post(IDS_TOKEN, data=RIGHT_SECRET)  # even the right one, for now
        too_many(refused)
        body = refused.json()
        assert body["error"] == "temporarily_unavailable"
        assert "try again" in body["error_description"]
        # Another client is not held up by this one's guesses.
        assert other_client(throttled).post(IDS_TOKEN, data=RIGHT_SECRET).status_code == 200


def test_wrong_passwords_are_slowed_down(throttled: Any) -> None:
    form = {
        "grant_type": "password",
        "client_id": TEST_SCRIPTS_CLIENT,
        "username": ADMIN,
        "scope": USER_SCOPE,
    }
    with serving(throttled) as client:
        for attempt in range(LIMIT):
            wrong = client.post(TOKEN_PATH, data={**form, "password": f"guess {attempt}"})
            assert wrong.json()["error"] == "invalid_grant"
        too_many(client.post(TOKEN_PATH, data={**form, "password": PASSWORDS[ADMIN]}))


def test_wrong_api_keys_are_slowed_down_in_the_apis_format(throttled: Any) -> None:
    identities = f"{ACCESS_CONTROL}/identities"
    with serving(throttled) as client:
        for _ in range(LIMIT):
            assert client.get(identities, headers=WRONG_KEY).status_code == 401
        response = client.get(identities, headers=KEY_HEADER)
        too_many(response)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 429
        assert response.json()["traceId"] == response.headers["x-correlation-id"]


def test_requests_without_a_credential_or_malformed_are_no_guesses(throttled: Any) -> None:
    identities = f"{ACCESS_CONTROL}/identities"
    with serving(throttled) as client:
        for _ in range(LIMIT * 3):
            assert client.get(identities).status_code == 401  # no key at all
            assert client.post(IDS_TOKEN, data={"grant_type": "nonsense"}).status_code == 400
        assert client.get(identities, headers=KEY_HEADER).status_code == 200
        assert client.post(IDS_TOKEN, data=RIGHT_SECRET).status_code == 200


def test_bearer_apis_are_not_held_up_by_guesses_elsewhere(throttled: Any) -> None:
    with serving(throttled) as client:
        token = client.post(IDS_TOKEN, data=RIGHT_SECRET).json()["access_token"]
        for _ in range(LIMIT):
            client.post(IDS_TOKEN, data=WRONG_SECRET)
        users = "/webapi/api/v3/b78c3707-d7c7-4fc7-b97f-87d70f63c1ac/Admin/Users"
        answer = client.get(users, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200


def test_the_window_frees_a_client_as_its_failures_age() -> None:
    now = [1000.0]
    guesses = CredentialGuesses(limit=2, window=60, clock=lambda: now[0])
    guesses.failed("a")
    now[0] += 30
    guesses.failed("a")
    assert guesses.retry_after("a") == 30  # the first failure leaves the window in 30 s
    assert guesses.retry_after("b") is None
    now[0] += 30
    assert guesses.retry_after("a") is None  # one failure left in the window
    guesses.failed("a")
    assert guesses.retry_after("a") == 30


def test_the_limit_is_a_setting() -> None:
    env = {"SPECSERVE_CREDENTIAL_FAILURE_LIMIT": "0", "SPECSERVE_CREDENTIAL_FAILURE_WINDOW": "5"}
    settings = Settings.from_env(env)
    assert (settings.credential_failure_limit, settings.credential_failure_window_seconds) == (0, 5)
    assert Settings.from_env({}).credential_failure_limit == 10
    with pytest.raises(SettingsError, match="SPECSERVE_CREDENTIAL_FAILURE_WINDOW"):
        Settings(credential_failure_window_seconds=0).check()
