"""`specserve lint`: the specs checked as OpenAPI 3.0.3 and against the house rules.

Each rule is a function of a spec's name and its parsed document that returns what it finds
wrong; `specserve lint` and the contract tests run the same rules, so a spec the tests accept is
one the command accepts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from openapi_spec_validator import OpenAPIV30SpecValidator

from specserve.apis import ALL_APIS, SANDBOX_ADMIN, PromisedErrors
from specserve.contract import HTTP_METHODS

# Connexion 3 serves OpenAPI 3.0 only: it refuses a 3.1 document.
OPENAPI_VERSION = "3.0.3"

# libyaml's loader where the machine has it: the DFS spec takes a second in pure Python.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Finding:
    spec: str  # the spec file, as named to the linter
    where: str  # e.g. "GET /v1.0/identities/{identityId} 404 application/json"
    problem: str

    def __str__(self) -> str:
        return f"{self.spec}: {self.where}: {self.problem}"


Document = dict[str, Any]
Rule = Callable[[str, Document], list[Finding]]


@dataclass(frozen=True)
class Operation:
    label: str  # "GET /path"
    method: str  # "GET"
    path: str
    spec: dict[str, Any]  # the operation object
    parameters: list[dict[str, Any]]  # the path item's and the operation's, $refs followed


def operations(document: Document) -> Iterator[Operation]:
    for path, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            if method in item:
                operation = item[method]
                parameters = [
                    follow(parameter, document)
                    for parameter in shared + operation.get("parameters", [])
                ]
                verb = method.upper()
                yield Operation(f"{verb} {path}", verb, path, operation, parameters)


def follow(node: Any, document: Document) -> Any:
    """What a (chain of) local `$ref` points to; only this level, so cycles cannot hang it."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node and node["$ref"] not in seen:
        seen.add(node["$ref"])
        node = _pointer(document, node["$ref"])
    return node


def _pointer(document: Document, ref: str) -> Any:
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
    return target


def responses(operation: Operation, document: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    for status, response in operation.spec.get("responses", {}).items():
        yield str(status), follow(response, document)


def is_secured(operation: Operation, document: Document) -> bool:
    """Whether the operation asks for credentials: a requirement naming a scheme (an empty
    requirement `{}` beside it makes them optional, still checked when shown)."""
    own = "security" in operation.spec
    requirements = operation.spec["security"] if own else document.get("security")
    return any(requirements or [])


# --- the rules ---------------------------------------------------------------------------


def valid_openapi(spec: str, document: Document) -> list[Finding]:
    """OpenAPI 3.0.3, valid against the specification's schema."""
    version = document.get("openapi")
    if version != OPENAPI_VERSION:
        return [
            Finding(
                spec, "openapi", f"{version!r}, not {OPENAPI_VERSION} (Connexion 3 refuses 3.1)"
            )
        ]
    return [
        Finding(spec, error.json_path, _short(error.message))
        for error in OpenAPIV30SpecValidator(document).iter_errors()
    ]


def _short(message: str, limit: int = 200) -> str:
    """A validator's message on one line of readable length (it quotes whole instances)."""
    line = message.splitlines()[0] if message else message
    return line if len(line) <= limit else line[: limit - 3] + "..."


def operations_are_named(spec: str, document: Document) -> list[Finding]:
    """An operationId (Connexion routes by it), a tag (the handler module), a summary (the
    docs), and no operationId twice."""
    findings, seen = [], set()
    for operation in operations(document):
        for field in ("operationId", "tags", "summary"):
            if not operation.spec.get(field):
                findings.append(Finding(spec, operation.label, f"has no {field}"))
        name = operation.spec.get("operationId")
        if name and name in seen:
            findings.append(Finding(spec, operation.label, f"operationId {name} is used twice"))
        seen.add(name)
    return findings


def answers_have_examples(spec: str, document: Document) -> list[Finding]:
    """An example for every response body: mock mode answers with it, the docs show it."""
    return [
        Finding(spec, f"{operation.label} {status} {media_type}", "has no example")
        for operation in operations(document)
        for status, response in responses(operation, document)
        for media_type, media in response.get("content", {}).items()
        if "example" not in media and "examples" not in media
    ]


def examples_match_schemas(spec: str, document: Document) -> list[Finding]:
    """Every example of a parameter, request body or response is valid by its schema: as a
    client sends it (write) for requests, as the server answers it (read) for responses."""
    findings = []
    for where, example, schema, in_response in examples(document):
        validator = OAS30ReadValidator if in_response else OAS30WriteValidator
        # The schema's $refs resolve against the document's components.
        rooted = {**schema, "components": document.get("components", {})}
        checker = validator(rooted, format_checker=oas30_format_checker)
        findings += [
            Finding(
                spec,
                where,
                f"example at {error.json_path} breaks its schema: {_short(error.message)}",
            )
            for error in checker.iter_errors(example)
        ]
    return findings


def examples(document: Document) -> Iterator[tuple[str, Any, dict[str, Any], bool]]:
    """(where, example, schema, in a response) for every example the operations hold."""
    for operation in operations(document):
        for parameter in operation.parameters:
            where = f"{operation.label} parameter {parameter.get('name')}"
            schema = follow(parameter.get("schema", {}), document)
            if "example" in schema:
                yield where, schema["example"], schema, False
            yield from _media_examples(where, parameter, schema, False, document)
            for media_type, media in parameter.get("content", {}).items():
                yield from _media_examples(
                    f"{where} {media_type}", media, media.get("schema", {}), False, document
                )
        body = follow(operation.spec.get("requestBody", {}), document)
        for media_type, media in body.get("content", {}).items():
            where = f"{operation.label} body {media_type}"
            yield from _media_examples(where, media, media.get("schema", {}), False, document)
        for status, response in responses(operation, document):
            for media_type, media in response.get("content", {}).items():
                where = f"{operation.label} {status} {media_type}"
                yield from _media_examples(where, media, media.get("schema", {}), True, document)


def _media_examples(
    where: str, holder: dict[str, Any], schema: dict[str, Any], in_response: bool, doc: Document
) -> Iterator[tuple[str, Any, dict[str, Any], bool]]:
    """The `example` and the named `examples` of a parameter or media type object."""
    if "example" in holder:
        yield where, holder["example"], schema, in_response
    for name, entry in holder.get("examples", {}).items():
        named = follow(entry, doc)
        if "value" in named:  # an `externalValue` lives elsewhere
            yield f"{where} example {name}", named["value"], schema, in_response


def security_is_declared(spec: str, document: Document) -> list[Finding]:
    """Security for every operation, from the top level or its own; an operation opts out
    only by saying so (`security: []`), never by forgetting. Every scheme named exists."""
    findings = []
    schemes = document.get("components", {}).get("securitySchemes", {})
    top = document.get("security")
    for requirement in top or []:
        findings += [
            Finding(spec, "security", f"names no security scheme {name}")
            for name in requirement
            if name not in schemes
        ]
    for operation in operations(document):
        if "security" not in operation.spec:
            if not top:
                findings.append(
                    Finding(spec, operation.label, "declares no security (opt out: security: [])")
                )
            continue
        findings += [
            Finding(spec, operation.label, f"names no security scheme {name}")
            for requirement in operation.spec["security"]
            for name in requirement
            if name not in schemes
        ]
    return findings


def promise_of(spec: str) -> PromisedErrors:
    """The promise of the API served from this spec file (by its name); the default one for
    a spec no API serves yet."""
    name = Path(spec).name
    for api in (*ALL_APIS, SANDBOX_ADMIN):
        if api.spec_file == name:
            return api.promised_errors
    return PromisedErrors()


def promised_errors_documented(
    spec: str, document: Document, promise: PromisedErrors | None = None
) -> list[Finding]:
    """The error responses the API promises (specserve.apis.PromisedErrors) on every
    operation that can meet them."""
    promise = promise or promise_of(spec)
    findings = []
    for operation in operations(document):
        body = "requestBody" in operation.spec
        wanted = set(promise.every)
        if is_secured(operation, document):
            wanted |= set(promise.secured)
        if operation.parameters or body:
            wanted |= set(promise.with_input)
        if any(parameter.get("in") == "path" for parameter in operation.parameters):
            wanted |= set(promise.with_path_parameters)
        if body:
            wanted |= set(promise.with_body)
        documented = {status for status, _ in responses(operation, document)}
        missing = sorted(str(status) for status in wanted if str(status) not in documented)
        if missing:
            findings.append(
                Finding(spec, operation.label, f"documents no {', '.join(missing)} response")
            )
    return findings


def no_recursive_schemas(spec: str, document: Document) -> list[Finding]:
    """No schema reaches itself: mock mode generates data from the schemas, and the examples
    are checked with the references resolved."""
    schemas = document.get("components", {}).get("schemas", {})
    return [
        Finding(spec, f"components/schemas/{name}", "refers to itself")
        for name, schema in schemas.items()
        if _reaches(schemas, f"#/components/schemas/{name}", schema, set())
    ]


def _reaches(schemas: dict[str, Any], target: str, node: Any, seen: set[str]) -> bool:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref == target:
            return True
        if isinstance(ref, str) and ref.startswith("#/components/schemas/") and ref not in seen:
            seen.add(ref)
            return _reaches(schemas, target, schemas.get(ref.rsplit("/", 1)[1]), seen)
        return any(_reaches(schemas, target, value, seen) for value in node.values())
    if isinstance(node, list):
        return any(_reaches(schemas, target, item, seen) for item in node)
    return False


def writes_link_to_their_reads(spec: str, document: Document) -> list[Finding]:
    """Stateful tests walk a resource's life by the links: a create links to the read of what it
    makes (`POST /things` to `GET /things/{id}`), an update and a delete to the read of their own
    path (update then read; delete then read, gone)."""
    reads = {
        operation.path: operation for operation in operations(document) if operation.method == "GET"
    }
    findings = []
    for operation in operations(document):
        read = _read_of(operation, reads)
        if read is None or "operationId" not in read.spec:
            continue
        target = read.spec["operationId"]
        if target not in {link.get("operationId") for _, _, link in links(operation, document)}:
            findings.append(
                Finding(spec, operation.label, f"has no link to {target} ({read.label})")
            )
    return findings


def _read_of(operation: Operation, reads: dict[str, Operation]) -> Operation | None:
    """The read a write's answer should link to: the GET of a created item, or of its path."""
    if operation.method in ("PUT", "PATCH", "DELETE"):
        return reads.get(operation.path)
    if operation.method == "POST":
        item = re.compile(re.escape(operation.path.rstrip("/")) + r"/\{[^/{}]+\}")
        return next((read for path, read in reads.items() if item.fullmatch(path)), None)
    return None


def links(operation: Operation, document: Document) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(status, name, link) for the links of the operation's success answers."""
    for status, response in responses(operation, document):
        if status.startswith("2"):
            for name, link in (response.get("links") or {}).items():
                yield status, name, follow(link, document)


def links_are_whole(spec: str, document: Document) -> list[Finding]:
    """Every link names an operation of the spec by its operationId, and only parameters that
    operation takes: a link that cannot be followed is a flow the tests never walk. (A path
    parameter a link leaves out, such as the caller's tenant, the client fills in.)"""
    by_id = {operation.spec.get("operationId"): operation for operation in operations(document)}
    findings = []
    for operation in operations(document):
        for status, name, link in links(operation, document):
            where = f"{operation.label} {status} link {name}"
            named = link.get("operationId") or link.get("operationRef")
            target = by_id.get(link.get("operationId"))
            if target is None:
                findings.append(Finding(spec, where, f"names no operation of this spec: {named}"))
                continue
            taken = {parameter.get("name") for parameter in target.parameters}
            findings += [
                Finding(spec, where, f"gives {parameter}, which {named} does not take")
                for parameter in link.get("parameters", {})
                if _unqualified(str(parameter)) not in taken
            ]
    return findings


def _unqualified(parameter: str) -> str:
    """A link's parameter name without its location (`path.id` is `id`)."""
    location, _, name = parameter.partition(".")
    return name if location in ("path", "query", "header", "cookie") and name else parameter


# The house rules, run once the document is valid OpenAPI (they read it as such).
HOUSE_RULES: tuple[Rule, ...] = (
    operations_are_named,
    answers_have_examples,
    examples_match_schemas,
    security_is_declared,
    promised_errors_documented,
    no_recursive_schemas,
    links_are_whole,
    writes_link_to_their_reads,
)
RULES: tuple[Rule, ...] = (valid_openapi, *HOUSE_RULES)


# --- specs and folders -------------------------------------------------------------------


class UnreadableSpec(Exception):
    pass


def load(path: Path) -> Document:
    try:
        return _load(path.resolve(), path.stat().st_mtime_ns)
    except (OSError, yaml.YAMLError) as error:
        raise UnreadableSpec(str(error)) from error


@functools.lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int) -> Document:
    """A spec parsed once per version of it (the rules read, never change, the result)."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    if not isinstance(document, dict):
        raise yaml.YAMLError("not a mapping")
    return document


def lint_document(spec: str, document: Document) -> list[Finding]:
    findings = valid_openapi(spec, document)
    if findings:
        return findings
    return [finding for rule in HOUSE_RULES for finding in rule(spec, document)]


def lint_spec(path: Path) -> list[Finding]:
    try:
        document = load(path)
    except UnreadableSpec as error:
        return [Finding(str(path), "file", f"cannot be read: {error}")]
    return lint_document(str(path), document)


def spec_files(specs_dir: Path) -> list[Path]:
    return sorted(specs_dir.glob("*.yaml"))


def lint_all(specs_dir: Path) -> list[Finding]:
    return [finding for path in spec_files(specs_dir) for finding in lint_spec(path)]


def count_operations(path: Path) -> int:
    try:
        return sum(1 for _ in operations(load(path)))
    except UnreadableSpec:
        return 0
