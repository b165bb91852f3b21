"""Operations of the tag AccessPolicyManagement."""

from __future__ import annotations

import uuid
from typing import Any

from handlers.dfs import catalog_mapping as mapping
from handlers.dfs.call import dfs_call
from handlers.responses import JsonAnswer, json_ok


def list_access_policies(token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, _caller):
        policies = uow.dfs_catalog.list_access_policies()
    return json_ok({"accessPolicies": [mapping.access_policy(policy) for policy in policies]})


def get_access_policy(access_policy_id: int, token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, _caller):
        detail = uow.dfs_catalog.get_access_policy(access_policy_id=access_policy_id)
    return json_ok(mapping.access_policy_detail(detail))


def list_permissions(token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, _caller):
        permissions = uow.dfs_catalog.list_permissions()
    return json_ok({"results": [mapping.permission(record) for record in permissions]})


def get_permission(permission_id: int, token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, _caller):
        detail = uow.dfs_catalog.get_permission(permission_id=permission_id)
    return json_ok(mapping.permission_detail(detail))


def get_tenant_identity_roles_with_access_policies(
    tenant_uid: str, token_info: dict[str, Any]
) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        roles = uow.dfs_catalog.roles_with_policies(
            tenant_id=caller.tenant_id, tenant_uid=uuid.UUID(tenant_uid)
        )
    return json_ok(mapping.identity_roles(roles))


def get_client_access_policies_by_api_scope(
    tenant_uid: str, api_resource: str, api_scope: str, token_info: dict[str, Any]
) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        clients = uow.dfs_catalog.client_access_policies(
            tenant_id=caller.tenant_id,
            tenant_uid=uuid.UUID(tenant_uid),
            api_resource=api_resource,
            api_scope=api_scope,
        )
    return json_ok(mapping.client_access_policies(clients))


def check_role_required_access_policies(
    role_id: int, body: dict[str, Any], token_info: dict[str, Any]
) -> JsonAnswer:
    uids = [uuid.UUID(uid) for uid in body.get("permissionsUids") or []]
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        check = uow.dfs_catalog.check_role_policies(
            tenant_id=caller.tenant_id, role_id=role_id, permission_uids=uids
        )
    return json_ok(mapping.policy_check(check))
