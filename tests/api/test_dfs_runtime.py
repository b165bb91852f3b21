"""What the runtime gives the DFS API: its place at the root beside the
others, the error envelope, Content-Language, and the access policy of each operation."""

from __future__ import annotations

import logging

import pytest
from starlette.testclient import TestClient

from store.dfs.catalog import CatalogRepository
from tests.support.dfs import ROLE_APP, app_auth, identity_auth

UNKNOWN_ID = "7e57e57e-0000-4000-8000-000000000000"


def envelope(response) -> dict:
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"Code", "SubCode", "Message", "CorrelationId"}
    assert body["CorrelationId"] == response.headers["x-correlation-id"]
    return body


def test_every_api_keeps_its_paths_beside_an_api_at_the_root(all_client: TestClient) -> None:
    apis = {api["name"]: api for api in all_client.get("/_specserve/apis").json()}
    assert apis["dfs"]["basePath"] == "/"
    assert apis["dfs"]["preview"] is False
    assert all_client.get("/webapi/api/v3/x/Admin/Users").json()["title"] == "Unauthorized"
    assert all_client.get("/ids/.well-known/openid-configuration").status_code == 200


def test_dfs_errors_are_envelopes(all_client: TestClient) -> None:
    unauthorized = all_client.get("/v1.0/access-policies")
    assert unauthorized.status_code == 401
    assert envelope(unauthorized)["Code"] == "Unauthorized"
    not_allowed = all_client.delete("/v2.0/roles", headers=identity_auth(all_client))
    assert not_allowed.status_code == 405
    assert envelope(not_allowed)["Code"] == "MethodNotAllowed"
    bad = all_client.get("/v1.0/identities/not-a-uuid", headers=identity_auth(all_client))
    assert bad.status_code == 400
    assert envelope(bad)["Code"] == "BadRequest"


@pytest.mark.parametrize(
    ("header", "language"), [("de-CH,de;q=0.9", "de"), ("es", "en"), (None, "en")]
)
def test_content_language_says_the_language_chosen(
    all_client: TestClient, header: str | None, language: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    response = all_client.get("/v1.0/access-policies", headers=headers)
    assert response.headers["content-language"] == language


def test_an_app_without_the_operations_policy_is_403(all_client: TestClient) -> None:
    # The role app holds RRole and WRole; searching members needs RMember.
    response = all_client.post(
        "/v1.0/members/search", json={}, headers=app_auth(all_client, ROLE_APP)
    )
    assert response.status_code == 403
    assert "RMember" in envelope(response)["Message"]


# Every kind of error the API can answer, each in the envelope, its `Code` naming the status.
ERROR_KINDS = [
    pytest.param("GET", "/v1.0/access-policies", None, {}, 401, "Unauthorized", id="no-token"),
    pytest.param(
        "GET", "/v1.0/access-policies", None, {"Authorization": "Bearer x.y.z"}, 401,
        "Unauthorized", id="bad-token",
    ),
    pytest.param("GET", "/v1.0/identities/x", None, None, 400, "BadRequest", id="bad-uuid"),
    pytest.param("GET", "/v1.0/no-such-thing", None, None, 404, "NotFound", id="unknown-route"),
    pytest.param(
        "GET", f"/v1.0/identities/{UNKNOWN_ID}", None, None, 404, "NotFound", id="unknown-id"
    ),
    pytest.param("PUT", "/v2.0/roles", None, None, 405, "MethodNotAllowed", id="method"),
    pytest.param("POST", "/v2.0/roles", b"{", None, 400, "BadRequest", id="malformed-json"),
    pytest.param(
        "POST", "/v2.0/roles", b'{"ShortName": "\xff"}', None, 400, "BadRequest", id="non-utf-8"
    ),
    pytest.param(
        "POST", "/v2.0/roles", b'{"ShortName": "A", "LongName": "A", "RoleKey": "rm"}', None,
        422, "UnprocessableEntity", id="business-rule",
    ),
    pytest.param(
        "DELETE", "/v2.0/roles/1", None, None, 422, "UnprocessableEntity", id="role-in-use"
    ),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "headers", "status", "code"), ERROR_KINDS)
def test_every_kind_of_error_is_an_envelope(  # noqa: PLR0917 (pytest parameters)
    all_client: TestClient,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str] | None,
    status: int,
    code: str,
) -> None:
    sent = identity_auth(all_client) if headers is None else headers
    if body is not None:
        sent = {**sent, "Content-Type": "application/json"}
    response = all_client.request(method, path, content=body, headers=sent)
    assert response.status_code == status, response.text
    answered = envelope(response)
    assert answered["Code"] == code
    assert answered["Message"]


def test_a_crash_is_a_500_envelope_and_its_correlation_id_is_in_the_log(
    all_client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(CatalogRepository, "list_access_policies", explode)
    auth = identity_auth(all_client)
    with caplog.at_level(logging.INFO, logger="specserve.access"):
        response = all_client.get("/v1.0/access-policies", headers=auth)
    assert response.status_code == 500
    body = envelope(response)
    assert body["Code"] == "InternalServerError"
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    lines = [r.getMessage() for r in caplog.records if r.name == "specserve.access"]
    assert any(body["CorrelationId"] in line and " 500 " in line for line in lines), lines
