"""Operations of the tag Roles."""

from __future__ import annotations

from typing import Any

from handlers.ansysid import mapping
from handlers.ansysid.caller import acting_as
from handlers.responses import JsonAnswer, json_ok


def list_roles(token_info: dict[str, Any]) -> JsonAnswer:
    with acting_as(token_info) as ansysid:
        roles = ansysid.accounts.roles()
    return json_ok({"roles": [mapping.role(record) for record in roles]})
