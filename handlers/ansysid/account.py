"""Operations of the tag Account."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response

from handlers.ansysid import mapping
from handlers.ansysid.caller import acting_as
from handlers.responses import JsonAnswer, json_ok, no_content
from store.ansysid.accounts import AccountValues


def create_account(token_info: dict[str, Any], body: dict[str, Any]) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.accounts.create(_values(body))
    return json_ok(mapping.account(record))


def list_accounts(
    token_info: dict[str, Any],
    search_value: str | None = None,
    page_number: int = 0,
    page_size: int = 20,
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        page = ansysid.accounts.search(search_value, page=page_number, page_size=page_size)
    return json_ok(mapping.paged(page, "accounts", mapping.account))


def get_account(token_info: dict[str, Any], account_id: str) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.accounts.get(uuid.UUID(account_id))
    return json_ok(mapping.account(record))


def update_account(token_info: dict[str, Any], account_id: str, body: dict[str, Any]) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.accounts.update(uuid.UUID(account_id), _values(body))
    return json_ok(mapping.account(record))


def delete_account(token_info: dict[str, Any], account_id: str) -> Response:
    with acting_as(token_info) as ansysid:
        ansysid.accounts.delete(uuid.UUID(account_id))
    return no_content()


def _values(body: dict[str, Any]) -> AccountValues:
    return AccountValues(
        account_number=body.get("accountNumber"),
        name=body.get("accountName"),
        description=body.get("description"),
        sets_description="description" in body,
    )
