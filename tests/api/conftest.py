"""Tokens the DFS API tests share."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.support.dfs import identity_auth


@pytest.fixture
def admin(all_client: TestClient) -> dict[str, str]:
    """Tenant Additiv's administrator: every access policy."""
    return identity_auth(all_client)


@pytest.fixture
def bluebank(all_client: TestClient) -> dict[str, str]:
    """Tenant Bluebank's administrator, to see that tenants do not see each other."""
    return identity_auth(all_client, user="bluebank.admin", password="Bluebank-Demo-1")
