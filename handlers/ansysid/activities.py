"""Operations of the tag Activities."""

from __future__ import annotations

import uuid
from typing import Any

from handlers.ansysid import mapping
from handlers.ansysid.caller import acting_as
from handlers.responses import JsonAnswer, json_ok
from store.ansysid.activities import ActivityFilter


def list_activities(
    token_info: dict[str, Any],
    *,
    account_id: str | None = None,
    user_id: str | None = None,
    action: str | None = None,
    from_: str | None = None,
    to: str | None = None,
    page_number: int = 0,
    page_size: int = 20,
) -> JsonAnswer:
    wanted = ActivityFilter(
        account_id=mapping.optional_uuid(account_id),
        user_id=mapping.optional_uuid(user_id),
        action=action,
        since=mapping.moment(from_, "from"),
        until=mapping.moment(to, "to"),
    )
    with acting_as(token_info) as ansysid:
        page = ansysid.activities.search(wanted, page=page_number, page_size=page_size)
    return json_ok(mapping.paged(page, "activities", mapping.activity))


def get_activity_report(
    token_info: dict[str, Any], account_id: str, from_: str | None = None, to: str | None = None
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        report = ansysid.activities.report(
            uuid.UUID(account_id),
            since=mapping.moment(from_, "from"),
            until=mapping.moment(to, "to"),
        )
    return json_ok(mapping.activity_report(report))
