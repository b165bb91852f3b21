"""Every mock fixture keeps its operation's contract: a documented status, a body that the
response schema accepts (checked by openapi-core), conditions on parameters that exist; and
every operation of the four APIs has a success answer and at least one error answer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from specserve.apis import ALL_APIS, ApiDefinition
from specserve.contract import HTTP_METHODS, Contract, is_json_media_type, resolve_refs
from specserve.mock.fixtures import MockExample, fill_placeholders, load_api_fixtures
from specserve.settings import PROJECT_ROOT, Settings

MOCKED_APIS = [api for api in ALL_APIS if not api.infrastructure]
MOCK_FOLDER = PROJECT_ROOT / "fixtures" / "mock"
HOST = "http://mock.test"


def spec_operations(api: ApiDefinition) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (method, path template, operation)."""
    document = Contract.load(api, Settings().specs_dir).document
    return {
        operation["operationId"]: (method, path, operation)
        for path, item in document["paths"].items()
        for method in HTTP_METHODS
        if (operation := item.get(method)) is not None
    }


def fixture_cases() -> Iterator[Any]:
    for api in MOCKED_APIS:
        for operation_id, fixtures in load_api_fixtures(MOCK_FOLDER / api.name).items():
            for example in fixtures.examples:
                yield pytest.param(
                    api, operation_id, example, id=f"{api.name}-{operation_id}-{example.name}"
                )


def _openapi(api: ApiDefinition) -> OpenAPI:
    document = json.loads(json.dumps(Contract.load(api, Settings().specs_dir).document))
    document["servers"] = [{"url": HOST + api.base_path.rstrip("/")}]
    # openapi-core parses JSON only as application/json; every error here is problem+json.
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(document, config=config)


_OPENAPI: dict[str, OpenAPI] = {}


def openapi_of(api: ApiDefinition) -> OpenAPI:
    if api.name not in _OPENAPI:
        _OPENAPI[api.name] = _openapi(api)
    return _OPENAPI[api.name]


def path_values(
    template: str, example: MockExample, parameters: list[dict[str, Any]]
) -> dict[str, str]:
    """A value for each path parameter: the example's condition where it names one, else the
    parameter's own example."""
    given = {
        c.name: str(c.equals)
        for c in example.conditions
        if c.location == "path" and isinstance(c.equals, (str, int))
    }
    values = {}
    for name in re.findall(r"\{([^}]+)\}", template):
        parameter = next(p for p in parameters if p["in"] == "path" and p["name"] == name)
        schema = parameter.get("schema", {})
        fallback = {"uuid": "01000000-0000-0000-0000-000000000000"}.get(schema.get("format"), "1")
        values[name] = given.get(name) or str(
            parameter.get("example", schema.get("example", fallback))
        )
    return values


def placeholders(body: Any) -> set[str]:
    text = json.dumps(body)
    return set(re.findall(r"\{\{\s*([^}\s]+)\s*\}\}", text))


@pytest.mark.parametrize(("api", "operation_id", "example"), list(fixture_cases()))
def test_a_fixture_is_a_documented_answer_its_schema_accepts(
    api: ApiDefinition, operation_id: str, example: MockExample
) -> None:
    operations = spec_operations(api)
    assert operation_id in operations, f"{operation_id}.yaml names no operation of {api.name}"
    method, template, operation = operations[operation_id]
    document = Contract.load(api, Settings().specs_dir).document
    responses = {str(code): resolve_refs(r, document) for code, r in operation["responses"].items()}
    assert str(example.status) in responses, (
        f"{example.name}: {example.status} is not documented; documented: {sorted(responses)}"
    )
    parameters = resolve_refs(operation.get("parameters", []), document)
    declared = {
        (p["in"], p["name"].lower() if p["in"] == "header" else p["name"]) for p in parameters
    }
    for condition in example.conditions:
        if condition.location in ("path", "query"):
            assert (condition.location, condition.name) in declared, (
                f"{example.name}: when.{condition.location}.{condition.name} is not a parameter"
            )
    content = responses[str(example.status)].get("content", {})
    if not content:
        assert not example.has_body, f"{example.name}: {example.status} documents no body"
        return
    media_type = example.content_type or next(
        (m for m in content if is_json_media_type(m)), next(iter(content))
    )
    assert media_type in content, f"{example.name}: {media_type} is not one of {sorted(content)}"
    in_path = path_values(template, example, parameters)
    known = {"correlationId"} | {f"{p['in']}.{p['name']}" for p in parameters}
    assert placeholders(example.body) <= known, f"{example.name}: unknown placeholders"
    values = {"correlationId": "4bf92f3577b34da6a3ce929d0e0e4736"}
    values |= {f"path.{name}": value for name, value in in_path.items()}
    body = fill_placeholders(example.body, values)
    data = json.dumps(body).encode() if is_json_media_type(media_type) else str(body or "").encode()
    request = MockRequest(
        HOST,
        method,
        api.base_path.rstrip("/") + re.sub(r"\{([^}]+)\}", lambda m: in_path[m.group(1)], template),
    )
    response = MockResponse(
        data, status_code=example.status, headers=example.headers, content_type=media_type
    )
    openapi_of(api).validate_response(request, response)


@pytest.mark.parametrize("api", MOCKED_APIS, ids=lambda api: api.name)
def test_every_operation_has_a_success_and_an_error_fixture(api: ApiDefinition) -> None:
    fixtures = load_api_fixtures(MOCK_FOLDER / api.name)
    missing = []
    operations = spec_operations(api)
    for operation_id in operations:
        own = fixtures.get(operation_id)
        statuses = own.statuses() if own else []
        success = any(200 <= s < 400 for s in statuses)
        # A client error where the operation documents one (`GET /health` documents only 503).
        documented = {int(code) for code in operations[operation_id][2]["responses"]}
        client_errors = {s for s in documented if 400 <= s < 500}
        error = any(s in client_errors if client_errors else s >= 400 for s in statuses)
        if not (success and error):
            missing.append(f"{operation_id} (has {statuses or 'no fixtures'})")
    assert not missing, f"{api.name}: operations without a success and an error fixture: {missing}"
