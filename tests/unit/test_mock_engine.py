"""The mock engine without HTTP: the Prefer header, `when:` conditions, generated data and the
order in which an answer is chosen."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

from specserve.apis import ALL_APIS
from specserve.contract import HTTP_METHODS, Contract, is_json_media_type, resolve_refs
from specserve.mock.answers import _fixed_content
from specserve.mock.fixtures import FixtureError, OperationFixtures, load_api_fixtures
from specserve.mock.generate import fingerprint, generate
from specserve.mock.matchers import RequestFacts, parse_conditions
from specserve.mock.prefer import Preferences, parse_prefer
from specserve.mock.selection import GENERATED, Answer, MockOperation
from specserve.settings import Settings
from store.errors import Invalid


def test_prefer_reads_prisms_preferences_in_one_or_several_headers() -> None:
    assert parse_prefer(["code=404, example=bill-doe"]) == Preferences(code=404, example="bill-doe")
    assert parse_prefer(["code=404", "dynamic=true", "delay=250"]) == Preferences(
        code=404, dynamic=True, delay_ms=250
    )
    assert parse_prefer(['example="quoted"']) == Preferences(example="quoted")


def test_prefer_ignores_preferences_it_does_not_know() -> None:
    assert parse_prefer(["respond-async, wait=10, return=minimal"]) == Preferences()


@pytest.mark.parametrize(
    "header",
    [
        "code=abc",
        "code=99",
        "code=600",
        "code=\u00b2",
        "code=" + "0" * 5000 + "404",
        "dynamic=maybe",
        "delay=-1",
        "delay=60001",
        "delay=\u00b9",
        "example=",
    ],
)
def test_a_meaningless_preference_is_the_clients_error(header: str) -> None:
    with pytest.raises(Invalid, match="Prefer"):
        parse_prefer([header])


FACTS = RequestFacts(
    path={"identityId": "3fa85f64-5717-4562-b3fc-2c963f66afa4"},
    query={"PageSize": "20", "All": "True"},
    headers={"x-tenant": "bluebank"},
    body={"Filter": {"UserName": "bdou", "Active": True}, "Ids": [7, 8], "Count": 1},
)


@pytest.mark.parametrize(
    ("when", "holds"),
    [
        ({"path": {"identityId": "3fa85f64-5717-4562-b3fc-2c963f66afa4"}}, True),
        # Bound as ASP.NET binds them: a uuid without regard to case, numbers as numbers.
        ({"path": {"identityId": "3FA85F64-5717-4562-B3FC-2C963F66AFA4"}}, True),
        ({"path": {"identityId": "3fa85f64-5717-4562-b3fc-2c963f66afa5"}}, False),
        ({"query": {"PageSize": "020"}}, True),
        ({"query": {"PageSize": "21"}}, False),
        ({"header": {"X-Tenant": "BlueBank"}}, False),
        ({"path": {"identityId": {"pattern": "^3fa8"}}}, True),
        ({"path": {"identityId": {"pattern": "^0{8}-"}}}, False),
        ({"query": {"PageSize": 20}}, True),  # YAML's number, the request's text
        ({"query": {"PageSize": {"in": ["10", "20"]}}}, True),
        ({"query": {"Page": {"present": False}}}, True),
        ({"query": {"All": True}}, True),
        ({"query": {"Page": "1"}}, False),
        ({"header": {"X-Tenant": "bluebank"}}, True),
        ({"body": {"Filter.UserName": "bdou"}}, True),
        ({"body": {"Filter.Active": True}}, True),
        ({"body": {"Count": True}}, False),  # JSON's 1 is not true
        ({"body": {"Ids.1": 8}}, True),
        ({"body": {"Filter.UserName": "BDOU"}}, False),  # JSON text is compared as sent
        ({"body": {"Ids.5": {"present": True}}}, False),
        ({"body": {"Filter.UserName": "bdou"}, "query": {"PageSize": "10"}}, False),
    ],
)
def test_when_conditions(when: dict[str, Any], holds: bool) -> None:
    assert all(c.holds(FACTS) for c in parse_conditions(when)) is holds


@pytest.mark.parametrize(
    "when",
    [
        {"cookie": {"a": 1}},
        {"path": {"id": {"pattern": "("}}},
        {"path": {"id": {"like": "x"}}},
        {"path": {"id": {"in": "x"}}},
        {"path": []},
    ],
)
def test_a_malformed_condition_is_refused(when: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        parse_conditions(when)


def _fixture_file(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("examples: []", "mapping `examples:`"),
        ("examples: {a: {status: 200}}", "exactly one example with `default: true`"),
        ("examples: {a: {status: 200, default: true}, b: {status: 200, default: true}}", "has 2"),
        ("examples: {a: {status: 1000, default: true}}", "HTTP status code"),
        ("examples: {a: {status: 200, default: true, bogus: 1}}", "unknown keys"),
        ("examples: {a: {status: 200, default: true}}\nextra: 1", "unknown top-level"),
        ("examples: {a: {status: 200, default: true, when: {cookie: {x: 1}}}}", "unknown location"),
        ("examples: [", "not YAML"),
    ],
)
def test_a_malformed_fixture_file_is_refused_naming_file_and_example(
    tmp_path: Path, text: str, message: str
) -> None:
    _fixture_file(tmp_path / "dfs", "getIdentity", text)
    with pytest.raises(FixtureError, match=r"getIdentity\.yaml") as raised:
        load_api_fixtures(tmp_path / "dfs")
    assert message in str(raised.value)


SPEC = {
    "paths": {
        "/things/{id}": {
            "get": {
                "operationId": "getThing",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id", "name"],
                                    "properties": {
                                        "id": {"type": "string", "format": "uuid"},
                                        "name": {"type": "string"},
                                    },
                                },
                                "example": {"id": "spec", "name": "from the spec"},
                            }
                        },
                    },
                    "404": {
                        "description": "gone",
                        "content": {
                            "application/problem+json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["title"],
                                    "properties": {"title": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "204": {"description": "nothing"},
                },
            }
        }
    }
}
FIXTURES = """
examples:
  bill:
    status: 200
    default: true
    body: {id: bill, name: Bill}
  special:
    status: 200
    default: false
    when: {path: {id: special}}
    body: {id: special, name: Special}
  unknown:
    status: 404
    default: true
    when: {path: {id: {pattern: '^0{8}'}}}
    body: {title: Not Found}
"""


@pytest.fixture
def operation(tmp_path: Path) -> MockOperation:
    _fixture_file(tmp_path / "api", "getThing", FIXTURES)
    fixtures = load_api_fixtures(tmp_path / "api")["getThing"]
    return MockOperation.of(SPEC, SPEC["paths"]["/things/{id}"]["get"], fixtures)


def facts(thing: str) -> RequestFacts:
    return RequestFacts(path={"id": thing}, query={}, headers={}, body=None)


def test_without_preferences_a_matching_when_wins_then_the_default(
    operation: MockOperation,
) -> None:
    assert operation.choose(Preferences(), facts("special"), lambda: 1).source == "example special"
    unknown = operation.choose(Preferences(), facts("00000000-1"), lambda: 1)
    assert (unknown.status, unknown.source) == (404, "example unknown")
    assert operation.choose(Preferences(), facts("anything"), lambda: 1).body == {
        "id": "bill",
        "name": "Bill",
    }


def test_prefer_code_narrows_the_rules_to_that_status(operation: MockOperation) -> None:
    answer = operation.choose(Preferences(code=404), facts("special"), lambda: 1)
    assert (answer.status, answer.source, answer.media_type) == (
        404,
        "example unknown",
        "application/problem+json",
    )
    # 200 asked: the `when` of a 404 example does not apply.
    assert (
        operation.choose(Preferences(code=200), facts("00000000-1"), lambda: 1).source
        == "example bill"
    )
    nothing = operation.choose(Preferences(code=204), facts("x"), lambda: 1)
    assert (nothing.status, nothing.has_body) == (204, False)


def test_prefer_example_names_a_fixture_whatever_the_request(operation: MockOperation) -> None:
    answer = operation.choose(Preferences(example="unknown"), facts("special"), lambda: 1)
    assert (answer.status, answer.body) == (404, {"title": "Not Found"})
    both = operation.choose(Preferences(example="special", code=200), facts("x"), lambda: 1)
    assert both.source == "example special"


def test_prefer_dynamic_generates_data_for_the_status(operation: MockOperation) -> None:
    answer = operation.choose(Preferences(dynamic=True), facts("special"), lambda: 7)
    assert answer.source == "generated"
    assert set(answer.body) == {"id", "name"}
    again = operation.choose(Preferences(dynamic=True), facts("special"), lambda: 7)
    assert again.body == answer.body
    other = operation.choose(Preferences(dynamic=True), facts("special"), lambda: 8)
    assert other.body != answer.body


def test_the_spec_example_comes_after_fixtures_and_generation_after_it() -> None:
    spec_operation = SPEC["paths"]["/things/{id}"]["get"]
    operation = MockOperation.of(SPEC, spec_operation, OperationFixtures("getThing"))
    answer = operation.choose(Preferences(), facts("x"), lambda: 1)
    assert (answer.source, answer.body) == ("spec example", {"id": "spec", "name": "from the spec"})
    generated = operation.choose(Preferences(code=404), facts("x"), lambda: 1)
    assert generated.source == "generated" and isinstance(generated.body["title"], str)


@pytest.mark.parametrize(
    ("preferences", "message"),
    [
        (
            Preferences(code=418),
            "code=418 is not a response of getThing; it documents 200, 204, 404",
        ),
        (Preferences(example="nope"), "its examples: bill (200), special (200), unknown (404)"),
        (Preferences(example="bill", code=404), "answers 200, not code=404"),
        (Preferences(example="bill", dynamic=True), "contradict"),
    ],
)
def test_an_impossible_choice_names_the_choices(
    operation: MockOperation, preferences: Preferences, message: str
) -> None:
    with pytest.raises(Invalid, match=re.escape(message)):
        operation.choose(preferences, facts("x"), lambda: 1)


def test_the_fingerprint_is_stable_across_processes() -> None:
    # sha256 of the parts, not Python's salted hash(): the same request, the same data, always.
    code = "from specserve.mock.generate import fingerprint; print(fingerprint('a', 'GET', '/1'))"
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert seen == {f"{fingerprint('a', 'GET', '/1')}\n"}


def response_schemas() -> Iterator[Any]:
    for api in ALL_APIS:
        if api.infrastructure:
            continue
        document = Contract.load(api, Settings().specs_dir).document
        for item in document["paths"].values():
            for method in HTTP_METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                for status, response in resolve_refs(operation["responses"], document).items():
                    for media_type, media in response.get("content", {}).items():
                        if is_json_media_type(media_type) and "schema" in media:
                            label = f"{api.name}-{operation['operationId']}-{status}"
                            yield pytest.param(media["schema"], id=label)


@pytest.mark.parametrize("schema", list(response_schemas()))
def test_generated_data_is_valid_for_every_response_schema_of_the_four_apis(
    schema: dict[str, Any],
) -> None:
    validator = OAS30ReadValidator(schema, format_checker=oas30_format_checker)
    for seed in range(5):
        value = generate(schema, seed)
        errors = [error.message for error in validator.iter_errors(value)]
        assert not errors, f"seed {seed}: {errors} in {value}"


def test_an_answer_the_same_for_every_request_is_rendered_once() -> None:
    fixed = Answer(200, {"Name": "Bill"}, True, "application/json", source="example bill")
    first = _fixed_content(fixed)
    assert first == b'{"Name": "Bill"}'
    assert _fixed_content(fixed) is first
    # What a request fills in, or makes anew, is rendered for each request.
    for varying in (
        Answer(200, {"Id": "{{path.id}}"}, True, "application/json", source="example own"),
        Answer(404, {"CorrelationId": ""}, True, "application/json", source="example gone"),
        Answer(200, {"Name": "Bill"}, True, "application/json", source=GENERATED),
    ):
        assert _fixed_content(varying) is None
