"""Operations of the tag AuditContext."""

from __future__ import annotations

import uuid
from typing import Any

from handlers.dfs import catalog_mapping as mapping
from handlers.dfs.call import dfs_call
from handlers.responses import JsonAnswer, json_ok
from store.dfs.audit import AuditRequest


def generate_audit_context(body: dict[str, Any], token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info) as (uow, caller):
        context = uow.dfs_audit.generate(
            tenant_id=caller.tenant_id,
            request=AuditRequest(
                caller_client_id=caller.client_id,
                created_by=body.get("Createdby"),
                authorized_app_id=body.get("AuthorizedAppId"),
                person_ids=body.get("PersonIds") or [],
                internal_ids=[uuid.UUID(uid) for uid in body.get("InternalIds") or []],
            ),
        )
    return json_ok(mapping.audit_context(context))
