"""Every OpenAPI link of the DFS spec, walked with the spec's own examples.

For each link: make the source request (after creating what its path names, when it names
something), evaluate the link's expressions on the request and the answer, send the target
request, and expect a 2xx, or 404 when the source deleted what the target reads. So the
flows the spec promises (create then read, update then read, delete then read: gone) hold,
and a link whose expression names a field the answer lacks fails here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from specserve.settings import PROJECT_ROOT
from tests.support.pictures import b64, png

SPEC = PROJECT_ROOT / "specs" / "dfs-admin.yaml"
# The create that makes what a path parameter names, and where its answer holds the id.
CREATED_BY = {
    "identityId": ("createIdentityV12", "IdentityId"),
    "roleId": ("createRole", "Id"),
    "participantId": ("createParticipant", "Id"),
}
# Example bodies that name the seeds' own records (their keys and e-mails taken, a tenant 12,
# catalogue ids of the vendor's system) or cannot be sent as they are (a picture).
BODY_CHANGES: dict[str, dict[str, Any]] = {
    "createRole": {"RoleKey": "links-role", "ShortName": "Links", "LongName": "Links role"},
    "createIdentityV12": {"Username": "links.user"},
    "updateRole": {"RoleKey": "links-role-renamed"},
    "setIdentityTenantAccess": {"TenantId": None},
    "syncIdentityMember": {"Member": {"FirstName": "Links", "Email": "links@additiv.com"}},
    "updateRoleBackOfficePermissions": {
        "DefaultMenuItemId": 11,
        "MenuItemIds": [11, 12],
        "FunctionalityIds": [101],
    },
    "uploadIdentityProfilePicture": {"ImageContentBase64": b64(png())},
}
PATH_VALUES = {"tenantId": 2, "operation": "Up"}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    raw: dict[str, Any]


@cache
def spec() -> dict[str, Any]:
    return dict(yaml.safe_load(SPEC.read_text()))


@cache
def operations() -> dict[str, Operation]:
    found = {}
    for path, item in spec()["paths"].items():
        for method, raw in item.items():
            if isinstance(raw, dict) and "operationId" in raw:
                found[raw["operationId"]] = Operation(method.upper(), path, raw)
    return found


def links() -> list[Any]:
    return [
        pytest.param(source, status, name, link, id=f"{source}-{name}")
        for source, operation in operations().items()
        for status, response in operation.raw["responses"].items()
        for name, link in (response.get("links") or {}).items()
    ]


def resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = spec()
        for part in node_ref(node).split("/"):
            node = node[part]
    return node


def node_ref(node: Any) -> str:
    return str(node["$ref"])[2:]


def example_body(operation_id: str) -> Any:
    body = operations()[operation_id].raw.get("requestBody")
    if body is None:
        return None
    media = next(iter(resolve(body)["content"].values()))
    example = media.get("example")
    if isinstance(example, dict):
        changed = {**example, **BODY_CHANGES.get(operation_id, {})}
        return {key: value for key, value in changed.items() if value is not None}
    return example


def send(
    client: TestClient, headers: dict[str, str], operation_id: str, path: dict[str, Any], body: Any
) -> Any:
    operation = operations()[operation_id]
    url = re.sub(r"\{(\w+)\}", lambda match: str(path[match.group(1)]), operation.path)
    kwargs: dict[str, Any] = {"headers": headers}
    if operation.raw.get("requestBody") is not None:
        kwargs["json"] = body
    return client.request(operation.method, url, **kwargs)


def path_values(client: TestClient, headers: dict[str, str], operation_id: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in re.findall(r"\{(\w+)\}", operations()[operation_id].path):
        if name in PATH_VALUES:
            values[name] = PATH_VALUES[name]
            continue
        create, field = CREATED_BY[name]
        created = send(client, headers, create, {}, example_body(create))
        assert created.status_code == 200, created.text
        values[name] = created.json()[field]
    return values


def evaluate(expression: Any, request_path: dict[str, Any], answer: Any) -> Any:
    if isinstance(expression, dict):
        return {key: evaluate(value, request_path, answer) for key, value in expression.items()}
    if expression.startswith("$request.path."):
        return request_path[expression.removeprefix("$request.path.")]
    pointer = expression.removeprefix("$response.body#/")
    return answer[pointer]


@pytest.mark.parametrize(("source", "status", "name", "link"), links())
def test_a_link_leads_from_its_source_to_its_target(  # noqa: PLR0917 (pytest parameters)
    all_client: TestClient,
    admin: dict[str, str],
    source: str,
    status: str,
    name: str,
    link: dict[str, Any],
) -> None:
    source_path = path_values(all_client, admin, source)
    answered = send(all_client, admin, source, source_path, example_body(source))
    assert answered.status_code == int(status), answered.text
    answer = answered.json() if answered.content else None

    target = link["operationId"]
    target_path = PATH_VALUES | {
        parameter: evaluate(expression, source_path, answer)
        for parameter, expression in link.get("parameters", {}).items()
    }
    body = example_body(target)
    if "requestBody" in link:
        body = {**body, **evaluate(link["requestBody"], source_path, answer)}
    reached = send(all_client, admin, target, target_path, body)

    if source == "deleteIdentityProfilePicture":
        # An identity without a picture of its own shows the default one.
        assert reached.status_code == 200, reached.text
        assert reached.json()["IsDefaultImage"] is True
    elif operations()[source].method == "DELETE":
        assert reached.status_code == 404, reached.text
    else:
        assert reached.status_code in {200, 204}, f"{name}: {reached.status_code} {reached.text}"


def test_every_create_update_and_delete_has_links() -> None:
    # A new operation of a CRUD family must say where its answer leads.
    without = [
        operation_id
        for operation_id, operation in operations().items()
        if operation.method != "GET"
        and re.match(r"(create|update|delete|upload|sync|import)", operation_id)
        and not any(response.get("links") for response in operation.raw["responses"].values())
    ]
    assert without == []
