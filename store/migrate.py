"""Schema migrations (Alembic), run from the command line or on a SQLite server's first start."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest revision."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == _newest()


@functools.cache
def _newest() -> str | None:
    # Reading the revisions compiles every migration module; they do not change while we run.
    return ScriptDirectory.from_config(_config()).get_current_head()


def drop_everything(engine: Engine) -> None:
    """Drop every table, ours and Alembic's, so that `upgrade` starts from nothing."""
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
