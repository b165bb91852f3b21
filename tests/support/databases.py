"""Fresh, seeded databases for tests: migrated and seeded once, then copied per test (on
PostgreSQL, a used database gets the seeded rows back instead: see PostgresDatabases)."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from specserve.settings import PROJECT_ROOT
from store import Store
from store.dfs.member_sync import RUNNER_THREAD_PREFIX
from store.migrate import upgrade
from store.seed import seed

SEED_FOLDER = PROJECT_ROOT / "fixtures" / "seed"


def migrate_and_seed(url: str) -> None:
    store = Store(url)
    try:
        upgrade(store.engine)
        seed(store.engine, SEED_FOLDER)
    finally:
        store.dispose()


class SqliteDatabases:
    def __init__(self, folder: Path) -> None:
        self._template = folder / "template.db"
        migrate_and_seed(f"sqlite:///{self._template}")

    def fresh(self, folder: Path) -> str:
        target = folder / f"db-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(self._template, target)
        return f"sqlite:///{target}"

    def release(self, url: str) -> None:
        """Nothing to do: the file goes with the test's tmp_path."""

    def restore(self, url: str) -> None:
        """Put the seeded data back into a database made by `fresh`; no connection may be open."""
        target = Path(str(make_url(url).database))
        for journal in (
            target.with_name(target.name + "-wal"),
            target.with_name(target.name + "-shm"),
        ):
            journal.unlink(missing_ok=True)
        shutil.copyfile(self._template, target)


# A table's visible state, cheaply: its row count and the newest transaction id among its rows.
# Any insert, update or delete a test commits changes one or the other (transaction ids only
# grow), so a table whose signature is unchanged still holds exactly the rows it was given.
Signature = tuple[int, int]


@dataclass(frozen=True)
class SeedSnapshot:
    """The template's data, read once, to put back into a used database table by table."""

    rows: dict[str, bytes]  # table -> its rows as COPY text
    sequences: dict[str, tuple[int, bool]]  # sequence -> (last_value, is_called)
    referenced_by: dict[str, set[str]]  # table -> the tables with a foreign key to it
    schema: str  # a fingerprint of the tables and columns, to notice a test that changed them

    @classmethod
    def read(cls, connection: psycopg.Connection[Any]) -> SeedSnapshot:
        tables = [row[0] for row in connection.execute(_TABLES)]
        rows = {}
        for table in tables:
            copy_out = sql.SQL("COPY {} TO STDOUT").format(sql.Identifier(table))
            with connection.cursor().copy(copy_out) as copy:
                rows[table] = b"".join(bytes(block) for block in copy)
        sequences = {}
        for (name,) in connection.execute(_SEQUENCES).fetchall():
            read = sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(name))
            last_value, is_called = connection.execute(read).fetchone() or (1, False)
            sequences[name] = (int(last_value), bool(is_called))
        referenced_by: dict[str, set[str]] = {table: set() for table in tables}
        for referencing, referenced in connection.execute(_FOREIGN_KEYS):
            referenced_by[referenced].add(referencing)
        return cls(rows, sequences, referenced_by, _schema_of(connection))

    def to_reload(self, changed: set[str]) -> list[str]:
        """The changed tables and every table referring to one: TRUNCATE takes all or none."""
        closure, todo = set(changed), list(changed)
        while todo:
            for referencing in self.referenced_by[todo.pop()] - closure:
                closure.add(referencing)
                todo.append(referencing)
        return sorted(closure)


_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
_SEQUENCES = "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
_FOREIGN_KEYS = """
    SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
    WHERE contype = 'f' AND connamespace = 'public'::regnamespace
"""
_SCHEMA = """
    SELECT md5(string_agg(concat_ws(':', c.relname, c.relkind, a.attname, a.atttypid,
                                    a.attnotnull), ',' ORDER BY c.relname, a.attnum))
    FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
    WHERE c.relnamespace = 'public'::regnamespace
"""


def _schema_of(connection: psycopg.Connection[Any]) -> str:
    row = connection.execute(_SCHEMA).fetchone()
    return str(row[0]) if row else ""


class PostgresDatabases:
    """A database per test, as a copy of the template would be; but a copy takes about 0.3 s,
    so a worker puts the seeded rows back into the database its last test used instead (a few
    milliseconds for the tables that test changed) and renames it, so that a test's URL never
    reaches another test's data."""

    TEMPLATE = "specserve_template"

    def __init__(self, server_url: str) -> None:
        self._server_url = server_url
        self._admin = _connect(server_url)
        self._execute(f"CREATE DATABASE {self.TEMPLATE}")
        migrate_and_seed(self._url_of(self.TEMPLATE))
        with _connect(self._url_of(self.TEMPLATE)) as template:
            self._seed = SeedSnapshot.read(template)
            self._template_signatures = _signatures(template, self._seed)
        # One statement that sets every sequence back to the template's value.
        self._set_sequences = sql.SQL("SELECT {}").format(
            sql.SQL(", ").join(
                sql.SQL("setval(quote_ident({})::regclass, {}, {})").format(name, value, called)
                for name, (value, called) in self._seed.sequences.items()
            )
        )
        # Databases handed out, with the signatures of their tables when they were handed out.
        self._handed_out: dict[str, dict[str, Signature]] = {}
        # Databases whose tests are over, to be reused.
        self._spare: list[str] = []

    def fresh(self, folder: Path | None = None) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        while self._spare and not self._reuse(self._spare.pop(), name):
            pass
        if name not in self._handed_out:
            self._execute(f"CREATE DATABASE {name} TEMPLATE {self.TEMPLATE}")
            self._handed_out[name] = self._template_signatures
        return self._url_of(name)

    @contextlib.contextmanager
    def lent(self, folder: Path | None = None) -> Iterator[str]:
        """A database made by `fresh`, released when the block ends."""
        url = self.fresh(folder)
        try:
            yield url
        finally:
            self.release(url)

    def release(self, url: str) -> None:
        """The test of a database made by `fresh` is over: its database may be reused."""
        # A bulk member run goes on in a thread after its request: let it end in this test's
        # database, as it would have in a database of its own.
        for thread in threading.enumerate():
            if thread.name.startswith(RUNNER_THREAD_PREFIX):
                thread.join(timeout=30)
        name = str(make_url(url).database)
        if name in self._handed_out:
            self._spare.append(name)

    def restore(self, url: str) -> None:
        """Put the seeded data back into a database made by `fresh`, closing its connections."""
        name = str(make_url(url).database)
        self._disconnect(name)
        if not self._reset(name):
            self._execute(f"DROP DATABASE {name} WITH (FORCE)")
            self._execute(f"CREATE DATABASE {name} TEMPLATE {self.TEMPLATE}")
            self._handed_out[name] = self._template_signatures

    def empty(self) -> str:
        name = f"e_{uuid.uuid4().hex[:12]}"
        self._execute(f"CREATE DATABASE {name}")
        return self._url_of(name)

    def _reuse(self, old: str, new: str) -> bool:
        """Rename a used database and put the seeded data back; False (and dropped) if a test
        changed more than the data."""
        self._execute(f"ALTER DATABASE {old} ALLOW_CONNECTIONS false")
        self._disconnect(old)
        # Whatever still holds the old URL (a client the test left behind) can no longer
        # reach the database under its new name.
        self._execute(f"ALTER DATABASE {old} RENAME TO {new}")
        self._execute(f"ALTER DATABASE {new} ALLOW_CONNECTIONS true")
        self._handed_out[new] = self._handed_out.pop(old)
        if self._reset(new):
            return True
        self._execute(f"DROP DATABASE {new} WITH (FORCE)")
        del self._handed_out[new]
        return False

    def _reset(self, name: str) -> bool:
        """Reload the tables the last test changed (and those referring to them) and set every
        sequence back; False if a table or column differs from the template's."""
        with _connect(self._url_of(name)) as connection:
            if _schema_of(connection) != self._seed.schema:
                return False
            before = self._handed_out[name]
            now = _signatures(connection, self._seed)
            changed = {table for table, signature in now.items() if signature != before[table]}
            tables = self._seed.to_reload(changed)
            with connection.transaction():
                # The rows go back as they were, without triggers or foreign key checks.
                connection.execute("SET LOCAL session_replication_role = replica")
                if tables:
                    # TRUNCATE, not DELETE: the rows go into fresh pages in the template's
                    # order, so queries without ORDER BY see them as in a copy.
                    truncate = sql.SQL("TRUNCATE {}").format(
                        sql.SQL(", ").join(map(sql.Identifier, tables))
                    )
                    connection.execute(truncate)
                for table in tables:
                    copy_in = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
                    with connection.cursor().copy(copy_in) as copy:
                        copy.write(self._seed.rows[table])
                connection.execute(self._set_sequences)
            self._handed_out[name] = {
                **now,
                **_signatures(connection, self._seed, tables),
            }
        return True

    def _disconnect(self, name: str) -> None:
        """End every session on the database and wait until each has gone."""
        # pg_terminate_backend's own wait (its timeout argument) sleeps 100 ms at least.
        query = (
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()"
        )
        deadline = time.monotonic() + 30
        while (row := self._admin.execute(query, (name,)).fetchone()) and row[0]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"sessions on {name} did not end")
            time.sleep(0.002)

    def _url_of(self, database: str) -> str:
        return (
            make_url(self._server_url).set(database=database).render_as_string(hide_password=False)
        )

    def _execute(self, statement: str) -> None:
        self._admin.execute(statement)


def _connect(url: str) -> psycopg.Connection[Any]:
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
        autocommit=True,
    )


def _signatures(
    connection: psycopg.Connection[Any], seed: SeedSnapshot, tables: Iterable[str] | None = None
) -> dict[str, Signature]:
    """Every table's signature (or those of `tables`), in one query."""
    names = list(seed.rows if tables is None else tables)
    if not names:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, count(*), coalesce(max(xmin::text::bigint), 0) FROM {}").format(
            sql.Literal(name), sql.Identifier(name)
        )
        for name in names
    )
    return {table: (count, newest) for table, count, newest in connection.execute(query)}
