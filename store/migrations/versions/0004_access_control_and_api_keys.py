"""access control identities, access groups, memberships; api keys

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ac_identities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ac_identities")),
    )
    op.create_index(op.f("ix_ac_identities_name"), "ac_identities", ["name"])
    op.create_table(
        "ac_access_groups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ac_access_groups")),
    )
    op.create_index(op.f("ix_ac_access_groups_name"), "ac_access_groups", ["name"])
    op.create_table(
        "ac_memberships",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("identity_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["ac_access_groups.id"],
            name=op.f("fk_ac_memberships_group_id_ac_access_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["ac_identities.id"],
            name=op.f("fk_ac_memberships_identity_id_ac_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "identity_id", name=op.f("pk_ac_memberships")),
    )
    op.create_index(op.f("ix_ac_memberships_identity_id"), "ac_memberships", ["identity_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_api_keys_name")),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_index(op.f("ix_ac_memberships_identity_id"), table_name="ac_memberships")
    op.drop_table("ac_memberships")
    op.drop_index(op.f("ix_ac_access_groups_name"), table_name="ac_access_groups")
    op.drop_table("ac_access_groups")
    op.drop_index(op.f("ix_ac_identities_name"), table_name="ac_identities")
    op.drop_table("ac_identities")
