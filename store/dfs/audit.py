"""Audit contexts of the DFS Admin Services API: the keys under which a tenant's changes are
recorded. Returns records, never ORM objects.

Ids increase across tenants and start after 1000 (the samples' first is 1001). PostgreSQL
draws them from the table's sequence, which the seed loader moves past 1000; SQLite takes
max(id, 1000) + 1, safe because every SQLite transaction of the store holds the write lock
from its start (BEGIN IMMEDIATE, see store.engine).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from store.dfs.models import (
    AppAccessPolicy,
    ApplicationParticipant,
    AuditContext,
    Identity,
    Member,
    Tenant,
    TenantAccess,
)
from store.dfs.seed import AUDIT_CONTEXT_FIRST_ID
from store.errors import NotFound, Unprocessable
from store.identity.models import ClientClaim

# The claim that names the tenant of a DFS client app in the token service.
TENANT_CLAIM = "tenant_id"
# Serializes the one-off move of an unmoved sequence (a database without the demo data).
_SEQUENCE_LOCK = 0x64667361756469


@dataclass(frozen=True)
class AuditContextRecord:
    id: int
    tenant_id: int
    tenant_key: str
    tenant_uid: uuid.UUID
    member_ids: tuple[int, ...]


@dataclass(frozen=True)
class AuditRequest:
    """Who audits what. None for `created_by` or `authorized_app_id` records the caller's
    client id."""

    caller_client_id: str
    created_by: str | None = None
    authorized_app_id: str | None = None
    person_ids: Sequence[int] = ()
    internal_ids: Sequence[uuid.UUID] = ()


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def generate(self, *, tenant_id: int, request: AuditRequest) -> AuditContextRecord:
        """A new audit context. Unprocessable when a person, an identity or the authorized app
        is not one of the tenant."""
        tenant = self._session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("The tenant of the access token no longer exists.")
        self._require_persons(tenant_id, request.person_ids)
        member_ids = self._member_ids(tenant_id, request.internal_ids)
        authorized_app_id = request.authorized_app_id or request.caller_client_id
        if authorized_app_id != request.caller_client_id:
            self._require_app(tenant_id, authorized_app_id)
        context = AuditContext(
            id=self._next_id(),
            tenant_id=tenant_id,
            created_by=request.created_by or request.caller_client_id,
            authorized_app_id=authorized_app_id,
            member_ids=list(member_ids),
            created_at=datetime.datetime.now(datetime.UTC),
        )
        self._session.add(context)
        self._session.flush()
        return AuditContextRecord(
            id=context.id,
            tenant_id=tenant.id,
            tenant_key=tenant.key,
            tenant_uid=tenant.uid,
            member_ids=member_ids,
        )

    def _require_persons(self, tenant_id: int, person_ids: Sequence[int]) -> None:
        # The persons the store knows are the tenant's members.
        wanted = list(dict.fromkeys(person_ids))
        if not wanted:
            return
        known = set(
            self._session.scalars(
                select(Member.id).where(Member.tenant_id == tenant_id, Member.id.in_(wanted))
            ).all()
        )
        for person_id in wanted:
            if person_id not in known:
                raise Unprocessable(f"No person with id {person_id}.", field="PersonIds")

    def _member_ids(self, tenant_id: int, identity_ids: Sequence[uuid.UUID]) -> tuple[int, ...]:
        """The members of the identities, in the order given, each once; Unprocessable for the
        first id that names no identity of the tenant (nor one with access to it)."""
        wanted = list(dict.fromkeys(identity_ids))
        if not wanted:
            return ()
        has_access = (
            select(TenantAccess.identity_id)
            .where(TenantAccess.tenant_id == tenant_id)
            .scalar_subquery()
        )
        rows = self._session.execute(
            select(Identity.id, Identity.member_id).where(
                Identity.id.in_(wanted),
                or_(Identity.tenant_id == tenant_id, Identity.id.in_(has_access)),
            )
        ).all()
        members = {identity_id: member_id for identity_id, member_id in rows}
        for identity_id in wanted:
            if identity_id not in members:
                raise Unprocessable(f"No identity with id '{identity_id}'.", field="InternalIds")
        found = (members[identity_id] for identity_id in wanted)
        return tuple(dict.fromkeys(member_id for member_id in found if member_id is not None))

    def _require_app(self, tenant_id: int, client_id: str) -> None:
        """A client app is registered for the tenant when it holds access policies there, has
        participants there, or is a client of the token service naming the tenant."""
        registered = self._session.scalar(
            select(
                or_(
                    select(AppAccessPolicy.client_id)
                    .where(
                        AppAccessPolicy.tenant_id == tenant_id,
                        AppAccessPolicy.client_id == client_id,
                    )
                    .exists(),
                    select(ApplicationParticipant.application_id)
                    .where(
                        ApplicationParticipant.tenant_id == tenant_id,
                        ApplicationParticipant.application_id == client_id,
                    )
                    .exists(),
                    select(ClientClaim.client_id)
                    .where(
                        ClientClaim.client_id == client_id,
                        ClientClaim.type == TENANT_CLAIM,
                        ClientClaim.value == str(tenant_id),
                    )
                    .exists(),
                )
            )
        )
        if not registered:
            raise Unprocessable(
                f"No client app '{client_id}' is registered for the tenant.",
                field="AuthorizedAppId",
            )

    def _next_id(self) -> int:
        if self._session.get_bind().dialect.name == "postgresql":
            return self._next_id_postgresql()
        largest = self._session.scalar(select(func.max(AuditContext.id))) or 0
        return max(int(largest), AUDIT_CONTEXT_FIRST_ID - 1) + 1

    def _next_id_postgresql(self) -> int:
        """The sequence's next value: unique without any lock, as concurrent requests need."""
        sequence = self._session.scalar(
            text("SELECT pg_get_serial_sequence('dfs_audit_contexts', 'id')")
        )
        drawn = int(self._session.scalar(select(func.nextval(sequence))) or 0)
        if drawn >= AUDIT_CONTEXT_FIRST_ID:
            return drawn
        # The sequence was never moved past 1000. Move it once: the lock (held to the end of
        # the transaction) makes concurrent first calls wait, and then draw after the move.
        self._session.execute(select(func.pg_advisory_xact_lock(_SEQUENCE_LOCK)))
        drawn = int(self._session.scalar(select(func.nextval(sequence))) or 0)
        if drawn >= AUDIT_CONTEXT_FIRST_ID:
            return drawn
        largest = int(self._session.scalar(select(func.max(AuditContext.id))) or 0)
        first = max(largest + 1, AUDIT_CONTEXT_FIRST_ID)
        return int(self._session.scalar(select(func.setval(sequence, first, True))) or first)
