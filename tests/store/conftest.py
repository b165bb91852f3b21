from __future__ import annotations

from collections.abc import Iterator

import pytest

from store import Store


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store(database_url, pool_size=10)
    yield opened
    opened.dispose()
