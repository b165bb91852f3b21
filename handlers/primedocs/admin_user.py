"""Operations of the tag AdminUser."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response

from handlers.primedocs import mapping
from handlers.responses import JsonAnswer, empty_ok, json_ok
from specserve.context import unit_of_work


def list_users(datasource_id: str, page_size: int = 50, page: int = 1) -> JsonAnswer:
    with unit_of_work() as uow:
        result = uow.primedocs.list_users(
            datasource_id=datasource_id, page=page, page_size=page_size
        )
    return json_ok(mapping.paged(result, mapping.user_info))


def onboard_user(datasource_id: str, sid: str) -> JsonAnswer:
    with unit_of_work() as uow:
        user = uow.primedocs.onboard_user(datasource_id=datasource_id, sid=sid)
    return json_ok(mapping.user_detail(user))


def get_user(datasource_id: str, user_id: str) -> JsonAnswer:
    with unit_of_work() as uow:
        user = uow.primedocs.get_user(datasource_id=datasource_id, user_id=uuid.UUID(user_id))
    return json_ok(mapping.user_detail(user))


def get_profile(datasource_id: str, user_id: str, profile_id: str) -> JsonAnswer:
    with unit_of_work() as uow:
        profile = uow.primedocs.get_profile(
            datasource_id=datasource_id,
            user_id=uuid.UUID(user_id),
            profile_id=uuid.UUID(profile_id),
        )
    return json_ok(mapping.profile_detail(profile))


def update_profile(
    datasource_id: str, user_id: str, profile_id: str, body: dict[str, Any]
) -> Response:
    unit_id = body.get("organizationUnitId")
    with unit_of_work() as uow:
        uow.primedocs.update_profile(
            datasource_id=datasource_id,
            user_id=uuid.UUID(user_id),
            profile_id=uuid.UUID(profile_id),
            title=body.get("title"),
            organization_unit_id=uuid.UUID(unit_id) if unit_id is not None else None,
        )
    return empty_ok()


def update_profile_shares(
    datasource_id: str, user_id: str, profile_id: str, body: dict[str, Any]
) -> Response:
    with unit_of_work() as uow:
        uow.primedocs.put_profile_share(
            datasource_id=datasource_id,
            user_id=uuid.UUID(user_id),
            profile_id=uuid.UUID(profile_id),
            account_id=uuid.UUID(body["accountId"]),
            profile_permission_level=body["profilePermissionLevel"],
            signature_permission_level=body["signaturePermissionLevel"],
        )
    return empty_ok()
