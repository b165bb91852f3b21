"""Tables of the DFS Admin Services API.

Catalogues shared by every tenant: access policies, permissions, back-office menu items and
functionalities. Everything else belongs to one tenant, and every query of the repository
filters by it: a row of another tenant is as good as absent.
"""

from __future__ import annotations

import datetime
import uuid

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from store.base import Base

NAME = 200


def normalized(name: str) -> str:
    """The form user names and role keys are compared in: without regard to case."""
    return name.casefold()


def folded(text: str | None) -> str:
    """The form names are searched and sorted in: case-folded, absent as empty."""
    return normalized(text or "")


def new_search_version() -> str:
    return uuid.uuid4().hex


class Tenant(Base):
    __tablename__ = "dfs_tenants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    key: Mapped[str] = mapped_column(String(NAME), unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    # Replaced by every change to what an identity search of the tenant can find, so that
    # a count remembered under it is still right while it stands (store/dfs/search_counts.py).
    search_version: Mapped[str] = mapped_column(String(32), default=new_search_version)


# Catalogues


class AccessPolicy(Base):
    __tablename__ = "dfs_access_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(NAME), unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    description: Mapped[str | None] = mapped_column(Text)
    is_app_oriented: Mapped[bool] = mapped_column(Boolean, default=False)


class Permission(Base):
    __tablename__ = "dfs_permissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("dfs_permissions.id"))
    order_index: Mapped[int] = mapped_column(Integer, default=0)


class PermissionPolicy(Base):
    """An access policy a permission requires."""

    __tablename__ = "dfs_permission_policies"

    permission_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_permissions.id", ondelete="CASCADE"), primary_key=True
    )
    access_policy_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_access_policies.id", ondelete="CASCADE"), primary_key=True
    )


class MenuItem(Base):
    __tablename__ = "dfs_menu_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("dfs_menu_items.id"))
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    page_link: Mapped[str] = mapped_column(String(NAME))
    menu_type_id: Mapped[int] = mapped_column(Integer)
    permission_uid: Mapped[uuid.UUID] = mapped_column(Uuid)


class FunctionalityGroup(Base):
    __tablename__ = "dfs_functionality_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer)
    permission_uid: Mapped[uuid.UUID] = mapped_column(Uuid)


class Functionality(Base):
    __tablename__ = "dfs_functionalities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_functionality_groups.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(NAME), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer)
    permission_uid: Mapped[uuid.UUID] = mapped_column(Uuid)


# Per tenant: reference data


class ProviderSetting(Base):
    __tablename__ = "dfs_provider_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "provider_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("dfs_tenants.id", ondelete="CASCADE"))
    provider_id: Mapped[int] = mapped_column(Integer)
    provider_type_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME))
    display_name: Mapped[str] = mapped_column(String(NAME))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_date: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    last_updated_date: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))


class BankBranch(Base):
    __tablename__ = "dfs_bank_branches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_tenants.id", ondelete="CASCADE"), index=True
    )
    # Localizable: <root><en>...</en><de>...</de></root>
    name: Mapped[str] = mapped_column(Text)


class Salutation(Base):
    __tablename__ = "dfs_salutations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text)


class AppAccessPolicy(Base):
    """An app-oriented access policy a client app holds for an api resource and scope."""

    __tablename__ = "dfs_app_access_policies"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_tenants.id", ondelete="CASCADE"), primary_key=True
    )
    api_resource: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    api_scope: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    access_policy_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_access_policies.id", ondelete="CASCADE"), primary_key=True
    )


# Per tenant: roles


class Role(Base):
    __tablename__ = "dfs_roles"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key_normalized"),
        CheckConstraint("hierarchy_level BETWEEN 1 AND 100", name="hierarchy_level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_tenants.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(NAME))
    # RoleKey is unique per tenant without regard to case.
    key_normalized: Mapped[str] = mapped_column(String(NAME))
    short_name: Mapped[str] = mapped_column(String(NAME))
    long_name: Mapped[str] = mapped_column(String(NAME))
    hierarchy_level: Mapped[int] = mapped_column(Integer, default=1)
    allow_all_policies: Mapped[bool] = mapped_column(Boolean, default=False)
    is_member_access_excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_date: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))


class RolePolicy(Base):
    __tablename__ = "dfs_role_policies"

    role_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_roles.id", ondelete="CASCADE"), primary_key=True
    )
    access_policy_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_access_policies.id", ondelete="CASCADE"), primary_key=True
    )


class RoleExclusion(Base):
    """A role left out of another role's hierarchy."""

    __tablename__ = "dfs_role_exclusions"
    __table_args__ = (CheckConstraint("role_id <> excluded_role_id", name="not_itself"),)

    role_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_roles.id", ondelete="CASCADE"), primary_key=True
    )
    excluded_role_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_roles.id", ondelete="CASCADE"), primary_key=True
    )


# Per tenant: members and identities


class Member(Base):
    __tablename__ = "dfs_members"
    # The orders an identity search pages in without sorting the tenant (LastName is the
    # default; ties go by first name).
    __table_args__ = (
        Index("ix_dfs_members_by_last_name", "tenant_id", "last_name_folded", "first_name_folded"),
        Index("ix_dfs_members_by_first_name", "tenant_id", "first_name_folded"),
        Index("ix_dfs_members_by_email", "tenant_id", "email_folded"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_tenants.id", ondelete="CASCADE"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(NAME))
    last_name: Mapped[str] = mapped_column(String(NAME))
    salutation_id: Mapped[int | None] = mapped_column(ForeignKey("dfs_salutations.id"))
    email: Mapped[str | None] = mapped_column(String(320))
    description: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(50))
    fax: Mapped[str | None] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(50))
    external_id: Mapped[str | None] = mapped_column(String(NAME))
    bank_branch_id: Mapped[int | None] = mapped_column(ForeignKey("dfs_bank_branches.id"))
    assigned_contacts_count: Mapped[int] = mapped_column(Integer, default=0)
    # The names searched and sorted by, case-folded here: SQLite's lower() folds ASCII only.
    # Text, since folding can lengthen a name (ß becomes ss).
    first_name_folded: Mapped[str] = mapped_column(Text, default="")
    last_name_folded: Mapped[str] = mapped_column(Text, default="")
    email_folded: Mapped[str] = mapped_column(Text, default="")

    @validates("first_name", "last_name", "email")
    def _fold_for_search(self, key: str, value: str | None) -> str | None:
        setattr(self, f"{key}_folded", folded(value))
        return value


class Identity(Base):
    __tablename__ = "dfs_identities"
    __table_args__ = (UniqueConstraint("tenant_id", "user_name_normalized"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_tenants.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("dfs_members.id", ondelete="SET NULL"), unique=True
    )
    user_name: Mapped[str] = mapped_column(String(NAME))
    # User names are unique per tenant without regard to case.
    user_name_normalized: Mapped[str] = mapped_column(String(NAME))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2048))
    provider_setting_id: Mapped[int] = mapped_column(ForeignKey("dfs_provider_settings.id"))
    is_sign_in_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_system_account: Mapped[bool] = mapped_column(Boolean, default=False)
    # Identities allowed to search across tenants (`SearchByAllTenants`).
    sees_all_tenants: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_picture: Mapped[bytes | None] = mapped_column(LargeBinary)


class TenantAccess(Base):
    """An identity's access to a tenant, with its role there."""

    __tablename__ = "dfs_tenant_access"

    identity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dfs_identities.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_tenants.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[int] = mapped_column(ForeignKey("dfs_roles.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class IdentityExclusion(Base):
    """An identity left out of another identity's hierarchy."""

    __tablename__ = "dfs_identity_exclusions"
    __table_args__ = (CheckConstraint("identity_id <> excluded_identity_id", name="not_itself"),)

    identity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dfs_identities.id", ondelete="CASCADE"), primary_key=True
    )
    excluded_identity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dfs_identities.id", ondelete="CASCADE"), primary_key=True
    )


# Per tenant: back-office permissions, of a role or (overriding it) of an identity


class BackOfficeSetting(Base):
    """The back-office permissions of one role or one identity (exactly one of the two)."""

    __tablename__ = "dfs_back_office_settings"
    __table_args__ = (
        CheckConstraint("(role_id IS NULL) <> (identity_id IS NULL)", name="role_or_identity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role_id: Mapped[int | None] = mapped_column(
        ForeignKey("dfs_roles.id", ondelete="CASCADE"), unique=True
    )
    identity_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("dfs_identities.id", ondelete="CASCADE"), unique=True
    )
    default_menu_item_id: Mapped[int | None] = mapped_column(ForeignKey("dfs_menu_items.id"))
    menu_item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    functionality_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


# Per tenant: audit, participants, long-running member operations


class AuditContext(Base):
    __tablename__ = "dfs_audit_contexts"

    # Increasing across tenants, as in the samples (1001, ...).
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_tenants.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[str | None] = mapped_column(String(NAME))
    authorized_app_id: Mapped[str | None] = mapped_column(String(NAME))
    member_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))


class Participant(Base):
    __tablename__ = "dfs_participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_tenants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    settings_url: Mapped[str | None] = mapped_column(String(2048))


class IdentityParticipant(Base):
    __tablename__ = "dfs_identity_participants"

    identity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dfs_identities.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_participants.id", ondelete="CASCADE"), primary_key=True
    )


class ApplicationParticipant(Base):
    __tablename__ = "dfs_application_participants"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_tenants.id", ondelete="CASCADE"), primary_key=True
    )
    application_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_participants.id", ondelete="CASCADE"), primary_key=True
    )


class MemberOperation(Base):
    """A bulk member sync or import: queued, run, and its result kept for lookup."""

    __tablename__ = "dfs_member_operations"
    __table_args__ = (
        CheckConstraint("status IN ('Queued', 'Running', 'Succeeded', 'Failed')", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("dfs_tenants.id", ondelete="CASCADE"), index=True
    )
    operation: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    created_date: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    started_date: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    completed_date: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    # The last sign of life of the run's runner: a run silent for too long has lost it.
    heartbeat_date: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    total_count: Mapped[int] = mapped_column(Integer, default=0)
    processed_count: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
