"""Operations of the tag ParticipantManagement: participants, their identities and the client
applications they are associated with."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response

from handlers.dfs.call import dfs_call
from handlers.responses import JsonAnswer, json_ok
from store.dfs.participants import ParticipantRecord, ParticipantSearch
from store.errors import Invalid
from store.paging import Page

Json = dict[str, Any]
DEFAULT_PAGE_SIZE = 10
INT32_MAX = 2**31 - 1


def create_participant(body: Json, token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info) as (uow, caller):
        created = uow.dfs_participants.create_participant(
            tenant_id=caller.tenant_id,
            name=body["name"],
            identity_ids=_uuids(body.get("identityInternalUserIds")) or (),
        )
    return json_ok({"Id": created.id, "UId": str(created.uid)})


def get_participant(participant_id: int, token_info: dict[str, Any]) -> JsonAnswer:
    _int32(participant_id)
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        found = uow.dfs_participants.get_participant(
            tenant_id=caller.tenant_id, participant_id=participant_id
        )
    return json_ok({"name": found.name, "uid": str(found.uid), "isActive": found.is_active})


def update_participant(participant_id: int, body: Json, token_info: dict[str, Any]) -> Response:
    _int32(participant_id)
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_participants.update_participant(
            tenant_id=caller.tenant_id,
            participant_id=participant_id,
            name=body.get("name"),
            is_active=body.get("isActive"),
            identity_ids=_uuids(body.get("identityInternalUserIds")),
        )
    return _no_content()


def search_participants(body: Json, token_info: dict[str, Any]) -> JsonAnswer:
    _int32(body.get("page") or 1, *(body.get("participantIds") or ()))
    criteria = ParticipantSearch(
        page=body.get("page") or 1,
        page_size=body.get("pageSize") or DEFAULT_PAGE_SIZE,
        sort_by=body.get("sortBy") or "name",
        sort_order=body.get("sortOrder") or "Ascending",
        name=body.get("name"),
        participant_ids=body.get("participantIds"),
        is_active=body.get("isActive"),
    )
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        found = uow.dfs_participants.search_participants(
            tenant_id=caller.tenant_id, criteria=criteria
        )
    return json_ok(_page(found))


def list_participants(token_info: dict[str, Any]) -> JsonAnswer:
    with dfs_call(token_info, reads_only=True) as (uow, caller):
        participants = uow.dfs_participants.list_participants(tenant_id=caller.tenant_id)
    return json_ok({"results": [_listed(record) for record in participants]})


def associate_application_participants(
    application_id: str, body: Json, token_info: dict[str, Any]
) -> Response:
    _int32(*body["participantIds"])
    with dfs_call(token_info) as (uow, caller):
        uow.dfs_participants.associate_application_participants(
            tenant_id=caller.tenant_id,
            application_id=application_id,
            participant_ids=body["participantIds"],
        )
    return _no_content()


def _int32(*numbers: int) -> None:
    # The spec's ids are int32 (ASP.NET refuses larger ones), a bound the runtime's validator
    # leaves unchecked; past 64 bits SQLite could not even compare them.
    if any(number > INT32_MAX for number in numbers):
        raise Invalid("A number of the request is out of range (int32).")


def _uuids(values: list[str] | None) -> list[uuid.UUID] | None:
    return None if values is None else [uuid.UUID(value) for value in values]


def _summary(record: ParticipantRecord) -> Json:
    return {
        "id": record.id,
        "uid": str(record.uid),
        "name": record.name,
        "isActive": record.is_active,
    }


def _listed(record: ParticipantRecord) -> Json:
    return {**_summary(record), "settingsUrl": record.settings_url}


def _page(page: Page[ParticipantRecord]) -> Json:
    return {
        "results": [_summary(record) for record in page.items],
        "page": page.page,
        "pageSize": page.page_size,
        "pageCount": page.total_pages,
        "totalCount": page.total_items,
    }


def _no_content() -> Response:
    """204 with no body and no Content-Type, as the spec answers these changes."""
    return Response(status_code=204)
