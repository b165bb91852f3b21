"""One transaction per request: the unit of work owns commit and rollback."""

from __future__ import annotations

import logging
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

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
from store.engine import make_engine
from store.errors import Conflict, DomainError, Invalid
from store.identity.repository import IdentityRepository
from store.primedocs.repository import PrimedocsRepository


class UnitOfWork:
    """Opens a session; commits when the block ends normally, rolls back when it raises."""

    primedocs: PrimedocsRepository
    accesscontrol: AccessControlRepository
    api_keys: ApiKeysRepository
    ansysid: AnsysIdRepository
    identity: IdentityRepository
    dfs: DfsRepository
    dfs_identities: IdentitiesRepository
    dfs_member_sync: MemberSyncRepository
    dfs_participants: ParticipantsRepository
    dfs_catalog: CatalogRepository
    dfs_audit: AuditRepository
    dfs_roles: RolesRepository
    dfs_members: MembersRepository

    def __init__(self, session_factory: sessionmaker[Session], search_counts: SearchCounts) -> None:
        self._session_factory = session_factory
        self._search_counts = search_counts

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        self.primedocs = PrimedocsRepository(self._session)
        self.accesscontrol = AccessControlRepository(self._session)
        self.api_keys = ApiKeysRepository(self._session)
        self.ansysid = AnsysIdRepository(self._session)
        self.identity = IdentityRepository(self._session)
        self.dfs = DfsRepository(self._session)
        self.dfs_identities = IdentitiesRepository(self._session, self._search_counts)
        self.dfs_member_sync = MemberSyncRepository(self._session)
        self.dfs_participants = ParticipantsRepository(self._session)
        self.dfs_catalog = CatalogRepository(self._session)
        self.dfs_audit = AuditRepository(self._session)
        self.dfs_roles = RolesRepository(self._session)
        self.dfs_members = MembersRepository(self._session)
        return self

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


logger = logging.getLogger("specserve.store")

_CLASH = "The change clashes with stored data and was not saved."
_RACE = "The change met a concurrent change and was not saved: send it again."
# PostgreSQL's deadlock_detected and serialization_failure: the database chose this
# transaction to give way to another one.
_CONCURRENCY_STATES = {"40P01", "40001"}


def _database_refusal(error: BaseException) -> DomainError | None:
    """The typed error for a value or change the database refuses; None for anything else."""
    if isinstance(error, IntegrityError):
        return Conflict(_CLASH)
    if isinstance(error, OperationalError):
        state = getattr(error.orig, "sqlstate", None)
        return Conflict(_RACE) if state in _CONCURRENCY_STATES else None
    if isinstance(error, (DataError, UnicodeEncodeError)):
        return Invalid("A value of the request cannot be stored (NUL, out of range).")
    return None


class Store:
    """The database of one server: an engine and the units of work over it."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        self.engine: Engine = make_engine(url, pool_size=pool_size)
        self._session_factory = sessionmaker(self.engine, expire_on_commit=False)
        search_counts.watch(self._session_factory)
        self._search_counts = search_counts.SearchCounts()

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._session_factory, self._search_counts)

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
