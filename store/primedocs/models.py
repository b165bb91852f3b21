"""Tables of the primedocs Admin API: datasources, organization units, users, profiles, shares."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base


class Datasource(Base):
    __tablename__ = "pd_datasources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(255))


class OrganizationUnit(Base):
    __tablename__ = "pd_organization_units"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    datasource_id: Mapped[str] = mapped_column(
        ForeignKey("pd_datasources.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))


class User(Base):
    __tablename__ = "pd_users"
    __table_args__ = (UniqueConstraint("datasource_id", "primary_sid"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    datasource_id: Mapped[str] = mapped_column(
        ForeignKey("pd_datasources.id", ondelete="CASCADE"), index=True
    )
    primary_sid: Mapped[str | None] = mapped_column(String(184))
    title: Mapped[str | None] = mapped_column(String(255))


class Profile(Base):
    __tablename__ = "pd_profiles"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pd_users.id", ondelete="CASCADE"), index=True
    )
    organization_unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("pd_organization_units.id", ondelete="SET NULL")
    )
    title: Mapped[str | None] = mapped_column(String(255))
    is_default: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ProfileShare(Base):
    __tablename__ = "pd_profile_shares"
    __table_args__ = (
        UniqueConstraint("profile_id", "account_id"),
        CheckConstraint(
            "profile_permission_level BETWEEN 0 AND 3", name="profile_permission_level"
        ),
        CheckConstraint(
            "signature_permission_level BETWEEN 0 AND 2", name="signature_permission_level"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pd_profiles.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pd_users.id", ondelete="CASCADE"), index=True
    )
    profile_permission_level: Mapped[int] = mapped_column(Integer)
    signature_permission_level: Mapped[int] = mapped_column(Integer)


class DirectoryEntry(Base):
    """The accounts of the datasource's directory (a stand-in for Active Directory)."""

    __tablename__ = "pd_directory_entries"

    datasource_id: Mapped[str] = mapped_column(
        ForeignKey("pd_datasources.id", ondelete="CASCADE"), primary_key=True
    )
    sid: Mapped[str] = mapped_column(String(184), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(255))
    organization_unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("pd_organization_units.id", ondelete="SET NULL")
    )
