"""Operations of the tag GroupOwners."""

from __future__ import annotations

import uuid
from typing import Any

from handlers.ansysid import mapping
from handlers.ansysid.caller import acting_as
from handlers.responses import JsonAnswer, json_ok


def list_group_owners(
    token_info: dict[str, Any],
    account_id: str,
    group_id: str,
    page_number: int = 0,
    page_size: int = 20,
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        page = ansysid.groups.owners(
            uuid.UUID(account_id), uuid.UUID(group_id), page=page_number, page_size=page_size
        )
    return json_ok(mapping.paged(page, "owners", mapping.owner))


def add_group_owners(
    token_info: dict[str, Any], account_id: str, group_id: str, body: dict[str, Any]
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        result = ansysid.groups.add_owners(
            uuid.UUID(account_id), uuid.UUID(group_id), _user_ids(body)
        )
    return json_ok(mapping.id_changes(result))


def replace_group_owners(
    token_info: dict[str, Any], account_id: str, group_id: str, body: dict[str, Any]
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        owners = ansysid.groups.replace_owners(
            uuid.UUID(account_id), uuid.UUID(group_id), _user_ids(body)
        )
    return json_ok(
        {"owners": [mapping.owner(record) for record in owners], "totalCount": len(owners)}
    )


def remove_group_owners(
    token_info: dict[str, Any], account_id: str, group_id: str, body: dict[str, Any]
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        result = ansysid.groups.remove_owners(
            uuid.UUID(account_id), uuid.UUID(group_id), _user_ids(body)
        )
    return json_ok(mapping.id_changes(result))


def _user_ids(body: dict[str, Any]) -> list[uuid.UUID]:
    return [uuid.UUID(item["userId"]) for item in body["owners"]]
