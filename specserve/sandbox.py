"""Sandbox mode: the real handlers over a throwaway store seeded from fixtures/seed, so that
what a client writes it reads back; `POST /_specserve/reset` restores the seed and
`GET /_specserve/requests` shows the recent requests and answers.

The store is a SQLite file in memory-backed storage (/dev/shm where there is one): unlike
`sqlite://` in memory it lets concurrent requests run their own transactions, and it is gone
when the process ends. A copy of it as seeded is kept beside it for resets.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specserve.request_log import RequestLog
from specserve.settings import Settings
from store import Store
from store.migrate import upgrade
from store.seed import seed

_MEMORY = Path("/dev/shm")


_PREFIX = "specserve-sandbox-"
_OWNER = "owner.pid"


def remove_orphans(base: Path) -> list[Path]:
    """Remove the folders of sandboxes whose process is gone (killed by a signal, which runs no
    exit handler: SIGHUP when its terminal closes, SIGKILL)."""
    removed = []
    for folder in base.glob(f"{_PREFIX}*"):
        try:
            owner = int((folder / _OWNER).read_text())
        except (OSError, ValueError):
            continue  # being made, or not ours
        if not _alive(owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


@dataclass
class Sandbox:
    store: Store
    pristine: Path
    requests: RequestLog
    folder: Path
    _reset_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(cls, settings: Settings) -> Sandbox:
        base = _MEMORY if _MEMORY.is_dir() else Path(tempfile.gettempdir())
        remove_orphans(base)
        folder = Path(tempfile.mkdtemp(prefix=_PREFIX, dir=base))
        (folder / _OWNER).write_text(str(os.getpid()))
        # For an embedding process that ends normally; a server closes it on shutdown.
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        pristine = folder / "seeded.db"
        seeding = Store(f"sqlite:///{pristine}")
        try:
            upgrade(seeding.engine)
            seed(seeding.engine, settings.fixtures_dir / "seed")
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
