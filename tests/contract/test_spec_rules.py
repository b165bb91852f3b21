"""The specs themselves: valid OpenAPI 3.0.3, examples that match their schemas, house rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from openapi_spec_validator import validate

from specserve.contract import HTTP_METHODS, resolve_refs
from specserve.settings import PROJECT_ROOT

# Every spec, served or still on its way to being served.
SPECS = {
    path.stem: yaml.safe_load(path.read_text())
    for path in sorted((PROJECT_ROOT / "specs").glob("*.yaml"))
}
DOCUMENTS = list(SPECS.values())
IDS = list(SPECS)


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def examples(document: dict[str, Any]) -> Iterator[tuple[str, Any, dict[str, Any], bool]]:
    """(where, example, schema, in a response) for every example the spec holds."""
    for label, operation in operations(document):
        for parameter in resolve_refs(operation.get("parameters", []), document):
            schema = parameter["schema"]
            if "example" in schema:
                yield f"{label} parameter {parameter['name']}", schema["example"], schema, False
        body = resolve_refs(operation.get("requestBody", {}), document)
        for media_type, media in body.get("content", {}).items():
            if "example" in media:
                yield f"{label} body {media_type}", media["example"], media["schema"], False
        for status, response in resolve_refs(operation["responses"], document).items():
            for media_type, media in response.get("content", {}).items():
                if "example" in media:
                    where = f"{label} {status} {media_type}"
                    yield where, media["example"], media["schema"], True


@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_spec_is_valid_openapi_3_0_3(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.0.3"
    validate(document)


@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_every_example_matches_its_schema(document: dict[str, Any]) -> None:
    checked = 0
    for where, example, schema, in_response in examples(document):
        validator = OAS30ReadValidator if in_response else OAS30WriteValidator
        checker = validator(schema, format_checker=oas30_format_checker)
        errors = [error.message for error in checker.iter_errors(example)]
        assert not errors, f"{where}: {errors}"
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_every_answer_with_a_body_has_an_example(document: dict[str, Any]) -> None:
    for label, operation in operations(document):
        for status, response in resolve_refs(operation["responses"], document).items():
            for media_type, media in response.get("content", {}).items():
                assert "example" in media or "examples" in media, f"{label} {status} {media_type}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_every_operation_is_named_tagged_and_summarized(document: dict[str, Any]) -> None:
    names = set()
    for label, operation in operations(document):
        assert operation.get("operationId"), label
        assert operation.get("tags"), label
        assert operation.get("summary"), label
        names.add(operation["operationId"])
    assert len(names) == len(list(operations(document)))


def test_primedocs_operations_promise_their_errors() -> None:
    document = SPECS["primedocs-admin"]
    for label, operation in operations(document):
        assert {"200", "400", "401", "403", "404"} <= set(operation["responses"]), label


def test_primedocs_keeps_the_vendor_documents_paths_and_names() -> None:
    document = SPECS["primedocs-admin"]
    assert document["servers"] == [{"url": "/webapi"}]
    assert set(document["paths"]) == {
        "/api/v3/{datasourceId}/Admin/OrganizationUnits",
        "/api/v3/{datasourceId}/Admin/Users",
        "/api/v3/{datasourceId}/Admin/Users/{userId}",
        "/api/v3/{datasourceId}/Admin/Users/{userId}/Profiles/{profileId}",
        "/api/v3/{datasourceId}/Admin/Users/{userId}/Profile/{profileId}/ProfileShares",
    }
    vendor_schemas = {
        "AdditionalProfileInfoV3", "AdminOrganizationUnitInfoV3", "AdminProfileDetailInfoV3",
        "AdminProfileInfoV3", "AdminProfileShareEditV3", "AdminProfileShareV3",
        "AdminProfileUpdateEditV3", "AdminUserDetailInfoV3", "AdminUserInfoV3", "FlatFieldInfoV3",
        "LinkV3", "PagedResponse`1<AdminOrganizationUnitInfo[]v3>",
        "PagedResponse`1<AdminUserInfo[]v3>", "PagedResponse`1<SharedProfileInfo[]v3>",
        "PagingDetails", "ProfileInfoV3", "SearchInputFieldsResponseModel", "SharedProfileInfoV3",
        "UserInfoV3",
    }  # fmt: skip
    assert vendor_schemas <= set(document["components"]["schemas"])
    user_list = document["components"]["schemas"]["AdminUserInfoV3"]["properties"]
    user_detail = document["components"]["schemas"]["AdminUserDetailInfoV3"]["properties"]
    assert "primarySID" in user_list
    assert "primarySid" in user_detail


def test_no_schema_refers_to_itself() -> None:
    for document in DOCUMENTS:
        schemas = document["components"]["schemas"]
        for name in schemas:
            assert not _reaches(schemas, f"#/components/schemas/{name}", schemas[name], set()), name


def _reaches(schemas: dict[str, Any], target: str, node: Any, seen: set[str]) -> bool:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref == target:
            return True
        if ref and ref not in seen:
            seen.add(ref)
            return _reaches(schemas, target, schemas[ref.rsplit("/", 1)[1]], seen)
        return any(_reaches(schemas, target, value, seen) for value in node.values())
    if isinstance(node, list):
        return any(_reaches(schemas, target, item, seen) for item in node)
    return False
