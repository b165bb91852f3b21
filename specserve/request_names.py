"""Requests read the way the real (ASP.NET) services bind them, before Connexion validates.

Once Connexion has routed a request to an operation:
- query parameter names and the property names of a JSON body are rewritten to the casing the
  operation's spec declares (ASP.NET matches them without regard to case), so that validation
  and the handlers see one canonical form;
- a scalar query parameter given twice binds its first value, as in ASP.NET, and an integer
  parameter takes ASCII digits only;
- a body must be UTF-8 and, for JSON, well-formed, with no property given twice; a form body
  (the token endpoint's) may not repeat a parameter (RFC 6749, section 3.2); a body without a
  Content-Type is a 415. These are 400s here, before a validator could trip over them;
- a body over the size limit (Settings.max_body_bytes) is a 413, told by its Content-Length
  before it is read, or once what was read passes the limit.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl, urlencode

from connexion.exceptions import BadRequestProblem, ProblemException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from specserve.contract import FORM_MEDIA, Operation, is_json_media_type

# The deepest a JSON body may nest. The specs' bodies nest three levels at most; a deeper one
# is refused before anything walks it (Python's own limit turns too deep a walk into a 500).
MAX_JSON_DEPTH = 32
# What .NET's NumberStyles.Integer takes: ASCII digits, a sign, ASCII white space around.
_ASCII_INTEGER = re.compile(r"^[ \t\r\n\v\f]*[+-]?[0-9]+[ \t\r\n\v\f]*$")


class CaseInsensitiveNames:
    def __init__(
        self, next_app: ASGIApp, *, operations: dict[str, Operation], max_body_bytes: int
    ) -> None:
        self.next_app = next_app
        self.operations = operations
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.next_app(scope, receive, send)
            return
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        operation = self.operations.get(routing.get("operation_id", ""))
        if operation is None:
            await self.next_app(scope, receive, send)
            return
        for name in operation.path_integers:
            value = str(scope.get("path_params", {}).get(name, ""))
            if value and not _ASCII_INTEGER.match(value):
                raise BadRequestProblem(
                    detail=f"The path parameter '{name}' is invalid: '{value}' is not an integer."
                )
        if operation.query_names and scope.get("query_string"):
            scope = {**scope, "query_string": canonical_query(scope["query_string"], operation)}
        if operation.body_media_types:
            scope, receive = await self._bind_body(scope, receive, operation)
        await self.next_app(scope, receive, send)

    async def _bind_body(
        self, scope: Scope, receive: Receive, operation: Operation
    ) -> tuple[Scope, Receive]:
        media_type = _media_type(scope)
        if operation.json_body_schema is not None and is_json_media_type(media_type):
            body = await _read_body(scope, receive, self.max_body_bytes)
            rewritten = canonical_json_body(body, operation.json_body_schema)
            if rewritten is not body:
                scope = _with_header(scope, b"content-length", str(len(rewritten)).encode())
            # Connexion parses only application/json and +json bodies, written in lower case,
            # for the handler; the body is known to be UTF-8 JSON by now.
            canonical_type = "application/json" if media_type == "text/json" else media_type
            scope = _with_header(scope, b"content-type", canonical_type.encode("latin-1"))
            return scope, _replay(rewritten, receive)
        if operation.form_body_schema is not None and media_type == FORM_MEDIA:
            body = await _read_body(scope, receive, self.max_body_bytes)
            check_form_body(body, operation.form_body_schema)
            scope = _with_header(scope, b"content-type", FORM_MEDIA.encode("latin-1"))
            return scope, _replay(body, receive)
        if not media_type:
            body = await _read_body(scope, receive, self.max_body_bytes)
            if body.strip():
                raise ProblemException(
                    status=415,
                    title="Unsupported Media Type",
                    detail=(
                        "The request has a body but no Content-Type; this operation takes "
                        f"{', '.join(operation.body_media_types)}."
                    ),
                )
            return scope, _replay(body, receive)
        return scope, receive


def canonical_query(query_string: bytes, operation: Operation) -> bytes:
    try:
        # Percent-encoded bytes must be UTF-8 too, or re-encoding would alter the value.
        pairs = parse_qsl(query_string.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise BadRequestProblem(detail="The query string is not valid UTF-8.") from error
    declared = set(operation.query_names.values())
    bound: set[str] = set()
    kept = []
    for name, value in pairs:
        canonical = operation.query_names.get(name.lower(), name)
        if canonical in declared and canonical not in operation.query_arrays:
            if canonical in bound:
                continue
            bound.add(canonical)
        if canonical in operation.query_integers and value and not _ASCII_INTEGER.match(value):
            raise BadRequestProblem(
                detail=f"The query parameter '{canonical}' is invalid: '{value}' is not an integer."
            )
        kept.append((canonical, value))
    if kept == pairs:
        return query_string
    return urlencode(kept).encode("ascii")


def canonical_json_body(body: bytes, schema: dict[str, Any]) -> bytes:
    """The body with property names in the schema's casing (the same object if none changed)."""
    if not body.strip():
        return body
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadRequestProblem(detail="The request body is not valid UTF-8.") from error
    try:
        document = json.loads(text, object_pairs_hook=_object_without_repeats)
    except RecursionError as error:
        raise _too_deep() from error
    except ValueError as error:
        raise BadRequestProblem(detail=f"The request body is not valid JSON: {error}.") from error
    if _depth_over(document, MAX_JSON_DEPTH):
        raise _too_deep()
    try:
        # json.loads lets "\ud800" through; no database can store half a character.
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise BadRequestProblem(
            detail="The request body holds a lone UTF-16 surrogate, which is not a character."
        ) from error
    if _holds_nul(document):
        # PostgreSQL cannot store it and SQLite would: refused alike on both, as it is no text.
        raise BadRequestProblem(detail="The request body holds a NUL character (\\u0000).")
    renamed, changed = _rename(document, schema)
    if not changed and not body.startswith(b"\xef\xbb\xbf"):
        return body
    return json.dumps(renamed).encode("utf-8")


def check_form_body(body: bytes, schema: dict[str, Any]) -> None:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise BadRequestProblem(detail="The form is not valid UTF-8.") from error
    arrays = {
        name for name, prop in schema.get("properties", {}).items() if prop.get("type") == "array"
    }
    repeated = sorted(
        name for name, count in Counter(name for name, _ in pairs).items() if count > 1
    )
    for name in repeated:
        if name not in arrays:
            raise BadRequestProblem(detail=f"The parameter '{name}' is given more than once.")


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) < len(pairs):
        repeated = next(name for name, count in Counter(n for n, _ in pairs).items() if count > 1)
        raise ValueError(f"the property '{repeated}' is given more than once")
    return document


def _rename(value: Any, schema: dict[str, Any]) -> tuple[Any, bool]:
    if isinstance(value, list):
        item_schema = schema.get("items", {})
        results = [_rename(item, item_schema) for item in value]
        return [item for item, _ in results], any(changed for _, changed in results)
    if not isinstance(value, dict):
        return value, False
    properties = _properties(schema)
    canonical = {declared.lower(): declared for declared in properties}
    renamed: dict[str, Any] = {}
    changed = False
    for key, item in value.items():
        name = canonical.get(str(key).lower()) or str(key)
        if name in renamed:
            raise BadRequestProblem(
                detail=(
                    f"The property '{name}' is given more than once "
                    "(names match without regard to case)."
                )
            )
        extra = schema.get("additionalProperties")
        sub_schema = properties.get(name) or (extra if isinstance(extra, dict) else {})
        renamed[name], item_changed = _rename(item, sub_schema)
        changed = changed or item_changed or name != key
    return renamed, changed


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    properties = dict(schema.get("properties", {}))
    for combinator in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(combinator, []):
            properties.update(_properties(part))
    return properties


def _media_type(scope: Scope) -> str:
    return _header(scope, b"content-type").split(";")[0].strip().lower()


def _header(scope: Scope, name: bytes) -> str:
    for found, value in scope.get("headers", []):
        if found == name:
            return bytes(value).decode("latin-1")
    return ""


def _too_deep() -> BadRequestProblem:
    return BadRequestProblem(
        detail=f"The request body nests arrays and objects more than {MAX_JSON_DEPTH} deep."
    )


def _depth_over(document: Any, limit: int) -> bool:
    """Whether `document` nests arrays and objects deeper than `limit` (walked without
    recursion)."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in value)
    return False


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    declared = _header(scope, b"content-length")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _too_large(limit: int) -> ProblemException:
    return ProblemException(
        status=413,
        title="Content Too Large",
        detail=f"The request body is larger than {limit} bytes.",
    )


def _replay(body: bytes, original: Receive) -> Receive:
    """Hand the body on once, then the client's own messages (a disconnect, say)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _with_header(scope: Scope, name: bytes, value: bytes) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k != name]
    headers.append((name, value))
    return {**scope, "headers": headers}
