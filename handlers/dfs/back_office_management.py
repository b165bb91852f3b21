"""Operations of the tag BackOfficeManagement."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response

from handlers.dfs import catalog_mapping as mapping
from handlers.dfs.call import dfs_call
from handlers.responses import JsonAnswer, json_ok
from store.dfs.catalog import BackOfficeChange


def list_back_office_permissions(token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, _caller):
        catalog = uow.dfs_catalog.back_office_catalog()
    return json_ok(mapping.back_office_catalog(catalog))


def get_role_back_office_permissions(role_id: int, token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        permissions = uow.dfs_catalog.role_back_office(tenant_id=caller.tenant_id, role_id=role_id)
    return json_ok(mapping.back_office_permissions(permissions))


def update_role_back_office_permissions(
    role_id: int, body: dict[str, Any], token_info: dict[str, Any]
) -> Response:
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_catalog.update_role_back_office(
            tenant_id=caller.tenant_id, role_id=role_id, change=_change(body)
        )
    return _no_content()


def get_identity_back_office_permissions(
    identity_id: str, token_info: dict[str, Any]
) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        permissions = uow.dfs_catalog.identity_back_office(
            tenant_id=caller.tenant_id, identity_id=uuid.UUID(identity_id)
        )
    return json_ok(mapping.back_office_permissions(permissions))


def update_identity_back_office_permissions(
    identity_id: str, body: dict[str, Any], token_info: dict[str, Any]
) -> Response:
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_catalog.update_identity_back_office(
            tenant_id=caller.tenant_id, identity_id=uuid.UUID(identity_id), change=_change(body)
        )
    return _no_content()


def get_identity_provider_setting(provider_id: int, token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        setting = uow.dfs_catalog.get_provider_setting(
            tenant_id=caller.tenant_id, provider_id=provider_id
        )
    return json_ok(mapping.provider_setting(setting))


def _change(body: dict[str, Any]) -> BackOfficeChange:
    return BackOfficeChange(
        default_menu_item_id=body.get("DefaultMenuItemId"),
        menu_item_ids=body.get("MenuItemIds"),
        functionality_ids=body.get("FunctionalityIds"),
    )


def _no_content() -> Response:
    # The spec answers these updates 204, without a body or a Content-Type.
    return Response(status_code=204)
