"""Tables of the Access Control Management API: identities, access groups, memberships, keys."""

from __future__ import annotations

import datetime
import uuid

from sqlalchemy import DateTime, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base

NAME = 200
EMAIL = 320
DESCRIPTION = 1000
KEY_NAME = 100


class AcIdentity(Base):
    __tablename__ = "ac_identities"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), index=True)
    type: Mapped[int] = mapped_column(Integer)
    email: Mapped[str | None] = mapped_column(String(EMAIL))
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION))


class AcAccessGroup(Base):
    __tablename__ = "ac_access_groups"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), index=True)


class AcMembership(Base):
    __tablename__ = "ac_memberships"

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ac_access_groups.id", ondelete="CASCADE"), primary_key=True
    )
    identity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ac_identities.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ApiKey(Base):
    """A key is shown once, when made; only its SHA-256 is kept (it is random and long, so a
    fast hash is as safe as a slow one, and it is checked on every request)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(KEY_NAME), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
