"""Operations of the tag AccountUsers."""

from __future__ import annotations

import uuid
from typing import Any

from handlers.ansysid import mapping
from handlers.ansysid.caller import acting_as
from handlers.responses import JsonAnswer, json_ok
from store.ansysid.accounts import NewAccountUser


def list_account_users(
    token_info: dict[str, Any],
    account_id: str,
    page_number: int = 0,
    page_size: int = 20,
    search_value: str | None = None,
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        page = ansysid.accounts.users(
            uuid.UUID(account_id), search_value, page=page_number, page_size=page_size
        )
    return json_ok(mapping.paged(page, "users", mapping.account_user))


def import_account_users(
    token_info: dict[str, Any],
    account_id: str,
    body: list[dict[str, Any]],
    remove_others: bool = False,
    suppress_email: bool = False,
) -> JsonAnswer:
    entries = [
        NewAccountUser(email=item["email"], role_id=mapping.optional_uuid(item.get("roleId")))
        for item in body
    ]
    with acting_as(token_info) as ansysid:
        result = ansysid.accounts.import_users(
            uuid.UUID(account_id),
            entries,
            remove_others=remove_others,
            suppress_email=suppress_email,
        )
    return json_ok(mapping.email_changes(result, "userId"))


def remove_account_users(
    token_info: dict[str, Any], account_id: str, body: list[str]
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        result = ansysid.accounts.remove_users(
            uuid.UUID(account_id), [uuid.UUID(item) for item in body]
        )
    return json_ok(mapping.id_changes(result))


def get_account_user(token_info: dict[str, Any], account_id: str, user_id: str) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.accounts.user(uuid.UUID(account_id), uuid.UUID(user_id))
    return json_ok(mapping.account_user(record))


def add_account_user_role(
    token_info: dict[str, Any], account_id: str, user_id: str, role_id: str
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.accounts.grant_role(
            uuid.UUID(account_id), uuid.UUID(user_id), uuid.UUID(role_id)
        )
    return json_ok(mapping.account_user(record))


def remove_account_user_role(
    token_info: dict[str, Any], account_id: str, user_id: str, role_id: str
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.accounts.revoke_role(
            uuid.UUID(account_id), uuid.UUID(user_id), uuid.UUID(role_id)
        )
    return json_ok(mapping.account_user(record))
