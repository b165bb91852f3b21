"""Tokens the DFS API tests share."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.support.dfs import identity_auth


@pytest.fixture
def admin(dfs_client: TestClient) -> dict[str, str]:
    """Tenant Additiv's administrator: every access policy."""
    return identity_auth(dfs_client)


@pytest.fixture
def bluebank(dfs_client: TestClient) -> dict[str, str]:
    """Tenant Bluebank's administrator, to see that tenants do not see each other."""
    return identity_auth(dfs_client, user="bluebank.admin", password="Bluebank-Demo-1")
