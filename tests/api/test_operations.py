"""Connexion's wrapping of a handler is built once per operation (specserve.operations), and
the handler still gets each request's own arguments."""

from __future__ import annotations

from typing import Any

import pytest
from connexion.decorators import StarletteDecorator
from starlette.testclient import TestClient

from tests.conftest import PRIMEDOCS_DATASOURCE

USERS = f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/Admin/Users"


@pytest.fixture
def decorations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The handlers Connexion wrapped, one entry per wrapping."""
    wrapped: list[str] = []
    original = StarletteDecorator.decorate

    def counting(self: Any, function: Any) -> Any:
        wrapped.append(function.__name__)
        return original(self, function)

    monkeypatch.setattr(StarletteDecorator, "decorate", counting)
    return wrapped


def test_a_handler_is_wrapped_on_its_first_request_only(
    client: TestClient, auth: dict[str, str], decorations: list[str]
) -> None:
    pages = [
        client.get(USERS, params={"PageSize": 1, "Page": page}, headers=auth) for page in (1, 2, 3)
    ]
    assert [page.status_code for page in pages] == [200, 200, 200]
    # Each request's own arguments reached the handler: three different pages.
    assert len({page.json()["data"][0]["id"] for page in pages}) == 3
    assert [answer.json()["pagingDetails"]["page"] for answer in pages] == [1, 2, 3]
    assert decorations.count(decorations[0]) == 1
