"""Query and JSON body names are rewritten to the spec's casing, and nothing else changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from connexion.exceptions import BadRequestProblem

from specserve.contract import Operation
from specserve.request_names import canonical_json_body, canonical_query

LIST = Operation(
    function="handlers.test.things.list_things",
    method="get",
    path="/things",
    query_names={"pagesize": "PageSize", "page": "Page"},
    json_body_schema=None,
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "owner": {"type": "object", "properties": {"displayName": {"type": "string"}}},
        "shares": {
            "type": "array",
            "items": {"type": "object", "properties": {"profileId": {"type": "string"}}},
        },
        "labels": {
            "type": "object",
            "additionalProperties": {"type": "object", "properties": {"colorCode": {}}},
        },
    },
    "allOf": [{"properties": {"organizationUnitId": {"type": "string"}}}],
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (b"pagesize=10&PAGE=2", b"PageSize=10&Page=2"),
        (b"pAgEsIzE=10&other=X&Other=y", b"PageSize=10&other=X&Other=y"),
        (b"page=Mixed+Case%2FValue", b"Page=Mixed+Case%2FValue"),
    ],
)
def test_query_names_take_the_specs_casing(query: bytes, expected: bytes) -> None:
    assert canonical_query(query, LIST) == expected


@pytest.mark.parametrize("query", [b"PageSize=10&Page=2", b"unknown=1&Another=Two", b""])
def test_an_unchanged_query_is_the_same_object(query: bytes) -> None:
    assert canonical_query(query, LIST) is query


@pytest.mark.parametrize("query", [b"page=\xff", b"pagesize=%FF"])
def test_a_query_that_is_not_utf8_is_a_bad_request(query: bytes) -> None:
    with pytest.raises(BadRequestProblem):
        canonical_query(query, LIST)


def test_nested_names_take_the_specs_casing() -> None:
    body = json.dumps(
        {
            "TITLE": "Legal",
            "owner": {"displayname": "Anna"},
            "Shares": [{"PROFILEID": "p1"}, {"profileId": "p2"}],
            "labels": {"Red": {"COLORCODE": "#f00"}},
            "organizationunitid": "ou",
            "unknownName": {"Title": "kept"},
        }
    ).encode()
    assert json.loads(canonical_json_body(body, SCHEMA)) == {
        "title": "Legal",
        "owner": {"displayName": "Anna"},
        "shares": [{"profileId": "p1"}, {"profileId": "p2"}],
        "labels": {"Red": {"colorCode": "#f00"}},
        "organizationUnitId": "ou",
        "unknownName": {"Title": "kept"},
    }


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "Legal",  "shares": [{"profileId": "p"}], "extra": 1}',
        b"[1, 2]",
        b"",
        b"  \n",
    ],
)
def test_an_unchanged_body_is_the_same_object(body: bytes) -> None:
    assert canonical_json_body(body, SCHEMA) is body


def test_a_utf8_bom_is_stripped() -> None:
    assert canonical_json_body(b'\xef\xbb\xbf{"title": "x"}', SCHEMA) == b'{"title": "x"}'


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "a", "Title": "b"}',
        b'{"owner": {"displayName": "a", "DISPLAYNAME": "b"}}',
        b"{not json",
        b'{"title": "\xff"}',
        '{"title": "x"}'.encode("utf-16"),
        b'{"title": "a\\u0000b"}',
        b'{"tags": [{"a\\u0000": 1}]}',
    ],
    ids=["duplicate", "nested-duplicate", "invalid-json", "latin-1", "utf-16", "nul", "nul-key"],
)
def test_a_body_that_cannot_be_read_unambiguously_is_a_bad_request(body: bytes) -> None:
    with pytest.raises(BadRequestProblem):
        canonical_json_body(body, SCHEMA)


def test_a_backslash_u_in_text_is_no_nul() -> None:
    body = b'{"title": "C:\\\\u0000"}'
    assert canonical_json_body(body, SCHEMA) is body
