"""Walking a spec's OpenAPI links with the spec's own examples, for the link tests of each API.

A link test makes the link's source request (after creating what its path names), evaluates the
link's expressions (`$response.body#/...`, `$request.path.X`) on that request and its answer,
and sends the target request. What differs between APIs (the spec, the creates that make what a
path names, the example bodies that would clash with the seed) is given to `LinkedSpec`; the
mechanics are here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import yaml
from httpx2 import Response
from starlette.testclient import TestClient

PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    raw: dict[str, Any]

    @property
    def path_names(self) -> list[str]:
        return PATH_PARAMETER.findall(self.path)


@dataclass(frozen=True)
class Link:
    source: str  # the operationId whose answer holds the link
    status: str  # the source's answer the link hangs on
    name: str
    raw: dict[str, Any]

    @property
    def target(self) -> str:
        return str(self.raw["operationId"])


@dataclass(frozen=True)
class LinkedSpec:
    """A spec and what its link test must know of its API to walk the links.

    - `created_by`: per path parameter, the create that makes what it names and the JSON
      pointer (`/Id`, `/profiles/0/id`) of the new id in that create's answer;
    - `created_for`: per operation, a path parameter's create where it is not `created_by`'s
      (a user imported into the account the path names, not one created on its own);
    - `path_values`: path parameters given as they are (a seeded tenant, an enum value);
    - `body_changes`: per operation, properties replacing those of its example body (`None`
      drops one), where the example would clash with the seed or with another create;
    - `filled_by`: per source, operations sent (with their example bodies) after the creates
      and before the source, so that a list the source's links read from is not empty;
    - `query_examples`: operations always sent with the examples of their query parameters
      (without them, an optional filter is not applied).
    """

    path: Path
    created_by: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    created_for: Mapping[str, Mapping[str, tuple[str, str]]] = field(default_factory=dict)
    path_values: Mapping[str, Any] = field(default_factory=dict)
    body_changes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    filled_by: Mapping[str, Sequence[str]] = field(default_factory=dict)
    query_examples: Collection[str] = ()

    @cached_property
    def document(self) -> dict[str, Any]:
        return dict(yaml.safe_load(self.path.read_text()))

    @cached_property
    def base_path(self) -> str:
        """Where the spec's paths are served (its first server URL: `/webapi`, or the root)."""
        servers = self.document.get("servers") or [{"url": "/"}]
        return str(servers[0]["url"]).rstrip("/")

    @cached_property
    def operations(self) -> dict[str, Operation]:
        found = {}
        for path, item in self.document["paths"].items():
            for method, raw in item.items():
                if isinstance(raw, dict) and "operationId" in raw:
                    found[raw["operationId"]] = Operation(method.upper(), path, raw)
        return found

    def links(self) -> list[Link]:
        return [
            Link(source, status, name, self.resolve(link))
            for source, operation in self.operations.items()
            for status, response in operation.raw["responses"].items()
            for name, link in (self.resolve(response).get("links") or {}).items()
        ]

    def link_params(self) -> list[Any]:
        """The links as pytest parameters, named `{source}-{link name}`."""
        return [pytest.param(link, id=f"{link.source}-{link.name}") for link in self.links()]

    def resolve(self, node: Any) -> Any:
        """The node a local `$ref` (`#/components/...`) names, or the node itself."""
        while isinstance(node, dict) and "$ref" in node:
            pointer = str(node["$ref"]).removeprefix("#")
            node = json_pointer(self.document, pointer)
        return node

    def example_body(self, operation_id: str) -> Any:
        """The operation's example request body with this spec's changes; None without one."""
        body = self.operations[operation_id].raw.get("requestBody")
        if body is None:
            return None
        media = next(iter(self.resolve(body)["content"].values()))
        example = media.get("example")
        if isinstance(example, dict):
            changed = {**example, **self.body_changes.get(operation_id, {})}
            return {key: value for key, value in changed.items() if value is not None}
        return example

    def example_query(self, operation_id: str) -> dict[str, Any]:
        """The examples of the operation's query parameters, by name."""
        parameters = (
            self.resolve(raw) for raw in self.operations[operation_id].raw.get("parameters", [])
        )
        return {
            parameter["name"]: parameter.get("example", parameter["schema"].get("example"))
            for parameter in parameters
            if parameter["in"] == "query"
        }

    def send(
        self,
        client: TestClient,
        headers: Mapping[str, str],
        operation_id: str,
        path: Mapping[str, Any],
        body: Any,
    ) -> Response:
        """The operation's request, with its body only when the operation takes one."""
        operation = self.operations[operation_id]
        url = self.base_path + PATH_PARAMETER.sub(
            lambda match: str(path[match.group(1)]), operation.path
        )
        kwargs: dict[str, Any] = {"headers": headers}
        if operation_id in self.query_examples:
            kwargs["params"] = self.example_query(operation_id)
        if operation.raw.get("requestBody") is not None:
            kwargs["json"] = body
        return client.request(operation.method, url, **kwargs)

    def send_example(
        self,
        client: TestClient,
        headers: Mapping[str, str],
        operation_id: str,
        known: Mapping[str, Any],
    ) -> Response:
        """The operation with its example body, its path from `known` or made; it must succeed."""
        path = self.make_path(client, headers, operation_id, known)
        answered = self.send(client, headers, operation_id, path, self.example_body(operation_id))
        assert answered.status_code == 200, f"{operation_id}: {answered.text}"
        return answered

    def make_path(
        self,
        client: TestClient,
        headers: Mapping[str, str],
        operation_id: str,
        known: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The operation's path values: those known or given, else made by their creates (a
        create whose own path names something uses what is made before it: a group is created
        in the account made for the same path; one create making what two names name, a user
        and its profile, is sent once)."""
        values = dict(known or {})
        made: dict[str, Any] = {}
        for name in self.operations[operation_id].path_names:
            if name in values:
                continue
            if name in self.path_values:
                values[name] = self.path_values[name]
                continue
            create, pointer = (
                self.created_for.get(operation_id, {}).get(name) or self.created_by[name]
            )
            if create not in made:
                made[create] = self.send_example(client, headers, create, values).json()
            values[name] = json_pointer(made[create], pointer)
        return {name: values[name] for name in self.operations[operation_id].path_names}

    def walk(self, client: TestClient, headers: Mapping[str, str], link: Link) -> Response:
        """Sends the link's source (it must answer the link's status), then its target: the
        target's answer."""
        source_path = self.make_path(client, headers, link.source)
        for operation_id in self.filled_by.get(link.source, ()):
            self.send_example(client, headers, operation_id, source_path)
        answered = self.send(
            client, headers, link.source, source_path, self.example_body(link.source)
        )
        assert answered.status_code == int(link.status), answered.text
        answer = answered.json() if answered.content else None

        target_path = dict(self.path_values) | {
            parameter: evaluate(expression, source_path, answer)
            for parameter, expression in link.raw.get("parameters", {}).items()
        }
        body = self.example_body(link.target)
        if "requestBody" in link.raw:
            body = {**body, **evaluate(link.raw["requestBody"], source_path, answer)}
        return self.send(client, headers, link.target, target_path, body)


def evaluate(expression: Any, request_path: Mapping[str, Any], answer: Any) -> Any:
    """A link's runtime expression (or an object of them) on the source's request and answer:
    `$request.path.X` or `$response.body#/json/pointer`."""
    if isinstance(expression, dict):
        return {key: evaluate(value, request_path, answer) for key, value in expression.items()}
    if expression.startswith("$request.path."):
        return request_path[expression.removeprefix("$request.path.")]
    if expression.startswith("$response.body#"):
        return json_pointer(answer, expression.removeprefix("$response.body#"))
    raise ValueError(f"runtime expression not understood: {expression}")


def json_pointer(document: Any, pointer: str) -> Any:
    """The value a JSON pointer (RFC 6901, `/a/0/b`) names in a document."""
    node = document
    for token in pointer.split("/")[1:]:
        part = token.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node
