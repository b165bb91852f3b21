"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import store.accesscontrol.models
import store.ansysid.models
import store.identity.models
import store.primedocs.models  # noqa: F401
from store import Store
from store.base import Base
from store.migrate import downgrade, drop_everything, is_current, upgrade
from tests.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        url = request.getfixturevalue("postgresql_databases").empty()
    opened = Store(url)
    yield opened
    opened.dispose()


def test_upgrade_matches_the_models(empty_store: Store) -> None:
    assert not is_current(empty_store.engine)
    upgrade(empty_store.engine)
    assert is_current(empty_store.engine)
    with empty_store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrade_twice_changes_nothing(empty_store: Store) -> None:
    upgrade(empty_store.engine)
    upgrade(empty_store.engine)
    assert is_current(empty_store.engine)


def test_downgrade_removes_every_table(empty_store: Store) -> None:
    upgrade(empty_store.engine)
    downgrade(empty_store.engine, "base")
    assert set(inspect(empty_store.engine).get_table_names()) <= {"alembic_version"}
    drop_everything(empty_store.engine)
    assert inspect(empty_store.engine).get_table_names() == []
