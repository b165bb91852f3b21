"""b2c: an authorization code keeps a nonce as long as the spec allows (1000 characters)

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("aid_authorization_codes") as batch_op:
        batch_op.alter_column(
            "nonce", existing_type=sa.String(length=500), type_=sa.String(length=1000)
        )


def downgrade() -> None:
    with op.batch_alter_table("aid_authorization_codes") as batch_op:
        batch_op.alter_column(
            "nonce", existing_type=sa.String(length=1000), type_=sa.String(length=500)
        )
