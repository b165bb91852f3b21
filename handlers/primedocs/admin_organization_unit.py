"""Operations of the tag AdminOrganizationUnit."""

from __future__ import annotations

from handlers.primedocs import mapping
from handlers.responses import JsonAnswer, json_ok
from specserve.context import unit_of_work


def list_organization_units(datasource_id: str, page_size: int = 50, page: int = 1) -> JsonAnswer:
    with unit_of_work() as uow:
        result = uow.primedocs.list_organization_units(
            datasource_id=datasource_id, page=page, page_size=page_size
        )
    return json_ok(mapping.paged(result, mapping.organization_unit))
