"""Small helpers shared by the seed loaders."""

from __future__ import annotations

from sqlalchemy.orm import Session

from store.base import Base


def add_missing(session: Session, row: Base, key: object) -> bool:
    """Add `row` unless a row of its table has the primary key `key`; True when added."""
    if session.get(type(row), key) is not None:
        return False
    session.add(row)
    session.flush()
    return True
