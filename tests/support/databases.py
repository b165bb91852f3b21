"""Fresh, seeded databases for tests: migrated and seeded once, then copied per test."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from specserve.settings import PROJECT_ROOT
from store import Store
from store.migrate import upgrade
from store.seed import seed

SEED_FOLDER = PROJECT_ROOT / "fixtures" / "seed"
# Fast hashes in tests; the server's default is slower.
TEST_SECRET_ROUNDS = 4


def migrate_and_seed(url: str) -> None:
    store = Store(url)
    try:
        upgrade(store.engine)
        seed(store.engine, SEED_FOLDER, secret_rounds=TEST_SECRET_ROUNDS)
    finally:
        store.dispose()


class SqliteDatabases:
    def __init__(self, folder: Path) -> None:
        self._template = folder / "template.db"
        migrate_and_seed(f"sqlite:///{self._template}")

    def fresh(self, folder: Path) -> str:
        target = folder / f"db-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(self._template, target)
        return f"sqlite:///{target}"

    def restore(self, url: str) -> None:
        """Put the seeded data back into a database made by `fresh`; no connection may be open."""
        target = Path(str(make_url(url).database))
        for journal in (
            target.with_name(target.name + "-wal"),
            target.with_name(target.name + "-shm"),
        ):
            journal.unlink(missing_ok=True)
        shutil.copyfile(self._template, target)


class PostgresDatabases:
    TEMPLATE = "specserve_template"

    def __init__(self, server_url: str) -> None:
        self._server_url = server_url
        self._execute(f"CREATE DATABASE {self.TEMPLATE}")
        migrate_and_seed(self._url_of(self.TEMPLATE))

    def fresh(self, folder: Path | None = None) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._execute(f"CREATE DATABASE {name} TEMPLATE {self.TEMPLATE}")
        return self._url_of(name)

    def restore(self, url: str) -> None:
        """Put the seeded data back into a database made by `fresh`, closing its connections."""
        name = make_url(url).database
        self._execute(f"DROP DATABASE {name} WITH (FORCE)")
        self._execute(f"CREATE DATABASE {name} TEMPLATE {self.TEMPLATE}")

    def empty(self) -> str:
        name = f"e_{uuid.uuid4().hex[:12]}"
        self._execute(f"CREATE DATABASE {name}")
        return self._url_of(name)

    def _url_of(self, database: str) -> str:
        return (
            make_url(self._server_url).set(database=database).render_as_string(hide_password=False)
        )

    def _execute(self, statement: str) -> None:
        engine = sa.create_engine(self._server_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(statement)
        finally:
            engine.dispose()
