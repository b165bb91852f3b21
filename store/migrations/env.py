"""Alembic environment: runs on the connection that store.migrate hands over."""

from __future__ import annotations

from alembic import context

import store.accesscontrol.models
import store.ansysid.models
import store.dfs.models
import store.identity.models
import store.primedocs.models  # noqa: F401  (registers the tables on Base.metadata)
from store.base import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
