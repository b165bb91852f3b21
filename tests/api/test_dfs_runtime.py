"""What the runtime gives the DFS API: its place at the root beside the
others, the error envelope, Content-Language, and the access policy of each operation."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.support.dfs import ROLE_APP, app_auth, identity_auth


def envelope(response) -> dict:
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"Code", "SubCode", "Message", "CorrelationId"}
    assert body["CorrelationId"] == response.headers["x-correlation-id"]
    return body


def test_every_api_keeps_its_paths_beside_an_api_at_the_root(dfs_client: TestClient) -> None:
    apis = {api["name"]: api for api in dfs_client.get("/_specserve/apis").json()}
    assert apis["dfs"]["basePath"] == "/"
    assert apis["dfs"]["preview"] is False
    assert dfs_client.get("/webapi/api/v3/x/Admin/Users").json()["title"] == "Unauthorized"
    assert dfs_client.get("/ids/.well-known/openid-configuration").status_code == 200


def test_dfs_errors_are_envelopes(dfs_client: TestClient) -> None:
    unauthorized = dfs_client.get("/v1.0/access-policies")
    assert unauthorized.status_code == 401
    assert envelope(unauthorized)["Code"] == "Unauthorized"
    not_allowed = dfs_client.delete("/v2.0/roles", headers=identity_auth(dfs_client))
    assert not_allowed.status_code == 405
    assert envelope(not_allowed)["Code"] == "MethodNotAllowed"
    bad = dfs_client.get("/v1.0/identities/not-a-uuid", headers=identity_auth(dfs_client))
    assert bad.status_code == 400
    assert envelope(bad)["Code"] == "BadRequest"


@pytest.mark.parametrize(
    ("header", "language"), [("de-CH,de;q=0.9", "de"), ("es", "en"), (None, "en")]
)
def test_content_language_says_the_language_chosen(
    dfs_client: TestClient, header: str | None, language: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    response = dfs_client.get("/v1.0/access-policies", headers=headers)
    assert response.headers["content-language"] == language


def test_an_app_without_the_operations_policy_is_403(dfs_client: TestClient) -> None:
    # The role app holds RRole and WRole; searching members needs RMember.
    response = dfs_client.post(
        "/v1.0/members/search", json={}, headers=app_auth(dfs_client, ROLE_APP)
    )
    assert response.status_code == 403
    assert "RMember" in envelope(response)["Message"]
