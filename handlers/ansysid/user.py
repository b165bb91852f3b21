"""Operations of the tag User."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response

from handlers.ansysid import mapping
from handlers.ansysid.caller import acting_as
from handlers.responses import JsonAnswer, json_ok, no_content
from store.ansysid.users import AccountGrant, UserValues


def get_user_details(token_info: dict[str, Any], email: str | None = None) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        details = ansysid.users.details(email)
    return json_ok(mapping.user_details(details))


def create_user(token_info: dict[str, Any], body: dict[str, Any]) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.users.create(_values(body))
    return json_ok(mapping.user(record))


def get_user(token_info: dict[str, Any], user_id: str) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.users.get(uuid.UUID(user_id))
    return json_ok(mapping.user(record))


def update_user(token_info: dict[str, Any], user_id: str, body: dict[str, Any]) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.users.update(uuid.UUID(user_id), _values(body))
    return json_ok(mapping.user(record))


def delete_user(token_info: dict[str, Any], user_id: str) -> Response:
    with acting_as(token_info) as ansysid:
        ansysid.users.delete(uuid.UUID(user_id))
    return no_content()


def add_user_to_accounts(
    token_info: dict[str, Any], user_id: str, body: dict[str, Any], suppress_email: bool = False
) -> JsonAnswer:
    grants = [
        AccountGrant(
            account_id=uuid.UUID(item["accountId"]),
            role_id=mapping.optional_uuid(item.get("roleId")),
        )
        for item in body["accounts"]
    ]
    with acting_as(token_info) as ansysid:
        details = ansysid.users.add_to_accounts(
            uuid.UUID(user_id), grants, suppress_email=suppress_email
        )
    return json_ok(mapping.user_details(details))


def _values(body: dict[str, Any]) -> UserValues:
    return UserValues(
        email=body.get("email"), first_name=body.get("firstName"), last_name=body.get("lastName")
    )
