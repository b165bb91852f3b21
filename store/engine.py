"""Engines for the two supported databases: SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain `postgresql://` URLs, whatever SQLAlchemy's default driver is."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    url = normalize_url(url)
    kwargs: dict[str, Any] = {}
    if is_sqlite(url):
        # Connexion runs synchronous handlers in a thread pool.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        database = make_url(url).database
        if database in (None, "", ":memory:"):
            # One shared connection, or every thread would see its own empty database.
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_size"] = pool_size
        kwargs["max_overflow"] = pool_size
        # No ping before each checkout (a round trip a request): a connection found lost
        # while in use fails its request (503, store.unit_of_work) and SQLAlchemy then
        # discards every connection of the pool older than the loss.
    engine = create_engine(url, **kwargs)
    if is_sqlite(url):
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's recipe: let the
    # driver do nothing and emit BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    # SQLite leaves foreign keys unenforced unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Readers do not block the writer, so several workers can share one file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
    # writes fails at once ("database is locked") when another writer got in between,
    # whereas waiting for the lock at BEGIN honours busy_timeout. A read-only unit of work
    # (AUTOCOMMIT) runs its statements without a transaction, and takes no lock.
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_loop_engine(url: str, *, pool_size: int, autocommit: bool = False) -> AsyncEngine:
    """PostgreSQL through asyncpg, for units of work run on the event loop
    (store.unit_of_work): the store's code stays synchronous, and each round trip waits on
    the loop instead of holding a thread. asyncpg rather than psycopg's asyncio connections:
    measured on the loop with 16 requests at once, a read of an identity cost 195 to 220 us
    of CPU against 335 to 355."""
    async_url = make_url(normalize_url(url)).set(drivername="postgresql+asyncpg")
    # As many connections as handlers run at once (specserve.threads), opened once. Read-only
    # units of work get connections of their own, in autocommit from the start, rather than
    # switching a connection back and forth at each checkout.
    return create_async_engine(
        async_url,
        pool_size=pool_size,
        max_overflow=0,
        **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}),
    )
