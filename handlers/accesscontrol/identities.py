"""Operations of the tag Identities."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response

from handlers.accesscontrol import mapping
from handlers.responses import JsonAnswer, empty_ok, json_ok
from specserve.context import unit_of_work


def list_identities() -> JsonAnswer:
    with unit_of_work() as uow:
        identities = uow.accesscontrol.list_identities()
    return json_ok([mapping.identity(record) for record in identities])


def get_identity(id_: str) -> JsonAnswer:
    with unit_of_work() as uow:
        record = uow.accesscontrol.get_identity(uuid.UUID(id_))
    return json_ok(mapping.identity(record))


def add_identity(body: dict[str, Any]) -> Response:
    with unit_of_work() as uow:
        uow.accesscontrol.add_identity(uuid.UUID(body["id"]), mapping.identity_values(body))
    return empty_ok()


def update_identity(id_: str, body: dict[str, Any]) -> Response:
    with unit_of_work() as uow:
        uow.accesscontrol.update_identity(uuid.UUID(id_), mapping.identity_values(body))
    return empty_ok()


def delete_identity(id_: str) -> Response:
    with unit_of_work() as uow:
        uow.accesscontrol.delete_identity(uuid.UUID(id_))
    return empty_ok()


def list_identity_access_groups(id_: str) -> JsonAnswer:
    with unit_of_work() as uow:
        groups = uow.accesscontrol.identity_groups(uuid.UUID(id_))
    return json_ok([mapping.access_group(record) for record in groups])
