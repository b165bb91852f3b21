"""Operations of the tag Health: ASP.NET's health check, which answers in plain text."""

from __future__ import annotations

from starlette.responses import PlainTextResponse

from specserve.context import services


def get_health() -> PlainTextResponse:
    if not services().store.database_answers():
        return PlainTextResponse("Unhealthy", status_code=503)
    return PlainTextResponse("Healthy")
