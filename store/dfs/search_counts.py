"""How many identities a search finds, counted once per state of the tenant.

A search answers `TotalCount`. Counting 100,000 matches takes tens of milliseconds where the
page of 20 itself takes one, so counts are remembered: per tenant, per filters, and per the
tenant's `search_version`. Every transaction that changes what a search of a tenant can find
(its identities, members, tenant access, roles, identity providers, participants) replaces
that version with a new random one just before it commits, in the same transaction. A count
remembered under a version is therefore right for as long as the version stands, in every
worker and on every machine sharing the database, and a version is never used twice.

Changes are seen through the session: the objects a flush writes, and ORM UPDATE and DELETE
statements on those tables (which, not naming their tenants, replace every tenant's version).
A change made outside the store, by SQL at hand, must set `dfs_tenants.search_version` too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Table, event, select, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from store.dfs.models import (
    Identity,
    IdentityParticipant,
    Member,
    Participant,
    ProviderSetting,
    Role,
    Tenant,
    TenantAccess,
    new_search_version,
)

# Models with a tenant_id whose rows a search reads or filters by.
_TENANT_ROWS = (Identity, Member, TenantAccess, Role, ProviderSetting, Participant)
_WATCHED_TABLES = {
    model.__table__
    for model in (*_TENANT_ROWS, IdentityParticipant)
    if isinstance(model.__table__, Table)
}
# session.info keys: tenant ids and identity ids changed in this transaction, and whether a
# bulk statement changed rows of unknown tenants.
_TENANTS = "dfs_search_tenants"
_IDENTITIES = "dfs_search_identities"
_EVERY_TENANT = "dfs_search_every_tenant"


class SearchCounts:
    """Counts by (tenant, version, filters), the most recently used `capacity` of them."""

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._counts: OrderedDict[Hashable, int] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> int | None:
        with self._lock:
            count = self._counts.get(key)
            if count is not None:
                self._counts.move_to_end(key)
            return count

    def put(self, key: Hashable, count: int) -> None:
        with self._lock:
            self._counts[key] = count
            self._counts.move_to_end(key)
            while len(self._counts) > self._capacity:
                self._counts.popitem(last=False)


def has_unversioned_changes(session: Session) -> bool:
    """Whether this transaction has changes of its own not yet under a new search version
    (a count it makes now must not be remembered)."""
    return bool(
        session.info.get(_TENANTS)
        or session.info.get(_IDENTITIES)
        or session.info.get(_EVERY_TENANT)
    )


def watch(session_factory: sessionmaker[Session]) -> None:
    """Have the sessions of `session_factory` replace search versions as they commit."""
    event.listen(session_factory, "after_flush", _note_flushed)
    event.listen(session_factory, "do_orm_execute", _note_bulk_statement)
    event.listen(session_factory, "before_commit", _replace_versions)
    event.listen(session_factory, "after_commit", _forget)
    event.listen(session_factory, "after_rollback", _forget)


def _note_flushed(session: Session, _flush: UOWTransaction) -> None:
    # After a flush the session still lists what the flush wrote as new, dirty and deleted.
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, _TENANT_ROWS):
            session.info.setdefault(_TENANTS, set()).add(row.tenant_id)
        elif isinstance(row, IdentityParticipant):
            session.info.setdefault(_IDENTITIES, set()).add(row.identity_id)


def _note_bulk_statement(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and getattr(
        state.statement, "table", None
    ) in _WATCHED_TABLES:
        state.session.info[_EVERY_TENANT] = True


def _replace_versions(session: Session) -> None:
    # The commit's own flush comes after this hook: flush first, so that it is seen too. The
    # tenant rows are locked last, just before the commit, and held only until it.
    session.flush()
    changed: Any = None
    if session.info.get(_EVERY_TENANT):
        changed = update(Tenant)
    else:
        tenants = set(session.info.get(_TENANTS, ()))
        identities = session.info.get(_IDENTITIES)
        if identities:
            tenants |= set(
                session.scalars(select(Identity.tenant_id).where(Identity.id.in_(identities)))
            )
        if tenants:
            changed = update(Tenant).where(Tenant.id.in_(sorted(tenants)))
    if changed is not None:
        session.connection().execute(changed.values(search_version=new_search_version()))
    _forget(session)


def _forget(session: Session) -> None:
    for key in (_TENANTS, _IDENTITIES, _EVERY_TENANT):
        session.info.pop(key, None)
