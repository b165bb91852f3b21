"""The unit of work: read-only units that run without a transaction and refuse writes, and a
connection lost mid-request answered as the database being unavailable (503)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from store import Store, Unavailable
from store.dfs.models import Member
from store.unit_of_work import WriteInReadOnlyUnitOfWork, _database_refusal
from tests.support.databases import PostgresDatabases

BILL = uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa4")


def bill_email(store: Store) -> str | None:
    with Session(store.engine) as session:
        return session.scalar(select(Member.email).where(Member.id == 16))


def test_a_read_only_unit_of_work_reads(store: Store) -> None:
    with store.unit_of_work(read_only=True) as uow:
        record = uow.dfs_identities.get_identity(tenant_id=2, identity_id=BILL)
    assert (record.first_name, record.last_name) == ("Bill", "Doe")


def test_a_read_only_unit_of_work_refuses_a_write_and_stores_nothing(store: Store) -> None:
    with pytest.raises(WriteInReadOnlyUnitOfWork), store.unit_of_work(read_only=True) as uow:
        member = uow._session.get_one(Member, 16)
        member.email = "changed@additiv.com"
        uow._session.flush()
    with pytest.raises(WriteInReadOnlyUnitOfWork), store.unit_of_work(read_only=True) as uow:
        uow._session.execute(update(Member).values(email="changed@additiv.com"))
    with pytest.raises(WriteInReadOnlyUnitOfWork), store.unit_of_work(read_only=True) as uow:
        uow._session.get_one(Member, 16).email = "changed@additiv.com"  # never flushed
    assert bill_email(store) == "bd@additiv.com"


def test_a_read_only_unit_of_work_runs_without_a_transaction(store: Store) -> None:
    with store.unit_of_work(read_only=True) as uow:
        connection = uow._session.connection()
        assert connection.get_execution_options()["isolation_level"] == "AUTOCOMMIT"
        uow.dfs_identities.get_identity(tenant_id=2, identity_id=BILL)
    with store.unit_of_work() as uow:
        assert uow._session.connection().get_execution_options().get("isolation_level") is None


def test_a_read_only_unit_of_work_reads_beside_a_writer(store: Store) -> None:
    # On SQLite a writing unit of work takes the write lock at BEGIN; a reader must not wait
    # for it (it would, for busy_timeout, if it began a transaction of its own the same way).
    with store.unit_of_work() as writer:
        writer._session.get_one(Member, 16).email = "writing@additiv.com"
        writer._session.flush()
        with store.unit_of_work(read_only=True) as reader:
            record = reader.dfs_identities.get_identity(tenant_id=2, identity_id=BILL)
        assert record.email == "bd@additiv.com"  # not the uncommitted change
    assert bill_email(store) == "writing@additiv.com"


@pytest.fixture
def postgresql_store(postgresql_databases: PostgresDatabases, tmp_path: Path) -> Iterator[Store]:
    url = postgresql_databases.fresh(tmp_path)
    opened = Store(url, pool_size=2)
    yield opened
    opened.dispose()
    postgresql_databases.release(url)


@pytest.mark.postgresql
def test_a_connection_lost_mid_request_is_unavailable_and_the_next_request_works(
    postgresql_store: Store,
) -> None:
    store = postgresql_store
    with pytest.raises(Unavailable), store.unit_of_work() as uow:
        pid = uow._session.scalar(text("SELECT pg_backend_pid()"))
        other = Store(store.url)
        with other.engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.dispose()
        uow.dfs_identities.get_identity(tenant_id=2, identity_id=BILL)
    with store.unit_of_work(read_only=True) as uow:
        assert uow.dfs_identities.get_identity(tenant_id=2, identity_id=BILL).id == BILL


@pytest.mark.postgresql
def test_a_database_that_cannot_be_reached_is_unavailable() -> None:
    """A server that refuses connections (nothing listens on the port): 503's error, at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = Store(f"postgresql+psycopg://specserve@127.0.0.1:{port}/postgres")
    try:
        with pytest.raises(Unavailable, match="cannot be reached"), store.unit_of_work() as uow:
            uow.dfs_identities.get_identity(tenant_id=2, identity_id=BILL)
    finally:
        store.dispose()


class _DriverError(Exception):
    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (DBAPIError("SELECT 1", {}, _DriverError("starting up", "57P03")), True),
        (DBAPIError("SELECT 1", {}, _DriverError("connection failure", "08006")), True),
        (OperationalError("SELECT 1", {}, _DriverError("connection refused", None)), True),
        (ConnectionRefusedError(111, "Connection refused"), True),
        (DBAPIError("SELECT 1", {}, _DriverError("division by zero", "22012")), False),
        (DBAPIError("SELECT 1", {}, _DriverError("no state", None)), False),
    ],
)
def test_a_database_down_starting_or_unreachable_is_unavailable(
    error: BaseException, unavailable: bool
) -> None:
    assert isinstance(_database_refusal(error), Unavailable) is unavailable
