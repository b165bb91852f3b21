"""primedocs Admin API tables and the token service's clients

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pd_datasources",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pd_datasources")),
    )
    op.create_table(
        "pd_organization_units",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("datasource_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.ForeignKeyConstraint(
            ["datasource_id"],
            ["pd_datasources.id"],
            name=op.f("fk_pd_organization_units_datasource_id_pd_datasources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pd_organization_units")),
    )
    op.create_index(
        op.f("ix_pd_organization_units_datasource_id"), "pd_organization_units", ["datasource_id"]
    )
    op.create_table(
        "pd_users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("datasource_id", sa.String(64), nullable=False),
        sa.Column("primary_sid", sa.String(184), nullable=True),
        sa.Column("title", sa.String(255), nullable=True),
        sa.ForeignKeyConstraint(
            ["datasource_id"],
            ["pd_datasources.id"],
            name=op.f("fk_pd_users_datasource_id_pd_datasources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pd_users")),
        sa.UniqueConstraint(
            "datasource_id", "primary_sid", name=op.f("uq_pd_users_datasource_id_primary_sid")
        ),
    )
    op.create_index(op.f("ix_pd_users_datasource_id"), "pd_users", ["datasource_id"])
    op.create_table(
        "pd_profiles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("organization_unit_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(255), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_unit_id"],
            ["pd_organization_units.id"],
            name=op.f("fk_pd_profiles_organization_unit_id_pd_organization_units"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["pd_users.id"],
            name=op.f("fk_pd_profiles_user_id_pd_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pd_profiles")),
    )
    op.create_index(op.f("ix_pd_profiles_user_id"), "pd_profiles", ["user_id"])
    op.create_table(
        "pd_profile_shares",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("profile_permission_level", sa.Integer(), nullable=False),
        sa.Column("signature_permission_level", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "profile_permission_level BETWEEN 0 AND 3",
            name=op.f("ck_pd_profile_shares_profile_permission_level"),
        ),
        sa.CheckConstraint(
            "signature_permission_level BETWEEN 0 AND 2",
            name=op.f("ck_pd_profile_shares_signature_permission_level"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["pd_users.id"],
            name=op.f("fk_pd_profile_shares_account_id_pd_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["pd_profiles.id"],
            name=op.f("fk_pd_profile_shares_profile_id_pd_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pd_profile_shares")),
        sa.UniqueConstraint(
            "profile_id", "account_id", name=op.f("uq_pd_profile_shares_profile_id_account_id")
        ),
    )
    op.create_index(op.f("ix_pd_profile_shares_profile_id"), "pd_profile_shares", ["profile_id"])
    op.create_index(op.f("ix_pd_profile_shares_account_id"), "pd_profile_shares", ["account_id"])
    op.create_table(
        "pd_directory_entries",
        sa.Column("datasource_id", sa.String(64), nullable=False),
        sa.Column("sid", sa.String(184), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("organization_unit_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["datasource_id"],
            ["pd_datasources.id"],
            name=op.f("fk_pd_directory_entries_datasource_id_pd_datasources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_unit_id"],
            ["pd_organization_units.id"],
            name=op.f("fk_pd_directory_entries_organization_unit_id_pd_organization_units"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("datasource_id", "sid", name=op.f("pk_pd_directory_entries")),
    )
    op.create_table(
        "ids_api_scopes",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("audience", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ids_api_scopes")),
    )
    op.create_table(
        "ids_clients",
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_ids_clients")),
    )
    op.create_table(
        "ids_client_scopes",
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["ids_clients.client_id"],
            name=op.f("fk_ids_client_scopes_client_id_ids_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scope"],
            ["ids_api_scopes.name"],
            name=op.f("fk_ids_client_scopes_scope_ids_api_scopes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", "scope", name=op.f("pk_ids_client_scopes")),
    )


def downgrade() -> None:
    for table in (
        "ids_client_scopes",
        "ids_clients",
        "ids_api_scopes",
        "pd_directory_entries",
        "pd_profile_shares",
        "pd_profiles",
        "pd_users",
        "pd_organization_units",
        "pd_datasources",
    ):
        op.drop_table(table)
