"""Sandbox mode: the real handlers over a throwaway store seeded from fixtures/seed, so that
what a client writes it reads back; `POST /_specserve/reset` restores the seed and
`GET /_specserve/requests` shows the recent requests and answers.

The store is a SQLite file in memory-backed storage (/dev/shm where there is one): unlike
`sqlite://` in memory it lets concurrent requests run their own transactions, and it is gone
when the process ends. A copy of it as seeded is kept beside it for resets.
"""

from __future__ import annotations

import atexit
import base64
import collections
import datetime
import json
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from specserve.context import correlation_id
from specserve.settings import Settings
from store import Store
from store.migrate import upgrade
from store.seed import seed

# The demo secrets are published in fixtures/seed; cheap hashes make a sandbox start in a second
# instead of several (passwords set through the API use the store's full cost).
SEED_SECRET_ROUNDS = 4
_MEMORY = Path("/dev/shm")
# Request and answer bodies are kept up to this size in the request log.
BODY_LIMIT = 4096
_SECRET_NAMES = re.compile(r"password|secret|token$|^token|api_?key|assertion", re.IGNORECASE)
_SECRET_HEADERS = {"authorization", "x-api-key", "cookie", "proxy-authorization"}
_REDACTED = "(redacted)"


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


@dataclass
class Sandbox:
    store: Store
    pristine: Path
    requests: RequestLog
    folder: Path
    _reset_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(cls, settings: Settings) -> Sandbox:
        base = _MEMORY if _MEMORY.is_dir() else None
        folder = Path(tempfile.mkdtemp(prefix="specserve-sandbox-", dir=base))
        # For an embedding process that ends normally; a server closes it on shutdown.
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        pristine = folder / "seeded.db"
        seeding = Store(f"sqlite:///{pristine}")
        try:
            upgrade(seeding.engine)
            seed(seeding.engine, settings.fixtures_dir / "seed", secret_rounds=SEED_SECRET_ROUNDS)
        finally:
            # The last connection to close folds the write-ahead log into the file: one file
            # holds the seeded data, to copy now and to restore from later.
            seeding.dispose()
        live = folder / "sandbox.db"
        shutil.copyfile(pristine, live)
        return cls(
            store=Store(f"sqlite:///{live}"),
            pristine=pristine,
            requests=RequestLog(settings.request_log_size),
            folder=folder,
        )

    def reset(self) -> dict[str, int]:
        """Every table back to its seeded rows, in one transaction (requests in flight finish
        before or after it, never half-way); the request log emptied. Returns rows by table."""
        with self._reset_lock:
            connection = self.store.engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute("ATTACH DATABASE ? AS pristine", (str(self.pristine),))
                try:
                    counts = _copy_tables(cursor)
                finally:
                    cursor.execute("DETACH DATABASE pristine")
            finally:
                connection.close()
        self.requests.clear()
        return counts

    def close(self) -> None:
        """Drop the store and its files (idempotent)."""
        self.store.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)


class CloseOnShutdown:
    """Removes the sandbox's files when the server shuts down. (Exit handlers are not enough:
    uvicorn ends on SIGTERM by raising the signal again once it has shut down, and a process
    that dies of a signal runs none.)"""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_after_closing(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                self.sandbox.close()
            await send(message)

        await self.app(scope, receive, send_after_closing)


def _copy_tables(cursor: Any) -> dict[str, int]:
    tables = [
        row[0]
        for row in cursor.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version' ORDER BY name"
        ).fetchall()
    ]
    counts = {}
    # Rows refer to each other across and within tables, so the copy goes in any order with
    # foreign keys off (SQLite's deferred checking miscounts a delete-all-then-insert), and
    # they are checked once, before the commit. The pragma works only outside a transaction.
    cursor.execute("PRAGMA foreign_keys = OFF")
    try:
        cursor.execute("BEGIN IMMEDIATE")
        try:
            for table in tables:
                cursor.execute(f'DELETE FROM main."{table}"')
            for table in tables:
                cursor.execute(f'INSERT INTO main."{table}" SELECT * FROM pristine."{table}"')
                counts[table] = cursor.execute(f'SELECT count(*) FROM main."{table}"').fetchone()[0]
            if cursor.execute(
                "SELECT 1 FROM main.sqlite_master WHERE name = 'sqlite_sequence'"
            ).fetchone():
                cursor.execute("DELETE FROM main.sqlite_sequence")
                cursor.execute(
                    "INSERT INTO main.sqlite_sequence SELECT * FROM pristine.sqlite_sequence"
                )
            broken = cursor.execute("PRAGMA main.foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the seeded copy breaks foreign keys: {broken[:3]}")
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
    finally:
        cursor.execute("PRAGMA foreign_keys = ON")
    return counts


class RecordRequests:
    """Keeps each API request and its answer in the sandbox's request log (not the docs' or the
    sandbox's own requests), with credentials and secrets redacted."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_specserve"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_body = bytearray()
        answer: dict[str, Any] = {"status": 500, "headers": {}}
        answer_body = bytearray()

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(request_body) <= BODY_LIMIT:
                request_body.extend(message.get("body", b""))
            return message

        async def send_and_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = _headers(message.get("headers", []))
            elif message["type"] == "http.response.body" and len(answer_body) <= BODY_LIMIT:
                answer_body.extend(message.get("body", b""))
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
                        "body": _body(bytes(request_body), request_headers.get("content-type")),
                    },
                    "response": {
                        "status": answer["status"],
                        "headers": answer["headers"],
                        "body": _body(bytes(answer_body), answer["headers"].get("content-type")),
                    },
                }
            )


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    headers = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        headers[key] = _REDACTED if key in _SECRET_HEADERS else value.decode("latin-1")
    return headers


def _query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, _REDACTED if _SECRET_NAMES.search(k) else v) for k, v in pairs])


def _body(raw: bytes, content_type: str | None) -> Any:
    """The body as a client would want to read it: JSON parsed, forms and text as text, other
    bytes as base64; secrets redacted; cut at BODY_LIMIT bytes."""
    if not raw:
        return None
    media_type = (content_type or "").split(";")[0].strip().lower()
    truncated = len(raw) > BODY_LIMIT
    raw = raw[:BODY_LIMIT]
    if not truncated and (media_type.endswith("json")):
        try:
            return _redact(json.loads(raw))
        except ValueError:
            pass
    if media_type == "application/x-www-form-urlencoded":
        return _query(raw.decode("latin-1")) + ("…" if truncated else "")
    try:
        return raw.decode("utf-8") + ("…" if truncated else "")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii"), "truncated": truncated}


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _REDACTED if _SECRET_NAMES.search(str(key)) else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item) for item in value]
    return value
