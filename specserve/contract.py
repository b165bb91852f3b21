"""A loaded spec and what the runtime needs to know of it, computed once at start-up."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from specserve.apis import ApiDefinition

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_MEDIA = re.compile(r"^(application/json|text/json|application/[^/]*\+json)$")


def snake_case(name: str) -> str:
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).replace("-", "_").lower()


def resolve_refs(node: Any, document: dict[str, Any]) -> Any:
    """A copy of `node` with every local `$ref` replaced by what it points to."""
    if isinstance(node, dict):
        if "$ref" in node:
            return resolve_refs(_pointer(document, node["$ref"]), document)
        return {key: resolve_refs(value, document) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve_refs(item, document) for item in node]
    return node


def _pointer(document: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported: {ref}")
    target: Any = document
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target


@dataclass(frozen=True)
class Operation:
    function: str  # the handler's dotted name; Connexion routes by it
    method: str
    path: str  # the template below the API's base path
    query_names: dict[str, str]  # lower-cased name -> the spec's name
    json_body_schema: dict[str, Any] | None


@dataclass
class Contract:
    api: ApiDefinition
    document: dict[str, Any]
    operations: dict[str, Operation] = field(default_factory=dict)
    _path_patterns: list[tuple[re.Pattern[str], list[str]]] = field(default_factory=list)

    @classmethod
    def load(cls, api: ApiDefinition, specs_dir: Path) -> Contract:
        document = yaml.safe_load((specs_dir / api.spec_file).read_text(encoding="utf-8"))
        contract = cls(api=api, document=document)
        for path, item in document.get("paths", {}).items():
            methods = [m for m in HTTP_METHODS if m in item]
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
            contract._path_patterns.append((re.compile(f"^{pattern}$"), methods))
            for method in methods:
                operation = contract._operation(path, method, item)
                contract.operations[operation.function] = operation
        return contract

    def _operation(self, path: str, method: str, item: dict[str, Any]) -> Operation:
        spec = item[method]
        tag = spec["tags"][0]
        function = f"{self.api.handler_package}.{snake_case(tag)}.{snake_case(spec['operationId'])}"
        parameters = resolve_refs(
            item.get("parameters", []) + spec.get("parameters", []), self.document
        )
        query_names = {p["name"].lower(): p["name"] for p in parameters if p["in"] == "query"}
        body = resolve_refs(spec.get("requestBody", {}), self.document)
        json_schemas = [
            media["schema"]
            for media_type, media in body.get("content", {}).items()
            if JSON_MEDIA.match(media_type) and "schema" in media
        ]
        return Operation(
            function=function,
            method=method,
            path=path,
            query_names=query_names,
            json_body_schema=json_schemas[0] if json_schemas else None,
        )

    def allowed_methods(self, path_below_base: str) -> list[str]:
        """The methods the spec declares for a concrete path (for a 405's Allow header)."""
        for pattern, methods in self._path_patterns:
            if pattern.match(path_below_base):
                return [m.upper() for m in methods]
        return []

    def as_json(self) -> bytes:
        return json.dumps(self.document, indent=2).encode("utf-8")

    def as_yaml(self) -> bytes:
        return yaml.safe_dump(self.document, sort_keys=False, allow_unicode=True).encode("utf-8")
