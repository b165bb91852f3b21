"""member runs: a heartbeat, so that a run whose runner is gone can be told apart

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dfs_member_operations") as batch:
        batch.add_column(sa.Column("heartbeat_date", sa.DateTime(timezone=True), nullable=True))
    # A run's last known sign of life: its end, else its start, else its creation.
    op.execute(
        "UPDATE dfs_member_operations "
        "SET heartbeat_date = COALESCE(completed_date, started_date, created_date)"
    )
    with op.batch_alter_table("dfs_member_operations") as batch:
        batch.alter_column(
            "heartbeat_date", existing_type=sa.DateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("dfs_member_operations") as batch:
        batch.drop_column("heartbeat_date")
