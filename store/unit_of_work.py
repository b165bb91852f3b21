"""One transaction per request: the unit of work owns commit and rollback."""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import weakref
from types import TracebackType
from typing import NamedTuple

from sqlalchemy import Engine, event
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.util.concurrency import in_greenlet

from store.accesscontrol.keys import ApiKeysRepository
from store.accesscontrol.repository import AccessControlRepository
from store.ansysid.repository import AnsysIdRepository
from store.dfs import search_counts
from store.dfs.audit import AuditRepository
from store.dfs.catalog import CatalogRepository
from store.dfs.identities import IdentitiesRepository
from store.dfs.member_sync import MemberSyncRepository
from store.dfs.members import MembersRepository
from store.dfs.participants import ParticipantsRepository
from store.dfs.repository import DfsRepository
from store.dfs.roles import RolesRepository
from store.dfs.search_counts import SearchCounts
from store.engine import is_postgresql, make_engine, make_loop_engine
from store.errors import Conflict, DomainError, Invalid, Unavailable
from store.identity.repository import IdentityRepository
from store.primedocs.repository import PrimedocsRepository


class UnitOfWork:
    """Opens a session; commits when the block ends normally, rolls back when it raises."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        search_counts: SearchCounts,
        *,
        read_only: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._search_counts = search_counts
        self._read_only = read_only

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        for name in _REPOSITORIES:  # a unit of work entered again starts afresh
            self.__dict__.pop(name, None)
        return self

    # Each repository is made when a request first uses it: most use one or two.
    @functools.cached_property
    def primedocs(self) -> PrimedocsRepository:
        return PrimedocsRepository(self._session)

    @functools.cached_property
    def accesscontrol(self) -> AccessControlRepository:
        return AccessControlRepository(self._session)

    @functools.cached_property
    def api_keys(self) -> ApiKeysRepository:
        return ApiKeysRepository(self._session)

    @functools.cached_property
    def ansysid(self) -> AnsysIdRepository:
        return AnsysIdRepository(self._session)

    @functools.cached_property
    def identity(self) -> IdentityRepository:
        return IdentityRepository(self._session)

    @functools.cached_property
    def dfs(self) -> DfsRepository:
        return DfsRepository(self._session)

    @functools.cached_property
    def dfs_identities(self) -> IdentitiesRepository:
        return IdentitiesRepository(self._session, self._search_counts)

    @functools.cached_property
    def dfs_member_sync(self) -> MemberSyncRepository:
        return MemberSyncRepository(self._session)

    @functools.cached_property
    def dfs_participants(self) -> ParticipantsRepository:
        return ParticipantsRepository(self._session)

    @functools.cached_property
    def dfs_catalog(self) -> CatalogRepository:
        return CatalogRepository(self._session)

    @functools.cached_property
    def dfs_audit(self) -> AuditRepository:
        return AuditRepository(self._session)

    @functools.cached_property
    def dfs_roles(self) -> RolesRepository:
        return RolesRepository(self._session)

    @functools.cached_property
    def dfs_members(self) -> MembersRepository:
        return MembersRepository(self._session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc is not None:
                self._session.rollback()
                refusal = _database_refusal(exc)
                if refusal is not None:
                    raise refusal from exc
                return
            if self._read_only:
                # Nothing to commit: it ran without a transaction. A change left unflushed
                # is refused as a flush would refuse it.
                _refuse_changes(self._session)
                return
            try:
                self._session.commit()
            except (IntegrityError, OperationalError) as error:
                self._session.rollback()
                refusal = _database_refusal(error)
                if refusal is None:
                    raise
                raise refusal from error
        finally:
            self._session.close()


_REPOSITORIES = tuple(
    name for name, value in vars(UnitOfWork).items() if isinstance(value, functools.cached_property)
)

logger = logging.getLogger("specserve.store")

_CLASH = "The change clashes with stored data and was not saved."
_LOST = "The connection to the database was lost while serving the request: send it again."
_RACE = "The change met a concurrent change and was not saved: send it again."
_UNREACHABLE = "The database cannot be reached at the moment: send the request again shortly."
# PostgreSQL's deadlock_detected and serialization_failure: the database chose this
# transaction to give way to another one.
_CONCURRENCY_STATES = {"40P01", "40001"}


class WriteInReadOnlyUnitOfWork(RuntimeError):
    """A programming error: a unit of work opened to read tried to write."""


_READ_ONLY = "a read-only unit of work cannot write"


def refuse_writes(session_factory: sessionmaker[Session]) -> None:
    def do_orm_execute(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            raise WriteInReadOnlyUnitOfWork(_READ_ONLY)

    event.listen(session_factory, "before_flush", lambda session, *_: _refuse_changes(session))
    event.listen(session_factory, "do_orm_execute", do_orm_execute)


def _refuse_changes(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        raise WriteInReadOnlyUnitOfWork(_READ_ONLY)


def _database_refusal(error: BaseException) -> DomainError | None:
    """The typed error for a value or change the database refuses; None for anything else."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        # The pool opens new connections for later requests (see store.engine).
        return Unavailable(_LOST)
    if _cannot_connect(error):
        return Unavailable(_UNREACHABLE)
    if isinstance(error, IntegrityError):
        return Conflict(_CLASH)
    if isinstance(error, OperationalError):
        state = getattr(error.orig, "sqlstate", None)
        return Conflict(_RACE) if state in _CONCURRENCY_STATES else None
    if isinstance(error, (DataError, UnicodeEncodeError)):
        return Invalid("A value of the request cannot be stored (NUL, out of range).")
    return None


def _cannot_connect(error: BaseException) -> bool:
    """A new connection failed: the server is down, restarting or unreachable. asyncpg raises
    the socket's own error when nothing listens; either driver an error of class 08
    (connection exception) or 57P (the server shutting down or starting up); psycopg an
    OperationalError without an SQLSTATE when it cannot connect at all."""
    if isinstance(error, (ConnectionError, TimeoutError, socket.gaierror)):
        return True
    if not isinstance(error, DBAPIError):
        return False
    state = getattr(error.orig, "sqlstate", None)
    if state is None:
        return isinstance(error, OperationalError)
    return str(state).startswith(("08", "57P"))


class _Sessions(NamedTuple):
    """The sessions of units of work that write, and of those that only read (in
    autocommit, refusing writes)."""

    writing: sessionmaker[Session]
    reading: sessionmaker[Session]

    @classmethod
    def of(cls, engine: Engine, autocommit_engine: Engine) -> _Sessions:
        writing = sessionmaker(engine, expire_on_commit=False)
        search_counts.watch(writing)
        reading = sessionmaker(autocommit_engine, expire_on_commit=False)
        refuse_writes(reading)
        return cls(writing, reading)


class Store:
    """The database of one server: an engine and the units of work over it.

    With `on_event_loop` (a server's store on PostgreSQL), a unit of work opened by code run
    through `greenlet_spawn` on the event loop (specserve.threads) uses asyncio connections
    of its own pools; opened anywhere else (a thread, the command line), the engine's. Those
    connections belong to one event loop, the first to ask (`serves_loop`): a server has
    one; code on any other loop (a test client's, say) runs its units of work in threads."""

    def __init__(self, url: str, *, pool_size: int = 5, on_event_loop: bool = False) -> None:
        self.url = url
        self.engine: Engine = make_engine(url, pool_size=pool_size)
        self._search_counts = search_counts.SearchCounts()
        self._sessions = _Sessions.of(
            self.engine, self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._loop_engines: tuple[AsyncEngine, ...] = ()
        self._loop_sessions: _Sessions | None = None
        if on_event_loop and is_postgresql(url):
            self._loop_engines = (
                make_loop_engine(url, pool_size=pool_size),
                make_loop_engine(url, pool_size=pool_size, autocommit=True),
            )
            self._loop_sessions = _Sessions.of(
                *(engine.sync_engine for engine in self._loop_engines)
            )

    @property
    def on_event_loop(self) -> bool:
        """Whether units of work may be run on an event loop (in a greenlet)."""
        return self._loop_sessions is not None

    def serves_loop(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Whether units of work may run on `loop`: the first loop to ask binds the store's
        asyncio connections to itself."""
        if self._loop_sessions is None:
            return False
        if self._loop is None:
            self._loop = weakref.ref(loop)
        return self._loop() is loop

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        """One transaction; `read_only` for a request that only reads: its statements then
        run without a transaction around them (no BEGIN and COMMIT, two round trips fewer on
        PostgreSQL, no write lock on SQLite), each seeing what is committed when it runs,
        as PostgreSQL's READ COMMITTED would show it inside one. A write in it is refused."""
        sessions = self._sessions
        if self._loop_sessions is not None and in_greenlet():
            sessions = self._loop_sessions
        return UnitOfWork(
            sessions.reading if read_only else sessions.writing,
            self._search_counts,
            read_only=read_only,
        )

    def database_answers(self) -> bool:
        """Whether the database answers a query now (for health checks); a failure is logged."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except SQLAlchemyError as error:
            logger.warning("the database does not answer: %s", error)
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
        for engine in self._loop_engines:
            # Its connections belong to an event loop that may be gone: dropped, not closed.
            engine.sync_engine.dispose(close=False)

    async def dispose_on_loop(self) -> None:
        """Close the event loop's connections (at a server's shutdown, on its loop)."""
        for engine in self._loop_engines:
            await engine.dispose()
