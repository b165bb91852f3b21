"""Operations of the tag PersonalAccessTokens: the caller's own PATs. A PAT is a JWT signed by
the server, shown once; the store keeps only its id and terms."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from starlette.responses import Response

from handlers.ansysid import mapping
from handlers.ansysid.caller import acting_as
from handlers.responses import JsonAnswer, json_ok, no_content
from specserve.context import services

DEFAULT_LIFETIME_DAYS = 30


def create_personal_access_token(token_info: dict[str, Any], body: dict[str, Any]) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.tokens.create(
            name=body["name"],
            account_id=uuid.UUID(body["accountId"]),
            scopes=body.get("scopes"),
            lifetime=datetime.timedelta(days=body.get("expiresInDays", DEFAULT_LIFETIME_DAYS)),
        )
    token = services().b2c.personal_access_token(
        pat_id=record.id,
        user_id=record.user_id,
        account_id=record.account_id,
        scopes=record.scopes,
        expires_at=int(record.expires_at.timestamp()),
    )
    return json_ok({**mapping.personal_access_token(record), "token": token})


def list_personal_access_tokens(token_info: dict[str, Any]) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        records = ansysid.tokens.all()
    return json_ok({"tokens": [mapping.personal_access_token(record) for record in records]})


def get_personal_access_token(token_info: dict[str, Any], token_id: str) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        record = ansysid.tokens.get(uuid.UUID(token_id))
    return json_ok(mapping.personal_access_token(record))


def update_personal_access_token(
    token_info: dict[str, Any], token_id: str, body: dict[str, Any]
) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        days = body.get("expiresInDays")
        record = ansysid.tokens.update(
            uuid.UUID(token_id),
            name=body.get("name"),
            lifetime=None if days is None else datetime.timedelta(days=days),
        )
    return json_ok(mapping.personal_access_token(record))


def delete_personal_access_token(token_info: dict[str, Any], token_id: str) -> Response:
    with acting_as(token_info) as ansysid:
        ansysid.tokens.revoke(uuid.UUID(token_id))
    return no_content()
