"""Mock mode over HTTP (in process): answers chosen by the request, requests validated and
credentials checked as in real mode, resilience settings, CORS."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from specserve.app import create_app
from specserve.mock import answers as mock_answers
from specserve.mock.fixtures import FixtureError
from specserve.settings import PROJECT_ROOT, Settings
from tests.support.accesscontrol import BASE as AC
from tests.support.accesscontrol import KEY_HEADER
from tests.support.databases import SqliteDatabases
from tests.support.dfs import BACK_OFFICE, identity_auth
from tests.support.tokens import bearer, fetch_token

BILL = "3fa85f64-5717-4562-b3fc-2c963f66afa4"
UNKNOWN = "00000000-0000-4000-8000-000000000001"
OTHER = "5b0c6a1e-1111-4222-8333-944455556666"
IDENTITY = "/v1.0/identities/{}"
SEARCH = "/v1.0/identities/search"
USERS = "/webapi/api/v3/1/Admin/Users"


def mock_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        public_url="http://testserver",
        mode="mock",
        **overrides,
    )


@pytest.fixture(scope="module")
def mock_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    # Mock answers do not touch the store; the token services (and API keys) still do.
    folder = tmp_path_factory.mktemp("mock-store")
    return SqliteDatabases(folder).fresh(folder)


@pytest.fixture(scope="module")
def mock_client(mock_database: str, data_dir: Path) -> Iterator[TestClient]:
    app = create_app(mock_settings(mock_database, data_dir))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.services.store.dispose()


@pytest.fixture(scope="module")
def dfs_token(mock_client: TestClient) -> dict[str, str]:
    return identity_auth(mock_client)


def envelope(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = dict(response.json())
    assert set(body) == {"Code", "SubCode", "Message", "CorrelationId"}
    assert body["CorrelationId"] == response.headers["x-correlation-id"]
    return body


def get_identity(client: TestClient, auth: dict[str, str], identity: str, **headers: str) -> Any:
    return client.get(IDENTITY.format(identity), headers={**auth, **headers})


def test_a_when_matcher_answers_bill_doe_for_his_id(
    mock_client: TestClient, dfs_token: dict[str, str]
) -> None:
    response = get_identity(mock_client, dfs_token, BILL)
    assert response.status_code == 200
    assert (response.json()["FirstName"], response.json()["LastName"]) == ("Bill", "Doe")
    assert response.headers["specserve-mock-answer"].startswith("example ")
    assert "preference-applied" not in response.headers


def test_an_unknown_looking_id_is_a_404_in_the_apis_own_format(
    mock_client: TestClient, dfs_token: dict[str, str]
) -> None:
    body = envelope(get_identity(mock_client, dfs_token, UNKNOWN), 404)
    assert body["Code"] == "NotFound"
    assert UNKNOWN in body["Message"]  # the fixture names `{{path.identityId}}`


def test_another_id_gets_the_default_answer(
    mock_client: TestClient, dfs_token: dict[str, str]
) -> None:
    response = get_identity(mock_client, dfs_token, OTHER)
    assert response.status_code == 200
    fixtures = yaml.safe_load((PROJECT_ROOT / "fixtures/mock/dfs/getIdentity.yaml").read_text())
    default = next(
        name
        for name, example in fixtures["examples"].items()
        if example["status"] == 200 and example.get("default")
    )
    assert response.headers["specserve-mock-answer"] == f"example {default}"


def test_prefer_code_and_example_and_dynamic(
    mock_client: TestClient, dfs_token: dict[str, str]
) -> None:
    forced = get_identity(mock_client, dfs_token, BILL, Prefer="code=404")
    envelope(forced, 404)
    assert forced.headers["preference-applied"] == "code=404"
    fixtures = yaml.safe_load((PROJECT_ROOT / "fixtures/mock/dfs/getIdentity.yaml").read_text())
    name, example = next(
        (name, example)
        for name, example in fixtures["examples"].items()
        if example["status"] == 200 and "when" not in example
    )
    named = get_identity(mock_client, dfs_token, UNKNOWN, Prefer=f"example={name}")
    assert (named.status_code, named.json()) == (200, example["body"])
    dynamic = get_identity(mock_client, dfs_token, BILL, Prefer="dynamic=true")
    assert dynamic.headers["specserve-mock-answer"] == "generated"
    assert dynamic.json()["FirstName"] != "Bill" or dynamic.json()["LastName"] != "Doe"
    again = get_identity(mock_client, dfs_token, BILL, Prefer="dynamic=true")
    assert again.json() == dynamic.json()
    other = get_identity(mock_client, dfs_token, OTHER, Prefer="dynamic=true")
    assert other.json() != dynamic.json()


def test_an_impossible_choice_is_a_400_naming_the_choices(
    mock_client: TestClient, dfs_token: dict[str, str]
) -> None:
    code = envelope(get_identity(mock_client, dfs_token, BILL, Prefer="code=418"), 400)
    assert (
        "code=418 is not a response of getIdentity; it documents 200, 400, 401" in code["Message"]
    )
    example = envelope(get_identity(mock_client, dfs_token, BILL, Prefer="example=nobody"), 400)
    assert "example=nobody is not an example of getIdentity; its examples: " in example["Message"]
    assert "(404)" in example["Message"]


def test_the_other_apis_answer_an_impossible_choice_as_problem_details(
    mock_client: TestClient,
) -> None:
    response = mock_client.get(f"{AC}/identities", headers={**KEY_HEADER, "Prefer": "code=299"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "code=299" in response.json()["detail"]


@pytest.fixture(scope="module")
def real_client(mock_database: str, data_dir: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=mock_database, data_dir=data_dir, public_url="http://testserver"
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.services.store.dispose()


BAD_REQUESTS = [
    ("GET", "/v1.0/identities/not-a-uuid", {}, None),
    ("POST", SEARCH, {"Content-Type": "application/json"}, b'{"PageSize": '),
    ("POST", SEARCH, {"Content-Type": "application/json"}, b'{"PageSize": "ten"}'),
    ("POST", SEARCH, {"Content-Type": "application/json"}, b'{"PageSize": 1000}'),
    ("POST", SEARCH, {"Content-Type": "application/json"}, b'{"Unknown": 1}'),
    ("POST", SEARCH, {"Content-Type": "text/plain"}, b"PageSize=10"),
    ("POST", SEARCH, {"Content-Type": "application/json"}, b'{"SearchTerm": "\xff"}'),
    ("DELETE", SEARCH, {}, None),
    ("GET", f"{USERS}?PageSize=0", {}, None),
    ("GET", f"{AC}/identities/not-a-uuid", {}, None),
]


@pytest.mark.parametrize(("method", "path", "headers", "content"), BAD_REQUESTS)
def test_bad_requests_get_the_same_answers_as_in_real_mode(  # noqa: PLR0917 (pytest fixtures)
    mock_client: TestClient,
    real_client: TestClient,
    dfs_token: dict[str, str],
    method: str,
    path: str,
    headers: dict[str, str],
    content: bytes | None,
) -> None:
    if path.startswith(AC):
        auth = KEY_HEADER
    elif path.startswith("/webapi"):
        auth = bearer(fetch_token(mock_client))
    else:
        auth = dfs_token
    answers = [
        client.request(method, path, headers={**auth, **headers}, content=content)
        for client in (mock_client, real_client)
    ]
    mock, real = answers
    assert 400 <= mock.status_code < 500
    assert (mock.status_code, mock.headers.get("allow")) == (
        real.status_code,
        real.headers.get("allow"),
    )
    assert _without_ids(mock.json()) == _without_ids(real.json())


def _without_ids(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("CorrelationId", "traceId")}


def test_credentials_are_verified_by_default(
    mock_client: TestClient, dfs_token: dict[str, str]
) -> None:
    assert get_identity(mock_client, {}, BILL).status_code == 401
    assert get_identity(mock_client, {"Authorization": "Bearer x.y.z"}, BILL).status_code == 401
    assert mock_client.get(f"{AC}/identities", headers={"x-api-key": "guess"}).status_code == 401
    assert mock_client.get(f"{AC}/identities", headers=KEY_HEADER).status_code == 200
    # A DFS token is not a primedocs token.
    assert mock_client.get(USERS, headers=dfs_token).status_code == 401


def test_presence_accepts_any_well_formed_credential(mock_database: str, data_dir: Path) -> None:
    app = create_app(mock_settings(mock_database, data_dir, mock_auth="presence"))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert get_identity(client, {"Authorization": "Bearer x.y.z"}, BILL).status_code == 200
        assert client.get(USERS, headers={"Authorization": "Bearer anything"}).status_code == 200
        assert client.get(f"{AC}/identities", headers={"x-api-key": "guess"}).status_code == 200
        assert get_identity(client, {}, BILL).status_code == 401
        assert get_identity(client, {"Authorization": "Bearer a b"}, BILL).status_code == 401
        assert get_identity(client, {"Authorization": "Basic eDp5"}, BILL).status_code == 401
    app.services.store.dispose()


def test_auth_off_asks_for_no_credential(mock_database: str, data_dir: Path) -> None:
    app = create_app(mock_settings(mock_database, data_dir, mock_auth="off", apis=("dfs",)))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert get_identity(client, {}, BILL).status_code == 200
        # Input is still validated.
        assert client.get("/v1.0/identities/nope").status_code == 400
    app.services.store.dispose()


def test_the_token_services_stay_real_in_mock_mode(mock_client: TestClient) -> None:
    refused = mock_client.post(
        "/ids/connect/token",
        data={"grant_type": "password", "username": "additiv", "password": "wrong", **BACK_OFFICE},
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_a_fault_rate_of_one_answers_every_request_with_a_500_or_503(
    mock_database: str, data_dir: Path, dfs_token: dict[str, str]
) -> None:
    app = create_app(mock_settings(mock_database, data_dir, fault_rate=1.0))
    with TestClient(app, raise_server_exceptions=False) as client:
        statuses = set()
        for _ in range(40):
            response = get_identity(client, dfs_token, BILL)
            statuses.add(response.status_code)
            body = envelope(response, response.status_code)
            assert "injected fault" in body["Message"]
            if response.status_code == 503:
                assert response.headers["retry-after"] == "1"
        problem = client.get(f"{AC}/identities", headers=KEY_HEADER)
        assert problem.headers["content-type"] == "application/problem+json"
        # Validation and auth come first: a fault is what a valid request may meet.
        assert get_identity(client, {}, BILL).status_code == 401
    assert statuses == {500, 503}
    app.services.store.dispose()


def test_a_fault_rate_fails_about_that_fraction(
    mock_database: str, data_dir: Path, dfs_token: dict[str, str]
) -> None:
    app = create_app(mock_settings(mock_database, data_dir, fault_rate=0.25, apis=("dfs",)))
    with TestClient(app, raise_server_exceptions=False) as client:
        failed = sum(get_identity(client, dfs_token, BILL).status_code >= 500 for _ in range(400))
    # Binomial(400, 0.25): mean 100, standard deviation 8.7; this range is over 6 of them.
    assert 45 <= failed <= 155
    app.services.store.dispose()


def test_latency_delays_each_answer_within_its_range_and_prefer_delay_overrides(
    mock_database: str, data_dir: Path, dfs_token: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    delays: list[float] = []

    async def no_wait(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(mock_answers, "pause", no_wait)
    app = create_app(mock_settings(mock_database, data_dir, latency_ms=(50, 80), apis=("dfs",)))
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(20):
            assert get_identity(client, dfs_token, BILL).status_code == 200
        assert all(0.05 <= delay <= 0.08 for delay in delays) and len(delays) == 20
        delays.clear()
        response = get_identity(client, dfs_token, BILL, Prefer="delay=5")
        assert response.headers["preference-applied"] == "delay=5"
        assert delays == [0.005]
    app.services.store.dispose()


def test_prefer_delay_works_without_a_latency_setting(
    mock_client: TestClient, dfs_token: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    delays: list[float] = []

    async def no_wait(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(mock_answers, "pause", no_wait)
    get_identity(mock_client, dfs_token, BILL)
    get_identity(mock_client, dfs_token, BILL, Prefer="delay=1200")
    assert delays == [1.2]


def test_cors_is_on_in_mock_mode(mock_client: TestClient) -> None:
    preflight = mock_client.options(
        SEARCH,
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, prefer",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    answer = mock_client.get(f"{AC}/identities", headers={**KEY_HEADER, "Origin": "http://a.test"})
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "X-Correlation-ID" in answer.headers["access-control-expose-headers"]


def test_a_request_without_an_origin_gets_no_cors_headers(mock_client: TestClient) -> None:
    # Browsers send Origin with every cross-origin request; without one there is nothing to allow.
    answer = mock_client.get(f"{AC}/identities", headers=KEY_HEADER)
    assert answer.status_code == 200
    assert not [name for name in answer.headers if name.lower().startswith("access-control-")]


def test_cors_origins_can_be_limited(mock_database: str, data_dir: Path) -> None:
    app = create_app(
        mock_settings(mock_database, data_dir, cors_origins=("http://app.test",), apis=("dfs",))
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        allowed = client.get("/v1.0/access-policies", headers={"Origin": "http://app.test"})
        assert allowed.headers["access-control-allow-origin"] == "http://app.test"
        other = client.get("/v1.0/access-policies", headers={"Origin": "http://evil.test"})
        assert "access-control-allow-origin" not in other.headers
    app.services.store.dispose()


def test_real_mode_sends_no_cors_headers(real_client: TestClient) -> None:
    response = real_client.get(
        f"{AC}/identities", headers={**KEY_HEADER, "Origin": "http://a.test"}
    )
    assert "access-control-allow-origin" not in response.headers


@pytest.fixture
def own_fixtures(tmp_path: Path) -> Path:
    folder = tmp_path / "fixtures"
    shutil.copytree(PROJECT_ROOT / "fixtures", folder)
    return folder


def test_a_fixture_that_breaks_its_schema_is_caught_as_it_leaves(
    mock_database: str, data_dir: Path, dfs_token: dict[str, str], own_fixtures: Path
) -> None:
    path = own_fixtures / "mock/dfs/getIdentity.yaml"
    fixtures = yaml.safe_load(path.read_text())
    for example in fixtures["examples"].values():
        if example["status"] == 200:
            example["body"].pop("UserName")
    path.write_text(yaml.safe_dump(fixtures))
    app = create_app(
        mock_settings(mock_database, data_dir, fixtures_dir=own_fixtures, apis=("dfs",))
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        response = get_identity(client, dfs_token, BILL)
    assert response.status_code == 500
    assert set(response.json()) == {"Code", "SubCode", "Message", "CorrelationId"}
    app.services.store.dispose()


def test_a_malformed_fixture_file_stops_the_start_naming_it(
    mock_database: str, data_dir: Path, own_fixtures: Path
) -> None:
    (own_fixtures / "mock/dfs/getIdentity.yaml").write_text("examples: {a: {status: 200}}")
    with pytest.raises(FixtureError, match=r"getIdentity\.yaml.*default: true"):
        create_app(mock_settings(mock_database, data_dir, fixtures_dir=own_fixtures, apis=("dfs",)))


def test_ids_are_matched_as_the_api_binds_them(
    mock_client: TestClient, dfs_token: dict[str, str]
) -> None:
    response = get_identity(mock_client, dfs_token, BILL.upper())
    assert response.json()["LastName"] == "Doe"


def test_error_answers_from_examples_or_generated_data_agree_with_their_status(
    mock_client: TestClient, dfs_token: dict[str, str]
) -> None:
    for prefer in ("code=500", "code=404, dynamic=true", "code=422, dynamic=true"):
        response = get_identity(mock_client, dfs_token, BILL, Prefer=prefer)
        code = {500: "InternalServerError", 404: "NotFound", 422: "UnprocessableEntity"}
        assert envelope(response, response.status_code)["Code"] == code[response.status_code]
    generated = mock_client.get(
        f"{AC}/identities/{UNKNOWN}", headers={**KEY_HEADER, "Prefer": "code=404, dynamic=true"}
    )
    body = generated.json()
    assert (body["status"], body["title"], body["traceId"]) == (
        404,
        "Not Found",
        generated.headers["x-correlation-id"],
    )


def test_a_fixture_value_json_cannot_carry_is_refused_at_start(
    mock_database: str, data_dir: Path, own_fixtures: Path
) -> None:
    path = own_fixtures / "mock/dfs/getRole.yaml"
    text = path.read_text()
    assert "CreatedDate: '" in text or 'CreatedDate: "' in text
    path.write_text(text.replace("CreatedDate: '", "CreatedDate: ", 1).replace("Z'", "Z", 1))
    with pytest.raises(FixtureError, match=r"getRole\.yaml.*quote it"):
        create_app(mock_settings(mock_database, data_dir, fixtures_dir=own_fixtures, apis=("dfs",)))
