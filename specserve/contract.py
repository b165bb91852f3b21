"""A loaded spec and what the runtime needs to know of it, computed once at start-up."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from specserve.apis import ApiDefinition

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_MEDIA = re.compile(r"^(application/json|text/json|application/[^/]*\+json)$")
FORM_MEDIA = "application/x-www-form-urlencoded"


def is_json_media_type(media_type: str) -> bool:
    """JSON as the specs declare it: application/json, text/json, application/*+json."""
    return bool(JSON_MEDIA.match(media_type.split(";", maxsplit=1)[0].strip().lower()))


# libyaml's loader where the machine has it: the DFS spec takes a second in pure Python.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=16)
def _read_spec(path: Path, mtime_ns: int) -> dict[str, Any]:
    """A spec file parsed once per version of it (callers read, never change, the result)."""
    document: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    return document


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
    # The spec's names of query parameters taking integers, and those taking arrays.
    query_integers: frozenset[str] = frozenset()
    path_integers: frozenset[str] = frozenset()
    query_arrays: frozenset[str] = frozenset()
    body_media_types: tuple[str, ...] = ()
    form_body_schema: dict[str, Any] | None = None
    # DFS: the access policy the caller must hold (`x-required-access-policy`).
    required_access_policy: str | None = None
    operation_id: str = ""


@dataclass
class Contract:
    api: ApiDefinition
    document: dict[str, Any]
    operations: dict[str, Operation] = field(default_factory=dict)
    _paths: list[PathTemplate] = field(default_factory=list)
    _index: PathIndex | None = None

    @classmethod
    def load(cls, api: ApiDefinition, specs_dir: Path) -> Contract:
        path = specs_dir / api.spec_file
        document = _read_spec(path, path.stat().st_mtime_ns)
        contract = cls(api=api, document=document)
        for path, item in document.get("paths", {}).items():
            methods = [m for m in HTTP_METHODS if m in item]
            contract._paths.append(PathTemplate.of(path, methods))
            for method in methods:
                operation = contract._operation(path, method, item)
                contract.operations[operation.function] = operation
        # The template with the fewest parameters is the most specific: `/identities/search`
        # before `/identities/{identityId}`, as a router that prefers literals picks them.
        contract._paths.sort(key=lambda template: template.pieces.count(None))
        contract._index = PathIndex.of(contract._paths)
        return contract

    def _operation(self, path: str, method: str, item: dict[str, Any]) -> Operation:
        spec = item[method]
        tag = spec["tags"][0]
        function = f"{self.api.handler_package}.{snake_case(tag)}.{snake_case(spec['operationId'])}"
        parameters = resolve_refs(
            item.get("parameters", []) + spec.get("parameters", []), self.document
        )
        query = [p for p in parameters if p["in"] == "query"]
        content = resolve_refs(spec.get("requestBody", {}), self.document).get("content", {})
        json_schemas = [
            media["schema"]
            for media_type, media in content.items()
            if is_json_media_type(media_type) and "schema" in media
        ]
        return Operation(
            function=function,
            method=method,
            path=path,
            query_names={p["name"].lower(): p["name"] for p in query},
            json_body_schema=json_schemas[0] if json_schemas else None,
            query_integers=frozenset(
                p["name"] for p in query if p.get("schema", {}).get("type") == "integer"
            ),
            path_integers=frozenset(
                p["name"]
                for p in parameters
                if p["in"] == "path" and p.get("schema", {}).get("type") == "integer"
            ),
            query_arrays=frozenset(
                p["name"] for p in query if p.get("schema", {}).get("type") == "array"
            ),
            body_media_types=tuple(content),
            form_body_schema=content.get(FORM_MEDIA, {}).get("schema"),
            required_access_policy=spec.get("x-required-access-policy"),
            operation_id=spec["operationId"],
        )

    def accepted_scopes(self) -> list[str]:
        """The scopes that open the API (each of the top-level security alternatives)."""
        return [
            scope
            for requirement in self.document.get("security", [])
            for scopes in requirement.values()
            for scope in scopes
        ]

    def canonical_path(self, path_below_base: str) -> str | None:
        """The path with its literal segments in the spec's casing, if a template matches it
        without regard to case (as ASP.NET routes); None if none does."""
        found = self._find(path_below_base)
        return None if found is None else found[0].filled(found[1])

    def template_for(self, path_below_base: str) -> PathTemplate | None:
        """The most specific template of a concrete path: literal segments win over
        parameters, as in ASP.NET's route precedence."""
        found = self._find(path_below_base)
        return None if found is None else found[0]

    def _find(self, path_below_base: str) -> tuple[PathTemplate, tuple[str, ...]] | None:
        assert self._index is not None, "a contract is made by Contract.load"
        return self._index.find(path_below_base)

    def allowed_methods(self, path_below_base: str) -> list[str]:
        """The methods the spec declares for a concrete path (for a 405's Allow header)."""
        template = self.template_for(path_below_base)
        return [method.upper() for method in template.methods] if template else []

    def as_json(self) -> bytes:
        return json.dumps(self.document, indent=2).encode("utf-8")

    def as_yaml(self) -> bytes:
        return yaml.safe_dump(self.document, sort_keys=False, allow_unicode=True).encode("utf-8")


@dataclass(frozen=True)
class PathTemplate:
    """A path template of the spec, matched as ASP.NET routes: literal segments without regard
    to (ASCII) case. `pieces` holds the literal text, and None where a parameter's value goes."""

    template: str
    matcher: re.Pattern[str]
    pieces: tuple[str | None, ...]
    methods: tuple[str, ...]

    @classmethod
    def of(cls, template: str, methods: list[str]) -> PathTemplate:
        pieces: list[str | None] = []
        regex = []
        for literal, parameter in re.findall(r"([^{]*)(\{[^}]+\})?", template):
            if literal:
                pieces.append(literal)
                regex.append(re.escape(literal))
            if parameter:
                pieces.append(None)
                regex.append("([^/]+)")
        matcher = re.compile(f"^{''.join(regex)}$", re.IGNORECASE | re.ASCII)
        return cls(template=template, matcher=matcher, pieces=tuple(pieces), methods=tuple(methods))

    def canonical(self, path: str) -> str | None:
        match = self.matcher.match(path)
        return None if match is None else self.filled(match.groups())

    def filled(self, values: tuple[str, ...]) -> str:
        """The template with its parameters' values in their places."""
        given = iter(values)
        return "".join(next(given) if piece is None else piece for piece in self.pieces)


@dataclass(frozen=True)
class PathIndex:
    """The templates of a spec, most specific first, in one regular expression: one match
    finds a path's template (the first that matches, as trying each in turn would), where
    trying each cost a match per template, on every request, and twice."""

    templates: tuple[PathTemplate, ...]
    matcher: re.Pattern[str]
    # Per template: the group of its first parameter, and how many parameters it has.
    groups: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, templates: list[PathTemplate]) -> PathIndex:
        alternatives, groups = [], []
        group = 0
        for number, template in enumerate(templates):
            body = template.matcher.pattern.removeprefix("^").removesuffix("$")
            alternatives.append(f"(?P<t{number}>{body})")
            parameters = template.pieces.count(None)
            groups.append((group + 2, parameters))
            group += 1 + parameters
        matcher = re.compile("|".join(alternatives), re.IGNORECASE | re.ASCII)
        return cls(tuple(templates), matcher, tuple(groups))

    def find(self, path: str) -> tuple[PathTemplate, tuple[str, ...]] | None:
        """The template matching `path`, with its parameters' values."""
        match = self.matcher.fullmatch(path)
        if match is None or match.lastgroup is None:
            return None
        number = int(match.lastgroup[1:])
        first, count = self.groups[number]
        return self.templates[number], match.groups()[first - 1 : first - 1 + count]
