"""Operations of the tag Groups."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response

from handlers.ansysid import mapping
from handlers.ansysid.caller import acting_as
from handlers.responses import JsonAnswer, json_ok, no_content
from store.ansysid.groups import GroupValues


def list_groups(
    token_info: dict[str, Any],
    account_id: str,
    search_value: str | None = None,
    page_size: int = 20,
    page_number: int = 0,
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        page = ansysid.groups.search(
            uuid.UUID(account_id), search_value, page=page_number, page_size=page_size
        )
    return json_ok(mapping.paged(page, "groups", mapping.group))


def create_group(token_info: dict[str, Any], account_id: str, body: dict[str, Any]) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        group_id = ansysid.groups.create(uuid.UUID(account_id), _values(body))
    return json_ok({"groupId": str(group_id)})


def get_group(token_info: dict[str, Any], account_id: str, group_id: str) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.groups.get(uuid.UUID(account_id), uuid.UUID(group_id))
    return json_ok(mapping.group(record))


def update_group(
    token_info: dict[str, Any], account_id: str, group_id: str, body: dict[str, Any]
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.groups.update(uuid.UUID(account_id), uuid.UUID(group_id), _values(body))
    return json_ok(mapping.group(record))


def delete_group(token_info: dict[str, Any], account_id: str, group_id: str) -> Response:
    with acting_as(token_info) as ansysid:
        ansysid.groups.delete(uuid.UUID(account_id), uuid.UUID(group_id))
    return no_content()


def _values(body: dict[str, Any]) -> GroupValues:
    return GroupValues(
        name=body.get("name"),
        description=body.get("description"),
        group_type=body.get("groupTypeId"),
        sets_description="description" in body,
    )
