"""Names without regard to case, as the real (ASP.NET) services match them.

After Connexion has routed a request, query parameter names and the property names of a JSON
body are rewritten to the casing the operation's spec declares, so that validation and the
handlers see one canonical form. The body must be UTF-8 JSON; anything else is a 400 here,
before a validator could fail on it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from connexion.exceptions import BadRequestProblem, ProblemException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from specserve.contract import Operation

MAX_BODY_BYTES = 1024 * 1024


class CaseInsensitiveNames:
    def __init__(self, next_app: ASGIApp, *, operations: dict[str, Operation]) -> None:
        self.next_app = next_app
        self.operations = operations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.next_app(scope, receive, send)
            return
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        operation = self.operations.get(routing.get("operation_id", ""))
        if operation is None:
            await self.next_app(scope, receive, send)
            return
        if operation.query_names and scope.get("query_string"):
            scope = {**scope, "query_string": canonical_query(scope["query_string"], operation)}
        if operation.json_body_schema is not None and _is_json(scope):
            body = await _read_body(receive)
            rewritten = canonical_json_body(body, operation.json_body_schema)
            if rewritten is not body:
                scope = _with_content_length(scope, len(rewritten))
            receive = _replay(rewritten, receive)
            if _media_type(scope) == b"text/json":
                # Connexion parses only application/json and +json bodies for the handler.
                scope = _with_header(scope, b"content-type", b"application/json")
        await self.next_app(scope, receive, send)


def canonical_query(query_string: bytes, operation: Operation) -> bytes:
    try:
        # Percent-encoded bytes must be UTF-8 too, or re-encoding would alter the value.
        pairs = parse_qsl(query_string.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise BadRequestProblem(detail="The query string is not valid UTF-8.") from error
    renamed = [(operation.query_names.get(name.lower(), name), value) for name, value in pairs]
    if renamed == pairs:
        return query_string
    return urlencode(renamed).encode("ascii")


def canonical_json_body(body: bytes, schema: dict[str, Any]) -> bytes:
    """The body with property names in the schema's casing (the same object if none changed)."""
    if not body.strip():
        return body
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadRequestProblem(detail="The request body is not valid UTF-8.") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadRequestProblem(detail=f"The request body is not valid JSON: {error}.") from error
    renamed, changed = _rename(document, schema)
    if not changed and not body.startswith(b"\xef\xbb\xbf"):
        return body
    return json.dumps(renamed).encode("utf-8")


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


def _media_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return bytes(value).split(b";")[0].strip().lower()
    return b""


def _is_json(scope: Scope) -> bool:
    media_type = _media_type(scope)
    return media_type.endswith(b"/json") or media_type.endswith(b"+json")


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ProblemException(
                status=413,
                title="Content Too Large",
                detail=f"The request body is larger than {MAX_BODY_BYTES} bytes.",
            )
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


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


def _with_content_length(scope: Scope, length: int) -> Scope:
    return _with_header(scope, b"content-length", str(length).encode("ascii"))


def _with_header(scope: Scope, name: bytes, value: bytes) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k != name]
    headers.append((name, value))
    return {**scope, "headers": headers}
