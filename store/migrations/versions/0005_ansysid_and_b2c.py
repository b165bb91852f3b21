"""ansysid: accounts, users, roles, groups, activities, outbox; b2c sign-in: apps, codes, PATs

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "aid_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_number", sa.String(length=50), nullable=False),
        sa.Column("number_key", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_accounts")),
        sa.UniqueConstraint("number_key", name=op.f("uq_aid_accounts_number_key")),
    )
    with op.batch_alter_table("aid_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_accounts_name"), ["name"], unique=False)

    op.create_table(
        "aid_activities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("actor_name", sa.String(length=254), nullable=False),
        sa.Column("target_type", sa.String(length=30), nullable=False),
        sa.Column("target_id", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_activities")),
    )
    with op.batch_alter_table("aid_activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_aid_activities_account_time", ["account_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_aid_activities_action"), ["action"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_aid_activities_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_aid_activities_user_id"), ["user_id"], unique=False)

    op.create_table(
        "aid_apps",
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=100), nullable=True),
        sa.Column("redirect_uris", sa.Text(), nullable=False),
        sa.Column("grant_types", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.String(length=1000), nullable=False),
        sa.Column("roles", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_aid_apps")),
    )
    op.create_table(
        "aid_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("to_email", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_outbox")),
    )
    with op.batch_alter_table("aid_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_outbox_to_email"), ["to_email"], unique=False)

    op.create_table(
        "aid_resources",
        sa.Column("app_id_uri", sa.String(length=200), nullable=False),
        sa.Column("app_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("app_id_uri", name=op.f("pk_aid_resources")),
        sa.UniqueConstraint("app_id", name=op.f("uq_aid_resources_app_id")),
    )
    op.create_table(
        "aid_roles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("assignable", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_roles")),
        sa.UniqueConstraint("name", name=op.f("uq_aid_roles_name")),
    )
    op.create_table(
        "aid_users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_users")),
        sa.UniqueConstraint("email_key", name=op.f("uq_aid_users_email_key")),
    )
    op.create_table(
        "aid_account_users",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["aid_accounts.id"],
            name=op.f("fk_aid_account_users_account_id_aid_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["aid_users.id"],
            name=op.f("fk_aid_account_users_user_id_aid_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "user_id", name=op.f("pk_aid_account_users")),
    )
    with op.batch_alter_table("aid_account_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_account_users_user_id"), ["user_id"], unique=False)

    op.create_table(
        "aid_authorization_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("pat_id", sa.Uuid(), nullable=True),
        sa.Column("scope", sa.String(length=2000), nullable=False),
        sa.Column("nonce", sa.String(length=500), nullable=True),
        sa.Column("code_challenge", sa.String(length=200), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=10), nullable=True),
        sa.Column("policy", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["aid_users.id"],
            name=op.f("fk_aid_authorization_codes_user_id_aid_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_aid_authorization_codes")),
    )
    op.create_table(
        "aid_global_roles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["aid_roles.id"], name=op.f("fk_aid_global_roles_role_id_aid_roles")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["aid_users.id"],
            name=op.f("fk_aid_global_roles_user_id_aid_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "role_id", name=op.f("pk_aid_global_roles")),
    )
    op.create_table(
        "aid_groups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("group_type", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["aid_accounts.id"],
            name=op.f("fk_aid_groups_account_id_aid_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_groups")),
        sa.UniqueConstraint(
            "account_id", "name_key", name=op.f("uq_aid_groups_account_id_name_key")
        ),
    )
    with op.batch_alter_table("aid_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_groups_account_id"), ["account_id"], unique=False)

    op.create_table(
        "aid_personal_access_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scopes", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["aid_accounts.id"],
            name=op.f("fk_aid_personal_access_tokens_account_id_aid_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["aid_users.id"],
            name=op.f("fk_aid_personal_access_tokens_user_id_aid_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_personal_access_tokens")),
    )
    with op.batch_alter_table("aid_personal_access_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aid_personal_access_tokens_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "aid_group_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("member_group_id", sa.Uuid(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (member_group_id IS NULL)",
            name=op.f("ck_aid_group_members_user_or_group"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["aid_groups.id"],
            name=op.f("fk_aid_group_members_group_id_aid_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_group_id"],
            ["aid_groups.id"],
            name=op.f("fk_aid_group_members_member_group_id_aid_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["aid_users.id"],
            name=op.f("fk_aid_group_members_user_id_aid_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_group_members")),
        sa.UniqueConstraint(
            "group_id",
            "member_group_id",
            name=op.f("uq_aid_group_members_group_id_member_group_id"),
        ),
        sa.UniqueConstraint(
            "group_id", "user_id", name=op.f("uq_aid_group_members_group_id_user_id")
        ),
    )
    with op.batch_alter_table("aid_group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aid_group_members_group_id"), ["group_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_aid_group_members_member_group_id"), ["member_group_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_aid_group_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "aid_group_owners",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["aid_groups.id"],
            name=op.f("fk_aid_group_owners_group_id_aid_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["aid_users.id"],
            name=op.f("fk_aid_group_owners_user_id_aid_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_aid_group_owners")),
    )
    with op.batch_alter_table("aid_group_owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_group_owners_user_id"), ["user_id"], unique=False)

    op.create_table(
        "aid_user_roles",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "user_id"],
            ["aid_account_users.account_id", "aid_account_users.user_id"],
            name="fk_aid_user_roles_account_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["aid_roles.id"], name=op.f("fk_aid_user_roles_role_id_aid_roles")
        ),
        sa.PrimaryKeyConstraint("account_id", "user_id", "role_id", name=op.f("pk_aid_user_roles")),
    )
    with op.batch_alter_table("aid_user_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_user_roles_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("aid_user_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_user_roles_user_id"))

    op.drop_table("aid_user_roles")
    with op.batch_alter_table("aid_group_owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_group_owners_user_id"))

    op.drop_table("aid_group_owners")
    with op.batch_alter_table("aid_group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_group_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_aid_group_members_member_group_id"))
        batch_op.drop_index(batch_op.f("ix_aid_group_members_group_id"))

    op.drop_table("aid_group_members")
    with op.batch_alter_table("aid_personal_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_personal_access_tokens_user_id"))

    op.drop_table("aid_personal_access_tokens")
    with op.batch_alter_table("aid_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_groups_account_id"))

    op.drop_table("aid_groups")
    op.drop_table("aid_global_roles")
    op.drop_table("aid_authorization_codes")
    with op.batch_alter_table("aid_account_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_account_users_user_id"))

    op.drop_table("aid_account_users")
    op.drop_table("aid_users")
    op.drop_table("aid_roles")
    op.drop_table("aid_resources")
    with op.batch_alter_table("aid_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_outbox_to_email"))

    op.drop_table("aid_outbox")
    op.drop_table("aid_apps")
    with op.batch_alter_table("aid_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_activities_user_id"))
        batch_op.drop_index(batch_op.f("ix_aid_activities_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_aid_activities_action"))
        batch_op.drop_index("ix_aid_activities_account_time")

    op.drop_table("aid_activities")
    with op.batch_alter_table("aid_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_accounts_name"))

    op.drop_table("aid_accounts")
