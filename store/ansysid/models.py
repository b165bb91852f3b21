"""Tables of the AnsysID API and of its B2C sign-in stand-in."""

from __future__ import annotations

import datetime
import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base

EMAIL = 254
PERSON_NAME = 100
ACCOUNT_NUMBER = 50
NAME = 200
DESCRIPTION = 1000
TOKEN_NAME = 100


def _timestamp() -> Mapped[datetime.datetime]:
    return mapped_column(DateTime(timezone=True))


class AidRole(Base):
    """The six roles of the role table; fixed, loaded from the seed."""

    __tablename__ = "aid_roles"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(DESCRIPTION))
    assignable: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer)


class AidAccount(Base):
    __tablename__ = "aid_accounts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    account_number: Mapped[str] = mapped_column(String(ACCOUNT_NUMBER))
    # The number case-folded: one account per number, whatever its letter case.
    number_key: Mapped[str] = mapped_column(String(ACCOUNT_NUMBER), unique=True)
    name: Mapped[str] = mapped_column(String(NAME), index=True)
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION))
    created_at: Mapped[datetime.datetime] = _timestamp()
    modified_at: Mapped[datetime.datetime] = _timestamp()


class AidUser(Base):
    __tablename__ = "aid_users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL))
    # The e-mail case-folded: one user per address, whatever its letter case.
    email_key: Mapped[str] = mapped_column(String(EMAIL), unique=True)
    first_name: Mapped[str] = mapped_column(String(PERSON_NAME))
    last_name: Mapped[str] = mapped_column(String(PERSON_NAME))
    # Demo users sign in with a password (the B2C password grant); others only through B2C.
    password_hash: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime.datetime] = _timestamp()
    modified_at: Mapped[datetime.datetime] = _timestamp()


class AidGlobalRole(Base):
    """Ansys Administrator and Ansys Viewer come from Azure AD federation groups: the sign-in
    puts them into the token; the API never grants them (only the seed has them)."""

    __tablename__ = "aid_global_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("aid_users.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("aid_roles.id"), primary_key=True)


class AidAccountUser(Base):
    __tablename__ = "aid_account_users"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("aid_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("aid_users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime.datetime] = _timestamp()


class AidUserRole(Base):
    """A role of a user in an account. `source` says where it came from: `api`, or `crm` for
    the Ansys Support Coordinator, which only the CRM data sync (the seed) grants."""

    __tablename__ = "aid_user_roles"
    __table_args__ = (
        ForeignKeyConstraint(
            ["account_id", "user_id"],
            ["aid_account_users.account_id", "aid_account_users.user_id"],
            ondelete="CASCADE",
            name="fk_aid_user_roles_account_user",
        ),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, index=True)
    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("aid_roles.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(10))
    granted_at: Mapped[datetime.datetime] = _timestamp()


class AidGroup(Base):
    __tablename__ = "aid_groups"
    __table_args__ = (UniqueConstraint("account_id", "name_key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("aid_accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME))
    # The name case-folded: one group of a name per account, whatever its letter case.
    name_key: Mapped[str] = mapped_column(String(NAME))
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION))
    group_type: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime.datetime] = _timestamp()
    modified_at: Mapped[datetime.datetime] = _timestamp()


class AidGroupMember(Base):
    """A member of a group: a user, or another group of the same account (never both)."""

    __tablename__ = "aid_group_members"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id"),
        UniqueConstraint("group_id", "member_group_id"),
        CheckConstraint("(user_id IS NULL) <> (member_group_id IS NULL)", name="user_or_group"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("aid_groups.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("aid_users.id", ondelete="CASCADE"), index=True
    )
    member_group_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("aid_groups.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[datetime.datetime] = _timestamp()


class AidGroupOwner(Base):
    """An owner (Group Administrator) of a group: manages its members."""

    __tablename__ = "aid_group_owners"

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("aid_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("aid_users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime.datetime] = _timestamp()


class AidActivity(Base):
    """A change made through the API. No foreign keys: the history outlives what it names."""

    __tablename__ = "aid_activities"
    __table_args__ = (Index("ix_aid_activities_account_time", "account_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    actor_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    actor_name: Mapped[str] = mapped_column(String(EMAIL))
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    details: Mapped[str] = mapped_column(Text)  # a JSON object of strings


class AidOutboxEmail(Base):
    """An e-mail the API would send (invitations): kept here, never sent."""

    __tablename__ = "aid_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime.datetime] = _timestamp()
    to_email: Mapped[str] = mapped_column(String(EMAIL), index=True)
    subject: Mapped[str] = mapped_column(String(NAME))
    body: Mapped[str] = mapped_column(Text)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class AidPersonalAccessToken(Base):
    """A PAT is a signed JWT shown once; only its id (the JWT's `jti`) and terms are kept."""

    __tablename__ = "aid_personal_access_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("aid_users.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("aid_accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(TOKEN_NAME))
    scopes: Mapped[str] = mapped_column(String(1000))  # space separated
    created_at: Mapped[datetime.datetime] = _timestamp()
    expires_at: Mapped[datetime.datetime] = _timestamp()
    last_used_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))


class AidResource(Base):
    """An API registered in the B2C tenant: its scopes are `{app_id_uri}/{scope}`."""

    __tablename__ = "aid_resources"

    app_id_uri: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    app_id: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    scopes: Mapped[str] = mapped_column(String(1000))  # short names, space separated


class AidApp(Base):
    """An application registered in the B2C tenant: a public client (no secret) or a
    confidential one (a secret, kept as a bcrypt hash)."""

    __tablename__ = "aid_apps"

    client_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME))
    secret_hash: Mapped[str | None] = mapped_column(String(100))
    redirect_uris: Mapped[str] = mapped_column(Text)  # space separated
    grant_types: Mapped[str] = mapped_column(String(200))  # space separated
    # Confidential apps: the resource scopes (full) its client-credentials tokens may carry,
    # and the global roles its service account holds.
    scopes: Mapped[str] = mapped_column(String(1000))
    roles: Mapped[str] = mapped_column(String(500))


class AidAuthorizationCode(Base):
    """An authorization code: single use, short-lived, kept as a SHA-256 of the code."""

    __tablename__ = "aid_authorization_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("aid_users.id", ondelete="CASCADE"))
    pat_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    scope: Mapped[str] = mapped_column(String(2000))
    nonce: Mapped[str | None] = mapped_column(String(1000))
    code_challenge: Mapped[str | None] = mapped_column(String(200))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    policy: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime.datetime] = _timestamp()
    used_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
