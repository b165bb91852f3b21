"""Operations of the tag RoleManagement: roles of the caller's tenant and their hierarchy."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from handlers.dfs.call import dfs_call
from handlers.responses import JsonAnswer, json_ok
from handlers.timestamps import utc_text
from specserve.localization import current_language, localize
from store.dfs.roles import RoleChanges, RoleDetailRecord, RoleRecord
from store.errors import Invalid

Json = dict[str, Any]

INT32_MAX = 2**31 - 1


def list_roles(token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        roles = uow.dfs_roles.list_roles(tenant_id=caller.tenant_id)
    return json_ok([{**_hierarchy_item(role), "RoleKey": role.key} for role in roles])


def create_role(body: Json, token_info: dict[str, Any]) -> JsonAnswer:
    short_name: str = body["ShortName"]
    with dfs_call(token_info) as (uow, caller):
        role = uow.dfs_roles.create_role(
            tenant_id=caller.tenant_id,
            short_name=short_name,
            long_name=body.get("LongName") or short_name,
            key=body.get("RoleKey") or short_name,
            is_member_access_excluded=bool(body.get("IsMemberAccessExcluded")),
        )
    return json_ok(
        {
            "Id": role.id,
            "TenantId": role.tenant_id,
            "ShortName": role.short_name,
            "LongName": role.long_name,
            "RoleKey": role.key,
            "CreatedDate": utc_text(role.created_date),
        }
    )


def get_role(role_id: int, token_info: dict[str, Any]) -> JsonAnswer:
    _int32(role_id)
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        detail = uow.dfs_roles.get_role(tenant_id=caller.tenant_id, role_id=role_id)
    return json_ok(_role_details(detail))


def update_role(role_id: int, body: Json, token_info: dict[str, Any]) -> Response:
    _int32(role_id, *(body.get("AccessPolicyIds") or ()))
    policy_ids = body.get("AccessPolicyIds")
    changes = RoleChanges(
        short_name=body.get("ShortName"),
        long_name=body.get("LongName"),
        key=body.get("RoleKey"),
        allow_all_policies=body.get("AllowAllPolicies"),
        access_policy_ids=None if policy_ids is None else tuple(policy_ids),
    )
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_roles.update_role(tenant_id=caller.tenant_id, role_id=role_id, changes=changes)
    return _no_content()


def delete_role(role_id: int, token_info: dict[str, Any]) -> Response:
    _int32(role_id)
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_roles.delete_role(tenant_id=caller.tenant_id, role_id=role_id)
    return _no_content()


def get_role_hierarchy(role_id: int, token_info: dict[str, Any]) -> JsonAnswer:
    _int32(role_id)
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        hierarchy = uow.dfs_roles.role_hierarchy(tenant_id=caller.tenant_id, role_id=role_id)
    return json_ok(
        {
            "Base": _hierarchy_item(hierarchy.base),
            "HierarchyItems": [_hierarchy_item(role) for role in hierarchy.below],
        }
    )


def change_role_hierarchy_level(
    role_id: int, operation: str, token_info: dict[str, Any]
) -> Response:
    _int32(role_id)
    # The spec's enum admits only Up and Down; a higher level is more senior.
    step = 1 if operation == "Up" else -1
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_roles.change_hierarchy_level(tenant_id=caller.tenant_id, role_id=role_id, step=step)
    return _no_content()


def set_role_hierarchy_exclusions(
    role_id: int, body: list[int], token_info: dict[str, Any]
) -> Response:
    _int32(role_id, *body)
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_roles.set_hierarchy_exclusions(
            tenant_id=caller.tenant_id, role_id=role_id, excluded_role_ids=body
        )
    return _no_content()


def _hierarchy_item(role: RoleRecord) -> Json:
    return {"Id": role.id, "Name": role.short_name, "HierarchyLevel": role.hierarchy_level}


def _role_details(detail: RoleDetailRecord) -> Json:
    role = detail.role
    language = current_language()
    return {
        "ShortName": role.short_name,
        "LongName": role.long_name,
        "RoleKey": role.key,
        "CreatedDate": utc_text(role.created_date),
        "AllowAllPolicies": role.allow_all_policies,
        "AccessPolicies": [
            {"Id": policy.id, "Name": localize(policy.name, language), "Key": policy.key}
            for policy in detail.access_policies
        ],
    }


def _int32(*numbers: int) -> None:
    # The spec's ids are int32 (ASP.NET refuses a larger one), a bound the runtime's validator
    # leaves unchecked, and SQLite cannot even compare a number past 64 bits.
    if any(number > INT32_MAX for number in numbers):
        raise Invalid("A number of the request is out of range (int32).")


def _no_content() -> Response:
    """204 with no body and no Content-Type."""
    return Response(status_code=204)
