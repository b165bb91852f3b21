"""Members written from identities: the sync of one identity's member, and the long-running
bulk sync and import, queued by a request and run afterwards in a thread of their own.

Every method takes the tenant it acts in; rows of another tenant are treated as absent.
"""

from __future__ import annotations

import datetime
import logging
import threading
import uuid
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Final, Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.dfs.audit import AuditRepository, AuditRequest
from store.dfs.models import (
    BankBranch,
    Identity,
    Member,
    MemberOperation,
    Salutation,
    Tenant,
    TenantAccess,
)
from store.errors import DomainError, NotFound, Unprocessable
from store.timestamps import as_utc, utc_now

if TYPE_CHECKING:
    from store.unit_of_work import Store

logger = logging.getLogger(__name__)

SYNC_MEMBERS: Final = "SyncMembers"
IMPORT_MEMBERS: Final = "ImportMembers"
QUEUED = "Queued"
RUNNING = "Running"
SUCCEEDED = "Succeeded"
FAILED = "Failed"
ACTIVE = (QUEUED, RUNNING)
OperationKind = Literal["SyncMembers", "ImportMembers"]

# A queued or running run that has shown no progress for this long lost its runner (the
# server stopped or crashed): it is failed, so that it neither blocks new runs nor is polled
# forever. One identity takes milliseconds; a runner always beats well within this.
STALE_AFTER = datetime.timedelta(minutes=5)
STALE_MESSAGE = "The run stopped without finishing: the server was stopped while it ran."

# The runner threads' names start with this (tests wait for them by it).
RUNNER_THREAD_PREFIX = "dfs-member-operation-"

# The spec keeps at most this many errors per run; `failedCount` has the total.
MAX_ERRORS = 100
# `Createdby` of an audit context whose request names none (sync-member's schema).
DEFAULT_CREATED_BY = "services"


@dataclass(frozen=True)
class MemberValues:
    """Member data; `None` means "not given": the identity's current value is kept."""

    first_name: str | None = None
    last_name: str | None = None
    salutation_id: int | None = None
    email: str | None = None
    description: str | None = None
    phone: str | None = None
    fax: str | None = None
    mobile: str | None = None
    external_id: str | None = None
    bank_branch_id: int | None = None


@dataclass(frozen=True)
class AuditValues:
    """Who records a change: `None` as the audit context API decides (`created_by`
    "services", as sync-member's request says; `authorized_app_id` the caller's client)."""

    caller_client_id: str
    created_by: str | None = None
    authorized_app_id: str | None = None


@dataclass(frozen=True)
class SyncedMember:
    identity_id: uuid.UUID
    member_id: int
    audit_context_id: int
    created: bool


@dataclass(frozen=True)
class QueuedOperation:
    id: uuid.UUID
    status: str
    is_new: bool


@dataclass(frozen=True)
class OperationError:
    identity_id: uuid.UUID | None
    member_id: int | None
    message: str


@dataclass(frozen=True)
class MemberOperationRecord:
    id: uuid.UUID
    operation: str
    status: str
    created_date: datetime.datetime
    started_date: datetime.datetime | None
    completed_date: datetime.datetime | None
    total_count: int
    processed_count: int
    created_count: int
    updated_count: int
    failed_count: int
    errors: tuple[OperationError, ...]


def _optional_utc(value: datetime.datetime | None) -> datetime.datetime | None:
    return None if value is None else as_utc(value)


class MemberSyncRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # One identity

    def sync_identity_member(
        self,
        *,
        tenant_id: int,
        identity_id: uuid.UUID,
        values: MemberValues,
        context: AuditValues,
    ) -> SyncedMember:
        """Create or update the identity's member from its data, `values` overriding it, and
        record the change under a new audit context."""
        identity = self._locked_identity(tenant_id, identity_id)
        if identity is None:
            raise NotFound(f"No identity with id '{identity_id}'.")
        member, created = self._write_member(tenant_id, identity, values)
        audit_context_id = self._audit(tenant_id, identity.id, context)
        return SyncedMember(
            identity_id=identity.id,
            member_id=member.id,
            audit_context_id=audit_context_id,
            created=created,
        )

    def _audit(self, tenant_id: int, identity_id: uuid.UUID, context: AuditValues) -> int:
        """A new audit context naming the identity's member, as the audit context API makes
        it (its id from 1001 upward on both backends); its id."""
        record = AuditRepository(self._session).generate(
            tenant_id=tenant_id,
            request=AuditRequest(
                caller_client_id=context.caller_client_id,
                created_by=context.created_by or DEFAULT_CREATED_BY,
                authorized_app_id=context.authorized_app_id,
                internal_ids=(identity_id,),
            ),
        )
        return record.id

    def _locked_identity(self, tenant_id: int, identity_id: uuid.UUID) -> Identity | None:
        # Locked (NO KEY UPDATE: rows referring to it may still be written), so that two
        # syncs of an identity without a member cannot both create one.
        return self._session.scalar(
            select(Identity)
            .where(Identity.id == identity_id, Identity.tenant_id == tenant_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )

    def _write_member(
        self, tenant_id: int, identity: Identity, values: MemberValues
    ) -> tuple[Member, bool]:
        """The identity's member, created (True) or updated (False) from `values` over its
        current data. Raises Unprocessable when the tenant database refuses the data."""
        access = self._session.get(TenantAccess, (identity.id, tenant_id))
        if access is None or not access.is_enabled:
            refused = f"The access of identity '{identity.id}' to the tenant is disabled."
            raise Unprocessable(refused)
        member = None
        if identity.member_id is not None:
            member = self._session.get(Member, identity.member_id)
        target = _overridden(_current_values(identity, member), values)
        self._check_member(tenant_id, target, member.id if member is not None else None)
        if member is not None:
            _assign(member, target)
            self._session.flush()
            return member, False
        member = Member(tenant_id=tenant_id, assigned_contacts_count=0)
        _assign(member, target)
        self._session.add(member)
        self._session.flush()
        identity.member_id = member.id
        self._session.flush()
        return member, True

    def _check_member(self, tenant_id: int, target: MemberValues, member_id: int | None) -> None:
        if target.salutation_id is not None and (
            self._session.get(Salutation, target.salutation_id) is None
        ):
            raise Unprocessable(f"No salutation with id {target.salutation_id}.")
        if target.bank_branch_id is not None:
            branch = self._session.get(BankBranch, target.bank_branch_id)
            if branch is None or branch.tenant_id != tenant_id:
                raise Unprocessable(f"No bank branch with id {target.bank_branch_id}.")
        if target.email is not None:
            query = select(Member.id).where(
                Member.tenant_id == tenant_id,
                func.lower(Member.email) == target.email.lower(),
            )
            if member_id is not None:
                query = query.where(Member.id != member_id)
            holder = self._session.scalar(query.order_by(Member.id).limit(1))
            if holder is not None:
                raise Unprocessable(
                    f"The e-mail {target.email} is already used by member {holder}."
                )

    # Long-running runs: queued by a request, run by start_member_operation

    def queue_operation(self, *, tenant_id: int, operation: OperationKind) -> QueuedOperation:
        """A new queued run of `operation`, or the tenant's one still queued or running."""
        # Serializes the starts of a tenant's runs on PostgreSQL, so that two requests cannot
        # both find none active (SQLite's BEGIN IMMEDIATE serializes them already). NO KEY
        # UPDATE, so that rows written meanwhile that refer to the tenant need not wait.
        tenant = select(Tenant.id).where(Tenant.id == tenant_id)
        self._session.execute(tenant.with_for_update(key_share=True))
        actives = self._session.scalars(
            select(MemberOperation)
            .where(
                MemberOperation.tenant_id == tenant_id,
                MemberOperation.operation == operation,
                MemberOperation.status.in_(ACTIVE),
            )
            .order_by(MemberOperation.created_date)
        ).all()
        for active in actives:
            if not _fail_if_stale(active):
                return QueuedOperation(id=active.id, status=active.status, is_new=False)
        now = utc_now()
        row = MemberOperation(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            operation=operation,
            status=QUEUED,
            created_date=now,
            heartbeat_date=now,
            total_count=0,
            processed_count=0,
            created_count=0,
            updated_count=0,
            failed_count=0,
            errors=[],
        )
        self._session.add(row)
        self._session.flush()
        return QueuedOperation(id=row.id, status=QUEUED, is_new=True)

    def get_operation(self, *, tenant_id: int, operation_id: uuid.UUID) -> MemberOperationRecord:
        row = self._session.get(MemberOperation, operation_id)
        if row is None or row.tenant_id != tenant_id:
            raise NotFound(f"No member operation with id '{operation_id}'.")
        if row.status in ACTIVE and _is_stale(row):
            row = self._locked_operation(tenant_id, operation_id)
            assert row is not None  # runs are never deleted
            _fail_if_stale(row)
            self._session.flush()
        return _operation_record(row)

    def claim_operation(
        self, *, tenant_id: int, operation_id: uuid.UUID
    ) -> tuple[uuid.UUID, ...] | None:
        """Mark a queued run as running and answer the identities it covers; None when it is
        not queued (another runner took it)."""
        row = self._locked_operation(tenant_id, operation_id)
        if row is None or row.status != QUEUED:
            return None
        covered = select(Identity.id).where(Identity.tenant_id == tenant_id)
        if row.operation == SYNC_MEMBERS:
            covered = covered.where(Identity.member_id.is_not(None))
        else:
            covered = covered.where(Identity.member_id.is_(None))
        identity_ids = tuple(
            self._session.scalars(covered.order_by(Identity.user_name_normalized, Identity.id))
        )
        row.status = RUNNING
        row.started_date = row.heartbeat_date = utc_now()
        row.total_count = len(identity_ids)
        self._session.flush()
        return identity_ids

    def process_identity(
        self, *, tenant_id: int, operation_id: uuid.UUID, identity_id: uuid.UUID, client_id: str
    ) -> None:
        """Sync or import one identity of a running run, counting the outcome."""
        row = self._locked_operation(tenant_id, operation_id)
        if row is None or row.status != RUNNING:
            return
        identity = self._locked_identity(tenant_id, identity_id)
        member_id = identity.member_id if identity is not None else None
        try:
            # A savepoint: a member the database refuses leaves the run's counts writable.
            with self._session.begin_nested():
                outcome = self._run_one(tenant_id, row.operation, identity, client_id)
        except (DomainError, IntegrityError) as error:
            message = error.message if isinstance(error, DomainError) else _CLASH
            row.failed_count += 1
            _add_error(row, OperationError(identity_id, member_id, message))
        else:
            if outcome == "created":
                row.created_count += 1
            elif outcome == "updated":
                row.updated_count += 1
        row.processed_count += 1
        row.heartbeat_date = utc_now()
        self._session.flush()

    def _run_one(
        self, tenant_id: int, operation: str, identity: Identity | None, client_id: str
    ) -> str:
        """What became of one identity: "created", "updated" or "skipped" (it changed since the
        run started: deleted, or its member created or gone)."""
        if identity is None:
            return "skipped"
        has_member = identity.member_id is not None
        if has_member != (operation == SYNC_MEMBERS):
            return "skipped"
        _, created = self._write_member(tenant_id, identity, MemberValues())
        self._audit(tenant_id, identity.id, AuditValues(caller_client_id=client_id))
        return "created" if created else "updated"

    def complete_operation(self, *, tenant_id: int, operation_id: uuid.UUID) -> None:
        row = self._locked_operation(tenant_id, operation_id)
        if row is None or row.status != RUNNING:
            return
        row.status = SUCCEEDED
        row.completed_date = utc_now()
        self._session.flush()

    def fail_operation(self, *, tenant_id: int, operation_id: uuid.UUID, message: str) -> None:
        row = self._locked_operation(tenant_id, operation_id)
        if row is None or row.status not in ACTIVE:
            return
        _fail(row, message)
        self._session.flush()

    def _locked_operation(self, tenant_id: int, operation_id: uuid.UUID) -> MemberOperation | None:
        return self._session.scalar(
            select(MemberOperation)
            .where(MemberOperation.id == operation_id, MemberOperation.tenant_id == tenant_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )


_CLASH = "The member clashes with stored data and was not saved."


def _is_stale(row: MemberOperation) -> bool:
    return utc_now() - as_utc(row.heartbeat_date) > STALE_AFTER


def _fail_if_stale(row: MemberOperation) -> bool:
    """Fail an active run whose runner is gone; True when it was."""
    if not _is_stale(row):
        return False
    _fail(row, STALE_MESSAGE)
    return True


def _fail(row: MemberOperation, message: str) -> None:
    row.status = FAILED
    row.completed_date = utc_now()
    # The run's own error is kept even when the list is full.
    kept = list(row.errors)[: MAX_ERRORS - 1]
    row.errors = [*kept, _error_json(OperationError(None, None, message))]


def _current_values(identity: Identity, member: Member | None) -> MemberValues:
    """The identity's data: that of its member; an identity without one has only its user
    name, which names the new member until the request says otherwise."""
    if member is None:
        return MemberValues(first_name=identity.user_name, last_name=identity.user_name)
    return MemberValues(
        **{field.name: getattr(member, field.name) for field in fields(MemberValues)}
    )


def _overridden(current: MemberValues, given: MemberValues) -> MemberValues:
    changes = {f.name: getattr(given, f.name) for f in fields(given)}
    return replace(current, **{name: value for name, value in changes.items() if value is not None})


def _assign(member: Member, values: MemberValues) -> None:
    for field in fields(values):
        setattr(member, field.name, getattr(values, field.name))


def _error_json(error: OperationError) -> dict[str, object]:
    return {
        "identity_id": str(error.identity_id) if error.identity_id is not None else None,
        "member_id": error.member_id,
        "message": error.message,
    }


def _add_error(row: MemberOperation, error: OperationError) -> None:
    if len(row.errors) < MAX_ERRORS:
        # A new list, so that the JSON column is seen as changed.
        row.errors = [*row.errors, _error_json(error)]


def _operation_record(row: MemberOperation) -> MemberOperationRecord:
    return MemberOperationRecord(
        id=row.id,
        operation=row.operation,
        status=row.status,
        created_date=as_utc(row.created_date),
        started_date=_optional_utc(row.started_date),
        completed_date=_optional_utc(row.completed_date),
        total_count=row.total_count,
        processed_count=row.processed_count,
        created_count=row.created_count,
        updated_count=row.updated_count,
        failed_count=row.failed_count,
        errors=tuple(_error_of(item) for item in row.errors),
    )


def _error_of(item: dict[str, object]) -> OperationError:
    identity_id = item.get("identity_id")
    member_id = item.get("member_id")
    return OperationError(
        identity_id=uuid.UUID(str(identity_id)) if identity_id is not None else None,
        member_id=int(str(member_id)) if member_id is not None else None,
        message=str(item["message"]),
    )


# The runner: outside the request, with units of work of its own


def start_member_operation(
    store: Store, *, tenant_id: int, operation_id: uuid.UUID, client_id: str
) -> None:
    """Run a queued run in a thread of its own. Call it after the request that queued the run
    has committed, or the thread may not see it. `client_id`: the client that asked for it,
    recorded in the audit contexts of its changes."""
    threading.Thread(
        target=run_member_operation,
        kwargs={
            "store": store,
            "tenant_id": tenant_id,
            "operation_id": operation_id,
            "client_id": client_id,
        },
        name=f"{RUNNER_THREAD_PREFIX}{operation_id}",
        daemon=True,
    ).start()


def run_member_operation(
    store: Store, *, tenant_id: int, operation_id: uuid.UUID, client_id: str
) -> None:
    """Claim the run, handle each identity in a transaction of its own (so that its counts
    grow while it runs), then mark it Succeeded; Failed when it cannot go on."""
    try:
        with store.unit_of_work() as uow:
            identity_ids = uow.dfs_member_sync.claim_operation(
                tenant_id=tenant_id, operation_id=operation_id
            )
        if identity_ids is None:
            return
        for identity_id in identity_ids:
            with store.unit_of_work() as uow:
                uow.dfs_member_sync.process_identity(
                    tenant_id=tenant_id,
                    operation_id=operation_id,
                    identity_id=identity_id,
                    client_id=client_id,
                )
        with store.unit_of_work() as uow:
            uow.dfs_member_sync.complete_operation(tenant_id=tenant_id, operation_id=operation_id)
    except Exception as error:
        logger.exception("member operation %s stopped", operation_id)
        _record_failure(store, tenant_id, operation_id, error)


def _record_failure(
    store: Store, tenant_id: int, operation_id: uuid.UUID, error: Exception
) -> None:
    # The client sees the kind of failure only: messages of the database may name its insides.
    message = error.message if isinstance(error, DomainError) else "The run stopped on an error."
    try:
        with store.unit_of_work() as uow:
            uow.dfs_member_sync.fail_operation(
                tenant_id=tenant_id, operation_id=operation_id, message=message
            )
    except Exception:
        logger.exception("member operation %s: its failure could not be recorded", operation_id)
