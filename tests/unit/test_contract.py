"""What the runtime learns from a spec: handler names, references, query names, methods."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from specserve.apis import ALL_APIS, PRIMEDOCS, ApiDefinition, ErrorStyle
from specserve.contract import Contract, resolve_refs, snake_case
from specserve.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.load(PRIMEDOCS, PROJECT_ROOT / "specs")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AdminUser", "admin_user"),
        ("listOrganizationUnits", "list_organization_units"),
        ("getOpenidConfiguration", "get_openid_configuration"),
        ("HTTPHeader", "http_header"),
        ("token-endpoint", "token_endpoint"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert snake_case(name) == expected


DOCUMENT: dict[str, Any] = {
    "components": {
        "schemas": {
            "PagedResponse`1<AdminUserInfo[]v3>": {
                "type": "object",
                "properties": {"data": {"$ref": "#/components/schemas/Info"}},
            },
            "Info": {"type": "array", "items": {"$ref": "#/components/schemas/a~1b"}},
            "a/b": {"type": "string"},
            "~1": {"type": "integer"},
        }
    }
}


def test_resolve_refs_follows_json_pointers_through_refs_and_lists() -> None:
    node = {
        "schemas": [{"$ref": "#/components/schemas/PagedResponse`1<AdminUserInfo[]v3>"}],
        "tilde": {"$ref": "#/components/schemas/~01"},
        "plain": 1,
    }
    assert resolve_refs(node, DOCUMENT) == {
        "schemas": [
            {
                "type": "object",
                "properties": {"data": {"type": "array", "items": {"type": "string"}}},
            }
        ],
        "tilde": {"type": "integer"},
        "plain": 1,
    }


def test_resolve_refs_refuses_remote_references() -> None:
    with pytest.raises(ValueError, match="only local references"):
        resolve_refs({"$ref": "other.yaml#/components/schemas/X"}, DOCUMENT)


def test_operations_are_named_after_their_handlers(contract: Contract) -> None:
    list_users = contract.operations["handlers.primedocs.admin_user.list_users"]
    assert list_users.method == "get"
    assert list_users.path == "/api/v3/{datasourceId}/Admin/Users"
    assert list_users.query_names == {"pagesize": "PageSize", "page": "Page"}
    assert list_users.json_body_schema is None
    assert "handlers.primedocs.admin_organization_unit.list_organization_units" in (
        contract.operations
    )


def test_a_json_body_schema_is_resolved(contract: Contract) -> None:
    update = contract.operations["handlers.primedocs.admin_user.update_profile"]
    assert update.json_body_schema is not None
    assert "$ref" not in repr(update.json_body_schema)
    assert "organizationUnitId" in update.json_body_schema["properties"]


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/v3/x/Admin/Users", ["GET", "POST"]),
        ("/api/v3/x/Admin/Users/y/Profiles/z", ["GET", "PUT"]),
        ("/api/v3/x/Admin/Users/extra/segments/here", []),
        ("/api/v3/x/Admin/Nothing", []),
    ],
)
def test_allowed_methods(contract: Contract, path: str, methods: list[str]) -> None:
    assert contract.allowed_methods(path) == methods


def test_literal_paths_win_over_parameters_when_canonicalised(tmp_path: Path) -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/v1.0/identities/{identityId}": {"get": {"tags": ["T"], "operationId": "get"}},
            "/v1.0/identities/search": {"post": {"tags": ["T"], "operationId": "search"}},
        },
    }
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(spec))
    api = ApiDefinition(
        name="t", title="t", spec_file="t.yaml", base_path="/", handler_package="h",
        error_style=ErrorStyle.PROBLEM_DETAILS,
    )  # fmt: skip
    contract = Contract.load(api, tmp_path)
    assert contract.canonical_path("/V1.0/IDENTITIES/SEARCH") == "/v1.0/identities/search"
    assert contract.canonical_path("/v1.0/IDENTITIES/Abc") == "/v1.0/identities/Abc"
    assert contract.allowed_methods("/v1.0/identities/search") == ["POST"]


@pytest.mark.parametrize("api", ALL_APIS, ids=lambda api: api.name)
def test_the_path_index_finds_what_trying_each_template_in_turn_finds(api: ApiDefinition) -> None:
    contract = Contract.load(api, PROJECT_ROOT / "specs")
    values = ("123", "Search", "x-y", "3fa85f64-5717-4562-b3fc-2c963f66afa4", "A.B")
    paths = []
    for template in contract._paths:
        for value in values:
            path = template.filled(tuple(value for _ in range(template.pieces.count(None))))
            paths += [path, path.upper(), path.lower(), path + "/more", path[:-1], "/x" + path]
    for path in paths:
        in_turn = next((t for t in contract._paths if t.matcher.match(path)), None)
        assert contract.template_for(path) is in_turn, path
        canonical = in_turn.canonical(path) if in_turn is not None else None
        assert contract.canonical_path(path) == canonical, path
