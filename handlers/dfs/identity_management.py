"""Operations of the tag IdentityManagement."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response

from handlers.dfs import identity_mapping as mapping
from handlers.dfs.call import dfs_call
from handlers.responses import JsonAnswer, json_ok
from store.errors import Unprocessable


def get_identity(identity_id: str, token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        record = uow.dfs_identities.get_identity(
            tenant_id=caller.tenant_id, identity_id=mapping.identity_id(identity_id)
        )
    return json_ok(mapping.identity_details(record))


def create_identity_v12(body: dict[str, Any], token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info) as (uow, caller):
        created = uow.dfs_identities.create_identity(
            tenant_id=caller.tenant_id, draft=mapping.draft(body)
        )
    return json_ok({"IdentityId": str(created)})


def update_identity_v13(
    identity_id: str, body: dict[str, Any], token_info: dict[str, Any]
) -> Response:
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_identities.update_identity(
            tenant_id=caller.tenant_id,
            identity_id=mapping.identity_id(identity_id),
            caller_identity_id=caller.identity_id,
            update=mapping.update(body),
        )
    return mapping.no_content()


def search_identities(body: dict[str, Any], token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        page = uow.dfs_identities.search_identities(
            tenant_id=caller.tenant_id,
            caller_identity_id=caller.identity_id,
            search=mapping.search(body),
        )
    return json_ok(mapping.search_page(page))


def set_identity_tenant_access(
    tenant_id: int, identity_id: str, body: dict[str, Any], token_info: dict[str, Any]
) -> Response:
    with dfs_call(token_info) as (uow, caller):
        if body.get("TenantId") is not None and body["TenantId"] != tenant_id:
            raise Unprocessable("'TenantId' differs from the tenant of the path.", field="TenantId")
        uow.dfs_identities.set_tenant_access(
            tenant_id=caller.tenant_id,
            identity_id=mapping.identity_id(identity_id),
            caller_identity_id=caller.identity_id,
            access_tenant_id=tenant_id,
            role_id=body.get("IdentityRoleId"),
            is_enabled=body["IsEnabled"],
        )
    return mapping.no_content()


def get_identity_profile_picture(identity_id: str, token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        picture = uow.dfs_identities.get_picture(
            tenant_id=caller.tenant_id, identity_id=mapping.identity_id(identity_id)
        )
    return json_ok(mapping.picture(picture))


def upload_identity_profile_picture(
    identity_id: str, body: dict[str, Any], token_info: dict[str, Any]
) -> Response:
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_identities.set_picture(
            tenant_id=caller.tenant_id,
            identity_id=mapping.identity_id(identity_id),
            content=mapping.picture_bytes(body),
        )
    return mapping.no_content()


def delete_identity_profile_picture(identity_id: str, token_info: dict[str, Any]) -> Response:
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_identities.delete_picture(
            tenant_id=caller.tenant_id, identity_id=mapping.identity_id(identity_id)
        )
    return mapping.no_content()


def get_identity_access_policies(identity_id: str, token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        policies = uow.dfs_identities.access_policies(
            tenant_id=caller.tenant_id, identity_id=mapping.identity_id(identity_id)
        )
    return json_ok(mapping.access_policies(policies))


def list_identities_with_role_hierarchy_level(token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        records = uow.dfs_identities.identities_with_levels(tenant_id=caller.tenant_id)
    return json_ok([mapping.hierarchy_item(record) for record in records])


def get_identity_hierarchy(identity_id: str, token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        record = uow.dfs_identities.get_hierarchy(
            tenant_id=caller.tenant_id, identity_id=mapping.identity_id(identity_id)
        )
    return json_ok(mapping.hierarchy(record))


def check_identity_person_access(
    identity_id: str, person_id: int, token_info: dict[str, Any]
) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        allowed = uow.dfs_identities.may_access_member(
            tenant_id=caller.tenant_id,
            identity_id=mapping.identity_id(identity_id),
            member_id=person_id,
        )
    return json_ok(allowed)


def check_identity_person_access_by_uid(
    identity_id: str, person_u_id: str, token_info: dict[str, Any]
) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        allowed = uow.dfs_identities.may_access_person_uid(
            tenant_id=caller.tenant_id,
            identity_id=mapping.identity_id(identity_id),
            person_uid=uuid.UUID(person_u_id),
        )
    return json_ok(allowed)


def set_identity_hierarchy_exclusions(
    identity_id: str, body: list[str], token_info: dict[str, Any]
) -> Response:
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_identities.set_hierarchy_exclusions(
            tenant_id=caller.tenant_id,
            identity_id=mapping.identity_id(identity_id),
            excluded_ids=[uuid.UUID(value) for value in body],
        )
    return mapping.no_content()
