"""Operations of the tag IdentityMemberSync: an identity's member written from its data, and
the long-running sync of every member of the tenant with the status of such runs."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from handlers.dfs.call import dfs_call
from handlers.responses import JsonAnswer, json_ok
from specserve.context import services
from store.dfs.identities import MEMBER_PROPERTIES
from store.dfs.member_sync import (
    QUEUED,
    SYNC_MEMBERS,
    AuditValues,
    MemberOperationRecord,
    MemberValues,
    OperationError,
    OperationKind,
    start_member_operation,
)
from store.errors import Invalid

Json = dict[str, Any]
INT32_MAX = 2**31 - 1


def sync_identity_member(identity_id: str, body: Json, token_info: dict[str, Any]) -> JsonAnswer:
    member = body.get("Member") or {}
    context = body.get("Context") or {}
    values = MemberValues(**{field: member.get(name) for name, field in MEMBER_PROPERTIES.items()})
    if any((number or 0) > INT32_MAX for number in (values.salutation_id, values.bank_branch_id)):
        # int32 in the spec (ASP.NET refuses larger ones); the runtime's validator does not.
        raise Invalid("A number of the request is out of range (int32).")
    with dfs_call(token_info) as (uow, caller):
        synced = uow.dfs_member_sync.sync_identity_member(
            tenant_id=caller.tenant_id,
            identity_id=uuid.UUID(identity_id),
            values=values,
            context=AuditValues(
                caller_client_id=caller.client_id,
                created_by=context.get("Createdby"),
                authorized_app_id=context.get("AuthorizedAppId"),
            ),
        )
    return json_ok(
        {
            "IdentityId": str(synced.identity_id),
            "MemberId": synced.member_id,
            "AuditContextId": synced.audit_context_id,
        }
    )


def sync_members(token_info: dict[str, Any]) -> JsonAnswer:
    return queue_member_operation(token_info, SYNC_MEMBERS)


def get_member_operation_status(
    long_running_request_id: str, token_info: dict[str, Any]
) -> JsonAnswer:
    with dfs_call(token_info) as (uow, caller):
        run = uow.dfs_member_sync.get_operation(
            tenant_id=caller.tenant_id, operation_id=uuid.UUID(long_running_request_id)
        )
    return json_ok(operation_status(run))


def queue_member_operation(token_info: dict[str, Any], operation: OperationKind) -> JsonAnswer:
    """Queue a run (or find the tenant's active one) and, once that is committed, run it
    outside the request; a queued run found is started too, in case its runner died."""
    # The request's context is gone when the run works: it keeps the store itself.
    store = services().store
    with dfs_call(token_info) as (uow, caller):
        run = uow.dfs_member_sync.queue_operation(tenant_id=caller.tenant_id, operation=operation)
    if run.status == QUEUED:
        start_member_operation(
            store, tenant_id=caller.tenant_id, operation_id=run.id, client_id=caller.client_id
        )
    return json_ok({"longRunningRequestId": str(run.id)})


def operation_status(run: MemberOperationRecord) -> Json:
    return {
        "longRunningRequestId": str(run.id),
        "operation": run.operation,
        "status": run.status,
        "createdDate": _timestamp(run.created_date),
        "startedDate": _timestamp(run.started_date) if run.started_date else None,
        "completedDate": _timestamp(run.completed_date) if run.completed_date else None,
        "totalCount": run.total_count,
        "processedCount": run.processed_count,
        "createdCount": run.created_count,
        "updatedCount": run.updated_count,
        "failedCount": run.failed_count,
        "errors": [_error(error) for error in run.errors],
    }


def _error(error: OperationError) -> Json:
    return {
        "identityId": str(error.identity_id) if error.identity_id is not None else None,
        "memberId": error.member_id,
        "message": error.message,
    }


def _timestamp(moment: datetime.datetime) -> str:
    # Seven fractional digits, as the samples' .NET timestamps.
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
