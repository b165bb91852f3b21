"""Operations of the tag AccessGroups."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from handlers.accesscontrol import mapping
from handlers.responses import JsonAnswer, empty_ok, json_ok
from specserve.context import unit_of_work


def list_access_groups() -> JsonAnswer:
    with unit_of_work() as uow:
        groups = uow.accesscontrol.list_groups()
    return json_ok([mapping.access_group(record) for record in groups])


def list_access_group_identities(id_: str) -> JsonAnswer:
    with unit_of_work() as uow:
        identities = uow.accesscontrol.group_identities(uuid.UUID(id_))
    return json_ok([mapping.identity(record) for record in identities])


def add_access_group_identity(accessgroupid: str, identityid: str) -> Response:
    # A membership that exists is left as it is: still 200, as the spec says.
    with unit_of_work() as uow:
        uow.accesscontrol.add_member(uuid.UUID(accessgroupid), uuid.UUID(identityid))
    return empty_ok()


def remove_access_group_identity(accessgroupid: str, identityid: str) -> Response:
    with unit_of_work() as uow:
        uow.accesscontrol.remove_member(uuid.UUID(accessgroupid), uuid.UUID(identityid))
    return empty_ok()
