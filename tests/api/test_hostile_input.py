"""Hostile input to every API: each is a clear 4xx in the API's own error format, never a 5xx
or a stack trace, and nothing is stored.

Bodies go to one write operation of each API; search terms to each API's searches. The store
is compared table by table (row counts) before and after."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select
from starlette.testclient import TestClient

from specserve.app import create_app
from specserve.request_names import MAX_JSON_DEPTH
from specserve.settings import Settings, SettingsError
from tests.api.test_primedocs_api import ANNA, ANNA_PROFILE
from tests.conftest import PRIMEDOCS_DATASOURCE, serving, settings_for
from tests.support.accesscontrol import BASE as ACCESS_CONTROL
from tests.support.accesscontrol import KEY_HEADER
from tests.support.ansysid import CONTOSO
from tests.support.contract_runs import ansysid_auth, api_token, dfs_auth
from tests.support.tokens import bearer

PRIMEDOCS_PROFILE = (
    f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/Admin/Users/{ANNA}/Profiles/{ANNA_PROFILE}"
)

# api -> (method, path of a write operation with a JSON body, its credentials)
WRITES: dict[str, tuple[str, str, Callable[[Any], dict[str, str]]]] = {
    "dfs": ("POST", "/v1.2/identities", dfs_auth),
    "accesscontrol": ("POST", f"{ACCESS_CONTROL}/identities", lambda app: KEY_HEADER),
    "ansysid": ("POST", "/Account", ansysid_auth),
    "primedocs": ("PUT", PRIMEDOCS_PROFILE, lambda app: bearer(api_token(app))),
}

JSON = "application/json"
NESTED_ARRAYS = b"[" * 900 + b"]" * 900  # under Python's recursion limit, over ours
# name -> (body, Content-Type or None, status)
HOSTILE_BODIES: dict[str, tuple[bytes, str | None, int]] = {
    "truncated JSON": (b'{"name": "a', JSON, 400),
    "malformed JSON": (b"{name: 'a'}", JSON, 400),
    "not UTF-8": (b'{"name": "\xff\xfe"}', JSON, 400),
    "a lone surrogate": (b'{"name": "\\ud800"}', JSON, 400),
    "a NUL character": (b'{"name": "a\\u0000b"}', JSON, 400),
    "a property twice": (b'{"name": "a", "name": "b"}', JSON, 400),
    "nested 900 deep": (b'{"name": ' + NESTED_ARRAYS + b"}", JSON, 400),
    "nested 100,000 deep": (b"[" * 100_000 + b"]" * 100_000, JSON, 400),
    "a scalar": (b"42", JSON, 400),
    "an unknown content type": (b"<identity/>", "application/xml", 415),
    "no content type": (b"{}", None, 415),
    "over 2 MiB": (b'{"name": "' + b"a" * (2 * 1024 * 1024) + b'"}', JSON, 413),
}

# Text that must be matched as text, and matches nothing: SQL, LIKE's wildcards and escape,
# control characters.
HOSTILE_TERMS = [
    "' OR '1'='1",
    "'; DROP TABLE dfs_identities; --",
    "%",
    "_",
    "\\",
    "a\tb\r\nc\x1b[31m",
    "\x7f\x01\x02",
]
# Longer than any search term the specs take: 400.
OVERLONG_TERM = "ä" * 5_000


def api_error(api: str, response: Any, status: int) -> None:
    """`response` is `status` in the API's own error format, naming its correlation id."""
    assert response.status_code == status, response.text[:300]
    body = response.json()
    correlation_id = response.headers["x-correlation-id"]
    assert "Traceback" not in response.text
    if api == "dfs":
        assert response.headers["content-type"] == "application/json"
        assert set(body) == {"Code", "SubCode", "Message", "CorrelationId"}
        assert body["CorrelationId"] == correlation_id
    else:
        assert response.headers["content-type"] == "application/problem+json"
        assert body["status"] == status
        assert body["traceId"] == correlation_id


def row_counts(app: Any) -> dict[str, int]:
    engine = app.services.store.engine
    tables = MetaData()
    tables.reflect(engine)
    with engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in tables.tables.items()
        }


@pytest.mark.parametrize("api", sorted(WRITES))
def test_hostile_bodies_are_refused_and_store_nothing(
    api: str, all_app: Any, all_client: TestClient
) -> None:
    method, path, credentials = WRITES[api]
    headers = credentials(all_app)
    before = row_counts(all_app)
    for name, (body, content_type, status) in HOSTILE_BODIES.items():
        sent = dict(headers) if content_type is None else {**headers, "content-type": content_type}
        response = all_client.request(method, path, content=body, headers=sent)
        try:
            api_error(api, response, status)
        except AssertionError as failure:
            raise AssertionError(f"{api}, {name}: {failure}") from failure
    assert row_counts(all_app) == before


def test_deep_nesting_is_told_as_such(all_app: Any, all_client: TestClient) -> None:
    method, path, credentials = WRITES["ansysid"]
    nested = b'{"accountName": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}"
    response = all_client.request(
        method, path, content=nested, headers={**credentials(all_app), "content-type": JSON}
    )
    api_error("ansysid", response, 400)
    assert f"more than {MAX_JSON_DEPTH} deep" in response.json()["detail"]
    assert "recursion" not in response.text


def test_the_body_limit_is_a_setting(database_url: str, data_dir: Path) -> None:
    app = create_app(
        settings_for(database_url, data_dir, apis=("accesscontrol",), max_body_bytes=4096)
    )
    try:
        with serving(app) as client:
            path = f"{ACCESS_CONTROL}/identities"
            body = b'{"name": "' + b"a" * 5000 + b'"}'
            response = client.post(path, content=body, headers={**KEY_HEADER, "content-type": JSON})
            api_error("accesscontrol", response, 413)
            assert response.json()["detail"] == "The request body is larger than 4096 bytes."
            # Under the limit, the body is read and validated as usual.
            small = client.post(path, content=b"{}", headers={**KEY_HEADER, "content-type": JSON})
            api_error("accesscontrol", small, 400)
    finally:
        app.services.store.dispose()


def test_the_body_limit_setting_is_read_and_checked() -> None:
    assert Settings.from_env({"SPECSERVE_MAX_BODY_BYTES": "65536"}).max_body_bytes == 65536
    assert Settings.from_env({}).max_body_bytes == 2 * 1024 * 1024
    with pytest.raises(SettingsError, match="SPECSERVE_MAX_BODY_BYTES"):
        Settings(max_body_bytes=10).check()


def test_hostile_search_terms_match_as_text(all_app: Any, all_client: TestClient) -> None:
    dfs, ansysid = dfs_auth(all_app), ansysid_auth(all_app)
    users = f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/Admin/Users"
    before = row_counts(all_app)
    for term in [*HOSTILE_TERMS, OVERLONG_TERM]:
        searches = {
            "dfs": all_client.post(
                "/v1.0/identities/search", json={"SearchTerm": term}, headers=dfs
            ),
            "ansysid accounts": all_client.get(
                "/Accounts", params={"searchValue": term}, headers=ansysid
            ),
            "ansysid users": all_client.post(
                f"/Account/{CONTOSO}/Users", params={"searchValue": term}, headers=ansysid
            ),
        }
        for name, response in searches.items():
            said = f"{name}, {term[:20]!r}: {response.text[:300]}"
            if term is OVERLONG_TERM:
                api_error(name.split()[0], response, 400)
            else:
                assert response.status_code == 200, said
                assert _found(response.json()) == 0, said
        # primedocs searches nothing; its onboarding takes a SID in the query, and stores.
        onboarding = all_client.post(
            users, params={"sid": term}, headers=bearer(api_token(all_app))
        )
        api_error("primedocs", onboarding, 400)
    assert row_counts(all_app) == before


def _found(page: Any) -> int:
    """How many matches a page of DFS or AnsysID counts."""
    for key in ("TotalCount", "totalCount"):
        if key in page:
            return int(page[key])
    raise AssertionError(f"no count in {page}")
