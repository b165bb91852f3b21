"""Operations of the tag GroupMembers."""

from __future__ import annotations

import uuid
from typing import Any

from handlers.ansysid import mapping
from handlers.ansysid.caller import acting_as
from handlers.responses import JsonAnswer, json_ok
from store.ansysid.groups import MemberImport


def list_group_members(
    token_info: dict[str, Any],
    account_id: str,
    group_id: str,
    page_number: int = 0,
    page_size: int = 20,
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        page = ansysid.groups.members(
            uuid.UUID(account_id), uuid.UUID(group_id), page=page_number, page_size=page_size
        )
    return json_ok(mapping.paged(page, "members", mapping.member))


def add_group_members(
    token_info: dict[str, Any], account_id: str, group_id: str, body: dict[str, Any]
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        result = ansysid.groups.add_members(
            uuid.UUID(account_id), uuid.UUID(group_id), _member_ids(body)
        )
    return json_ok(mapping.id_changes(result))


def remove_group_members(
    token_info: dict[str, Any], account_id: str, group_id: str, body: dict[str, Any]
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        result = ansysid.groups.remove_members(
            uuid.UUID(account_id), uuid.UUID(group_id), _member_ids(body)
        )
    return json_ok(mapping.id_changes(result))


def import_group_members(
    token_info: dict[str, Any],
    account_id: str,
    group_id: str,
    body: dict[str, Any],
    remove_others: bool = False,
) -> JsonAnswer:
    users = [
        MemberImport(email=item["email"], is_admin=bool(item.get("isAdmin", False)))
        for item in body["users"]
    ]
    with acting_as(token_info) as ansysid:
        result = ansysid.groups.import_members(
            uuid.UUID(account_id), uuid.UUID(group_id), users, remove_others=remove_others
        )
    return json_ok(mapping.email_changes(result, "memberId"))


def _member_ids(body: dict[str, Any]) -> list[uuid.UUID]:
    return [uuid.UUID(item["memberId"]) for item in body["members"]]
