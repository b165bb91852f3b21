"""What the runtime adds around every API: docs, routing errors, correlation ids, the log line."""

from __future__ import annotations

import logging

import pytest
import yaml
from starlette.testclient import TestClient

from specserve.settings import PROJECT_ROOT
from store.primedocs.repository import PrimedocsRepository
from tests.api.test_primedocs_api import ANNA, ANNA_PROFILE
from tests.conftest import PRIMEDOCS_DATASOURCE

USERS = f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/Admin/Users"


class TestDocs:
    def test_index_lists_every_api_and_its_mode(self, all_client: TestClient) -> None:
        client = all_client
        apis = client.get("/_specserve/apis").json()
        assert {(api["name"], api["basePath"], api["mode"]) for api in apis} == {
            ("primedocs", "/webapi", "real"),
            ("accesscontrol", "/api/v1/accesscontrol", "real"),
            ("dfs", "/", "real"),
            ("ansysid", "/", "real"),
            ("ids", "/ids", "real"),
            ("b2c", "/", "real"),
        }
        page = client.get("/_specserve/")
        assert page.status_code == 200
        assert "/_specserve/docs/primedocs/" in page.text

    @pytest.mark.parametrize(
        ("api", "spec_file"),
        [
            ("primedocs", "primedocs-admin.yaml"),
            ("accesscontrol", "accesscontrol.yaml"),
            ("dfs", "dfs-admin.yaml"),
            ("ansysid", "ansysid.yaml"),
            ("ids", "identity-server.yaml"),
            ("b2c", "b2c.yaml"),
        ],
    )
    def test_each_spec_as_json_and_yaml(
        self, all_client: TestClient, api: str, spec_file: str
    ) -> None:
        client = all_client
        on_disk = yaml.safe_load((PROJECT_ROOT / "specs" / spec_file).read_text())
        assert client.get(f"/_specserve/docs/{api}/openapi.json").json() == on_disk
        served_yaml = client.get(f"/_specserve/docs/{api}/openapi.yaml")
        assert served_yaml.headers["content-type"].startswith("application/yaml")
        assert yaml.safe_load(served_yaml.text) == on_disk

    def test_ansysid_docs_where_the_real_service_has_them(self, all_client: TestClient) -> None:
        on_disk = yaml.safe_load((PROJECT_ROOT / "specs" / "ansysid.yaml").read_text())
        for path in ("/swagger/AnsysId/swagger.json", "/swagger/ansysid/swagger.json"):
            assert all_client.get(path).json() == on_disk
        page = all_client.get("/swagger/index.html")
        assert page.status_code == 200
        assert '"/swagger/AnsysId/swagger.json"' in page.text
        redirect = all_client.get("/swagger", follow_redirects=False)
        assert redirect.status_code == 301
        assert redirect.headers["location"] == "/swagger/index.html"

    def test_swagger_ui_page_and_assets(self, client: TestClient) -> None:
        page = client.get("/_specserve/docs/primedocs/")
        assert page.status_code == 200
        assert '"/_specserve/docs/primedocs/openapi.json"' in page.text
        assert client.get("/_specserve/swagger-ui/swagger-ui-bundle.js").status_code == 200
        redirect = client.get("/_specserve/docs/primedocs", follow_redirects=False)
        assert redirect.status_code == 308

    @pytest.mark.parametrize("path", ["/_specserve/docs/nothing/openapi.json", "/_specserve/x"])
    def test_unknown_docs_are_404_problems(self, client: TestClient, path: str) -> None:
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


class TestRoutingErrors:
    def test_405_names_every_allowed_method(self, client: TestClient, auth) -> None:
        response = client.delete(USERS, headers=auth)
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, POST"
        assert response.headers["content-type"] == "application/problem+json"

    def test_405_on_a_path_with_one_method(self, client: TestClient, auth) -> None:
        response = client.post(
            f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/Admin/OrganizationUnits", headers=auth
        )
        assert response.status_code == 405
        assert response.headers["allow"] == "GET"

    def test_unknown_path_is_404_in_the_apis_format(self, client: TestClient, auth) -> None:
        response = client.get("/webapi/api/v3/nothing-here", headers=auth)
        assert response.status_code == 404
        assert response.json()["title"] == "Not Found"
        ids = client.get("/ids/nothing")
        assert ids.status_code == 404
        assert ids.json()["error"] == "invalid_request"

    @pytest.mark.parametrize("path", ["/webapi", "/webapi/", "/", "/ids"])
    def test_paths_of_no_operation_are_404_without_redirect_loops(
        self, client: TestClient, path: str
    ) -> None:
        assert client.get(path, follow_redirects=True).status_code == 404

    def test_a_body_over_the_limit_is_413(self, client: TestClient, auth) -> None:
        url = f"{USERS}/{ANNA}/Profiles/{ANNA_PROFILE}"
        body = b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}'
        response = client.put(
            url, headers={**auth, "Content-Type": "application/json"}, content=body
        )
        assert response.status_code == 413


class TestCorrelationAndLog:
    def test_a_clients_correlation_id_is_kept(self, client: TestClient, auth) -> None:
        response = client.get(USERS, headers={**auth, "X-Correlation-ID": "client-run.42"})
        assert response.headers["x-correlation-id"] == "client-run.42"

    def test_an_unusable_correlation_id_is_replaced(self, client: TestClient, auth) -> None:
        response = client.get(USERS, headers={**auth, "X-Correlation-ID": "bad id\twith spaces"})
        assert response.headers["x-correlation-id"] != "bad id\twith spaces"
        assert len(response.headers["x-correlation-id"]) == 32

    def test_one_log_line_per_request_without_query_or_credentials(
        self, client: TestClient, auth, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO, logger="specserve.access"):
            response = client.get(f"{USERS}?pageSize=1&secret=hunter2", headers=auth)
        lines = [r.getMessage() for r in caplog.records if r.name == "specserve.access"]
        assert len(lines) == 1
        line = lines[0]
        assert line.startswith(f"GET {USERS} 200 ")
        assert f"correlation_id={response.headers['x-correlation-id']}" in line
        assert "hunter2" not in line
        assert "Bearer" not in caplog.text


class TestUnexpectedErrors:
    def test_a_crash_is_a_500_problem_without_a_stack_trace(
        self, client: TestClient, auth, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def explode(self, **kwargs):
            raise RuntimeError("secret internals")

        monkeypatch.setattr(PrimedocsRepository, "list_users", explode)
        response = client.get(USERS, headers=auth)
        assert response.status_code == 500
        body = response.json()
        assert body["title"] == "Internal Server Error"
        assert response.headers["x-correlation-id"] in body["detail"]
        assert "secret internals" not in response.text
        assert "Traceback" not in response.text


def test_a_path_cannot_forge_a_log_line(
    client: TestClient, auth, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="specserve.access"):
        client.get("/webapi/x%0Aspecserve.access%20GET%20/forged%20200", headers=auth)
    lines = [r.getMessage() for r in caplog.records if r.name == "specserve.access"]
    assert len(lines) == 1
    assert "\n" not in lines[0]
    assert "%0A" in lines[0]
