"""Each rule of specserve.lint catches a fault planted in a small spec that is otherwise clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from specserve import lint
from specserve.apis import PRIMEDOCS, PromisedErrors

SPEC = "things.yaml"  # served by no API: the default promise (401 when secured, 400 on input)


def clean_spec() -> dict[str, Any]:
    problem = {"$ref": "#/components/responses/Problem"}
    thing = {"$ref": "#/components/schemas/Thing"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1"},
        "security": [{"bearer": []}],
        "paths": {
            "/things/{thingId}": {
                "parameters": [
                    {
                        "name": "thingId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "example": 7},
                    }
                ],
                "get": {
                    "operationId": "getThing",
                    "tags": ["Things"],
                    "summary": "A thing",
                    "responses": {
                        "200": {
                            "description": "The thing.",
                            "content": {
                                "application/json": {
                                    "schema": thing,
                                    "example": {"id": 7, "name": "seven"},
                                }
                            },
                        },
                        "400": problem,
                        "401": problem,
                    },
                },
                "put": {
                    "operationId": "putThing",
                    "tags": ["Things"],
                    "summary": "Change a thing",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": thing,
                                "examples": {"renamed": {"value": {"name": "eight"}}},
                            }
                        }
                    },
                    "responses": {
                        "204": {
                            "description": "Changed.",
                            "links": {
                                "GetThing": {
                                    "operationId": "getThing",
                                    "parameters": {"thingId": "$request.path.thingId"},
                                }
                            },
                        },
                        "400": problem,
                        "401": problem,
                    },
                },
            },
            "/health": {
                "get": {
                    "operationId": "health",
                    "tags": ["Health"],
                    "summary": "Up or not",
                    "security": [],
                    "responses": {"200": {"description": "Up."}},
                }
            },
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "integer", "readOnly": True},
                        "name": {"type": "string"},
                    },
                }
            },
            "responses": {
                "Problem": {
                    "description": "What went wrong.",
                    "content": {
                        "application/problem+json": {
                            "schema": {"type": "object"},
                            "example": {"title": "Bad"},
                        }
                    },
                }
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def get_thing(spec: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = spec["paths"]["/things/{thingId}"]["get"]
    return operation


def problems(findings: list[lint.Finding]) -> list[str]:
    return [f"{finding.where}: {finding.problem}" for finding in findings]


def test_the_clean_spec_is_clean() -> None:
    assert lint.lint_document(SPEC, clean_spec()) == []
    # ... and its examples are checked: the parameter's and the answers' (in both operations)
    # and the body's.
    assert len(list(lint.examples(clean_spec()))) == 8


def test_openapi_3_1_is_refused_before_the_house_rules_run() -> None:
    spec = clean_spec()
    spec["openapi"] = "3.1.0"
    del get_thing(spec)["operationId"]
    findings = lint.lint_document(SPEC, spec)
    assert problems(findings) == ["openapi: '3.1.0', not 3.0.3 (Connexion 3 refuses 3.1)"]


def test_a_document_breaking_the_openapi_schema_is_found() -> None:
    spec = clean_spec()
    del get_thing(spec)["responses"]
    findings = lint.valid_openapi(SPEC, spec)
    assert any(
        "'responses' is a required property" in f.problem.replace('"', "'") for f in findings
    )


@pytest.mark.parametrize("field", ["operationId", "tags", "summary"])
def test_an_operation_without_its_name_tag_or_summary_is_found(field: str) -> None:
    spec = clean_spec()
    del get_thing(spec)[field]
    assert problems(lint.operations_are_named(SPEC, spec)) == [
        f"GET /things/{{thingId}}: has no {field}"
    ]


def test_operations_without_an_operation_id_are_not_taken_for_a_duplicate() -> None:
    spec = clean_spec()
    del get_thing(spec)["operationId"]
    del spec["paths"]["/health"]["get"]["operationId"]
    assert problems(lint.operations_are_named(SPEC, spec)) == [
        "GET /things/{thingId}: has no operationId",
        "GET /health: has no operationId",
    ]


def test_an_operation_id_used_twice_is_found() -> None:
    spec = clean_spec()
    spec["paths"]["/health"]["get"]["operationId"] = "getThing"
    assert problems(lint.operations_are_named(SPEC, spec)) == [
        "GET /health: operationId getThing is used twice"
    ]


def test_an_answer_without_an_example_is_found() -> None:
    spec = clean_spec()
    del get_thing(spec)["responses"]["200"]["content"]["application/json"]["example"]
    findings = lint.answers_have_examples(SPEC, spec)
    assert problems(findings) == ["GET /things/{thingId} 200 application/json: has no example"]
    assert str(findings[0]).startswith(f"{SPEC}: GET /things/{{thingId}} 200 application/json")


def test_a_shared_response_without_an_example_is_found_where_it_is_used() -> None:
    spec = clean_spec()
    del spec["components"]["responses"]["Problem"]["content"]["application/problem+json"]["example"]
    assert len(lint.answers_have_examples(SPEC, spec)) == 4  # 400 and 401 of two operations


def test_an_answer_example_breaking_its_schema_is_found() -> None:
    spec = clean_spec()
    get_thing(spec)["responses"]["200"]["content"]["application/json"]["example"]["id"] = "7"
    assert problems(lint.examples_match_schemas(SPEC, spec)) == [
        "GET /things/{thingId} 200 application/json: example at $.id breaks its schema: "
        "'7' is not of type 'integer'"
    ]


def test_a_request_example_is_checked_as_a_client_sends_it() -> None:
    spec = clean_spec()
    put = spec["paths"]["/things/{thingId}"]["put"]
    # `id` is read-only: an answer carries it, a request must not.
    put["requestBody"]["content"]["application/json"]["examples"]["renamed"]["value"]["id"] = 8
    findings = problems(lint.examples_match_schemas(SPEC, spec))
    assert len(findings) == 1
    assert findings[0].startswith("PUT /things/{thingId} body application/json example renamed")


def test_a_parameter_example_breaking_its_schema_is_found() -> None:
    spec = clean_spec()
    spec["paths"]["/things/{thingId}"]["parameters"][0]["schema"]["example"] = 0
    findings = problems(lint.examples_match_schemas(SPEC, spec))
    assert len(findings) == 2  # in both operations of the path
    assert findings[0].startswith("GET /things/{thingId} parameter thingId: example")


def test_a_secured_operation_without_its_401_is_found() -> None:
    spec = clean_spec()
    del get_thing(spec)["responses"]["401"]
    assert problems(lint.promised_errors_documented(SPEC, spec)) == [
        "GET /things/{thingId}: documents no 401 response"
    ]


def test_an_operation_taking_input_without_its_400_is_found() -> None:
    spec = clean_spec()
    del spec["paths"]["/things/{thingId}"]["put"]["responses"]["400"]
    assert problems(lint.promised_errors_documented(SPEC, spec)) == [
        "PUT /things/{thingId}: documents no 400 response"
    ]


def test_an_api_promises_more_by_what_an_operation_takes() -> None:
    promise = PromisedErrors(every=(500,), with_path_parameters=(404,), with_body=(415,))
    assert problems(lint.promised_errors_documented(SPEC, clean_spec(), promise)) == [
        "GET /things/{thingId}: documents no 404, 500 response",
        "PUT /things/{thingId}: documents no 404, 415, 500 response",
        "GET /health: documents no 500 response",
    ]


def test_the_promise_is_the_api_s_that_serves_the_spec() -> None:
    assert lint.promise_of("elsewhere/primedocs-admin.yaml") == PRIMEDOCS.promised_errors
    spec = clean_spec()
    # primedocs promises 403 and 404 on every operation.
    assert (
        "documents no 403, 404 response"
        in problems(lint.promised_errors_documented("primedocs-admin.yaml", spec))[0]
    )


def test_an_operation_without_security_is_found() -> None:
    spec = clean_spec()
    del spec["security"]
    # GET /health opted out (`security: []`); the others forgot.
    assert problems(lint.security_is_declared(SPEC, spec)) == [
        "GET /things/{thingId}: declares no security (opt out: security: [])",
        "PUT /things/{thingId}: declares no security (opt out: security: [])",
    ]


def test_a_security_scheme_not_defined_is_found() -> None:
    spec = clean_spec()
    get_thing(spec)["security"] = [{"apiKey": []}]
    assert problems(lint.security_is_declared(SPEC, spec)) == [
        "GET /things/{thingId}: names no security scheme apiKey"
    ]


def test_a_recursive_schema_is_found() -> None:
    spec = clean_spec()
    spec["components"]["schemas"]["Thing"]["properties"]["parts"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Part"},
    }
    spec["components"]["schemas"]["Part"] = {
        "type": "object",
        "properties": {"of": {"$ref": "#/components/schemas/Thing"}},
    }
    assert problems(lint.no_recursive_schemas(SPEC, spec)) == [
        "components/schemas/Thing: refers to itself",
        "components/schemas/Part: refers to itself",
    ]


def test_a_file_that_is_not_yaml_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("openapi: [3.0.3\n")
    findings = lint.lint_spec(path)
    assert len(findings) == 1
    assert findings[0].where == "file"
    assert lint.count_operations(path) == 0


def test_an_update_without_a_link_to_its_read_is_found() -> None:
    spec = clean_spec()
    del spec["paths"]["/things/{thingId}"]["put"]["responses"]["204"]["links"]
    assert problems(lint.writes_link_to_their_reads(SPEC, spec)) == [
        "PUT /things/{thingId}: has no link to getThing (GET /things/{thingId})"
    ]


def test_a_create_without_a_link_to_the_read_of_what_it_makes_is_found() -> None:
    spec = clean_spec()
    put = spec["paths"]["/things/{thingId}"]["put"]
    spec["paths"]["/things"] = {"post": {**put, "operationId": "addThing"}}
    spec["paths"]["/things/search"] = {"post": {**put, "operationId": "searchThings"}}
    del spec["paths"]["/things"]["post"]["responses"]
    spec["paths"]["/things"]["post"]["responses"] = {"201": {"description": "Made."}}
    # A POST beside the item's path (a search) creates nothing the rule could ask a link for.
    assert problems(lint.writes_link_to_their_reads(SPEC, spec)) == [
        "POST /things: has no link to getThing (GET /things/{thingId})"
    ]


def test_a_link_to_an_operation_the_spec_lacks_is_found() -> None:
    spec = clean_spec()
    link = spec["paths"]["/things/{thingId}"]["put"]["responses"]["204"]["links"]["GetThing"]
    link["operationId"] = "getThings"
    assert problems(lint.links_are_whole(SPEC, spec)) == [
        "PUT /things/{thingId} 204 link GetThing: names no operation of this spec: getThings"
    ]


def test_a_link_giving_a_parameter_its_target_does_not_take_is_found() -> None:
    spec = clean_spec()
    link = spec["paths"]["/things/{thingId}"]["put"]["responses"]["204"]["links"]["GetThing"]
    link["parameters"] = {"path.thingId": "$request.path.thingId", "thingID": "7"}
    assert problems(lint.links_are_whole(SPEC, spec)) == [
        "PUT /things/{thingId} 204 link GetThing: gives thingID, which getThing does not take"
    ]
