"""Operations of the tag Health: ASP.NET's health check, which answers in plain text."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import PlainTextResponse

from specserve.context import unit_of_work

logger = logging.getLogger("specserve.health")


def get_health() -> PlainTextResponse:
    try:
        with unit_of_work() as uow:
            uow.ansysid.database_answers()
    except SQLAlchemyError as error:
        logger.warning("health check: the database does not answer: %s", error)
        return PlainTextResponse("Unhealthy", status_code=503)
    return PlainTextResponse("Healthy")
