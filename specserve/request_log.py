"""The sandbox's log of recent requests and their answers (`GET /_specserve/requests`), kept
without the secrets they carry: credentials in headers, and any value named like a password,
secret, token, key or authorization code in a query, form, JSON body or redirect.

A body that cannot be read well enough to find its secrets (too large to parse, not valid
JSON, multipart) is logged by its size only.
"""

from __future__ import annotations

import base64
import collections
import datetime
import json
import re
import threading
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from specserve.context import correlation_id

# What the log shows of a body; it reads up to CAPTURE_LIMIT to find the secrets first.
BODY_LIMIT = 4096
CAPTURE_LIMIT = 65536
REDACTED = "(redacted)"
_SECRET_HEADERS = {"authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie"}
_SECRET_WORDS = ("password", "secret", "token", "apikey", "api_key", "assertion", "credential")
# OAuth's codes and hints carry no telling word; ids and types of tokens are no secrets.
_SECRET_NAMES = {"code", "code_verifier", "id_token_hint", "key", "pat", "client_assertion"}
_NOT_SECRET = {"tokenid", "token_id", "token_type", "tokentype", "tokenname", "token_name"}
_JSON_PAIR = re.compile(r'("(?P<name>[^"\\]{1,100})"\s*:\s*)"(?:[^"\\]|\\.)*"')
_FORM_PAIR = re.compile(r"(?P<name>[A-Za-z0-9_.-]{1,100})=[^&\s]*")


def is_secret(name: str) -> bool:
    lowered = name.lower()
    if lowered in _NOT_SECRET:
        return False
    return lowered in _SECRET_NAMES or any(word in lowered for word in _SECRET_WORDS)


class RequestLog:
    """The last requests and their answers, newest last; bounded."""

    def __init__(self, size: int) -> None:
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=size)
        self._lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def recent(self, limit: int) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)[-limit:][::-1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RecordRequests:
    """Keeps each API request and its answer in the log (not those of the docs or of the
    sandbox's own operations)."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].lower().startswith("/_specserve"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_body = CapturedBody()
        answer: dict[str, Any] = {"status": 500, "headers": {}}
        answer_body = CapturedBody()

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request_body.add(message.get("body", b""))
            return message

        async def send_and_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = _headers(message.get("headers", []))
            elif message["type"] == "http.response.body":
                answer_body.add(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive_and_keep, send_and_keep)
        finally:
            request_headers = _headers(scope.get("headers", []))
            self.log.record(
                {
                    "time": datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z"),
                    "method": scope["method"],
                    "path": scope["path"],
                    "query": _query(scope.get("query_string", b"").decode("latin-1")),
                    "correlationId": correlation_id.get() or None,
                    "durationMs": round((time.perf_counter() - started) * 1000, 1),
                    "request": {
                        "headers": request_headers,
                        "body": request_body.shown(request_headers.get("content-type")),
                    },
                    "response": {
                        "status": answer["status"],
                        "headers": answer["headers"],
                        "body": answer_body.shown(answer["headers"].get("content-type")),
                    },
                }
            )


class CapturedBody:
    """A body as it passes: its first CAPTURE_LIMIT bytes and its whole size."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.size = 0

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if len(self.data) < CAPTURE_LIMIT:
            self.data.extend(chunk[: CAPTURE_LIMIT - len(self.data)])

    def shown(self, content_type: str | None) -> Any:
        """The body as a client would want to read it, secrets redacted: JSON parsed, forms and
        text as text, other bytes as base64; cut at BODY_LIMIT."""
        if self.size == 0:
            return None
        media_type = (content_type or "").split(";")[0].strip().lower()
        complete = self.size <= CAPTURE_LIMIT
        raw = bytes(self.data)
        if media_type.endswith("json") or media_type == "application/x-www-form-urlencoded":
            if not complete:
                return f"({self.size} bytes, too large to look for secrets: not shown)"
            return _structured(raw, media_type)
        if media_type.startswith("multipart/"):
            return f"({self.size} bytes of {media_type}: not shown)"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(raw[:BODY_LIMIT]).decode("ascii"), "size": self.size}
        return _cut(_redact_text(text), self.size > BODY_LIMIT)


def _structured(raw: bytes, media_type: str) -> Any:
    if media_type == "application/x-www-form-urlencoded":
        text = _query(raw.decode("latin-1"))
        return _cut(text, len(text) > BODY_LIMIT)
    try:
        document = json.loads(raw, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return f"({len(raw)} bytes, not valid JSON: not shown)"
    redacted = _redact(document)
    text = json.dumps(redacted, ensure_ascii=False)
    return redacted if len(text) <= BODY_LIMIT else _cut(text, True)


def _refuse(constant: str) -> None:
    # NaN and Infinity are not JSON; the log itself must stay valid JSON.
    raise ValueError(constant)


def _cut(text: str, longer: bool) -> str:
    return text[:BODY_LIMIT] + "…" if longer else text


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    headers = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        if key in _SECRET_HEADERS:
            text = REDACTED
        elif key == "location":
            text = _redirect(text)
        headers[key] = text
    return headers


def _redirect(url: str) -> str:
    """A redirect with its secrets redacted (codes and tokens ride in the query or fragment)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=_query(parts.query), fragment=_query(parts.fragment)))


def _query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(name, REDACTED if is_secret(name) else value) for name, value in pairs])


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED if is_secret(str(key)) else _redact(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item) for item in value]
    return value


def _redact_text(text: str) -> str:
    """Secrets in text that is not declared JSON or a form but may hold either."""

    def json_pair(match: re.Match[str]) -> str:
        return f'{match.group(1)}"{REDACTED}"' if is_secret(match["name"]) else match.group(0)

    def form_pair(match: re.Match[str]) -> str:
        return f"{match['name']}={REDACTED}" if is_secret(match["name"]) else match.group(0)

    return _FORM_PAIR.sub(form_pair, _JSON_PAIR.sub(json_pair, text))
