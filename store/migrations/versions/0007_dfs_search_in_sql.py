"""dfs: identity search in SQL: case-folded member names with indexes in the search orders,
and a search version per tenant under which search counts are remembered

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FOLDED = ("first_name", "last_name", "email")
INDEXES = {
    "ix_dfs_members_by_last_name": ["tenant_id", "last_name_folded", "first_name_folded"],
    "ix_dfs_members_by_first_name": ["tenant_id", "first_name_folded"],
    "ix_dfs_members_by_email": ["tenant_id", "email_folded"],
}


def upgrade() -> None:
    with op.batch_alter_table("dfs_members") as batch:
        for name in FOLDED:
            batch.add_column(sa.Column(f"{name}_folded", sa.Text(), nullable=True))
    with op.batch_alter_table("dfs_tenants") as batch:
        batch.add_column(sa.Column("search_version", sa.String(32), nullable=True))
    _fill()
    with op.batch_alter_table("dfs_members") as batch:
        for name in FOLDED:
            batch.alter_column(f"{name}_folded", existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table("dfs_tenants") as batch:
        batch.alter_column("search_version", existing_type=sa.String(32), nullable=False)
    for index, columns in INDEXES.items():
        op.create_index(index, "dfs_members", columns)


def _fill() -> None:
    # Folded by Python's casefold, as the models fold them: SQL's lower() differs per database.
    connection = op.get_bind()
    members = sa.table(
        "dfs_members",
        sa.column("id", sa.Integer),
        *(sa.column(name, sa.Text) for name in FOLDED),
        *(sa.column(f"{name}_folded", sa.Text) for name in FOLDED),
    )
    rows = connection.execute(sa.select(members.c.id, *(members.c[n] for n in FOLDED))).all()
    if rows:
        connection.execute(
            members.update()
            .where(members.c.id == sa.bindparam("member_id"))
            .values({f"{n}_folded": sa.bindparam(f"new_{n}") for n in FOLDED}),
            [
                {
                    "member_id": row.id,
                    **{f"new_{n}": (row[i + 1] or "").casefold() for i, n in enumerate(FOLDED)},
                }
                for row in rows
            ],
        )
    tenants = sa.table("dfs_tenants", sa.column("id", sa.Integer), sa.column("search_version"))
    for (tenant_id,) in connection.execute(sa.select(tenants.c.id)).all():
        connection.execute(
            tenants.update()
            .where(tenants.c.id == tenant_id)
            .values(search_version=uuid.uuid4().hex)
        )


def downgrade() -> None:
    for index in INDEXES:
        op.drop_index(index, "dfs_members")
    with op.batch_alter_table("dfs_tenants") as batch:
        batch.drop_column("search_version")
    with op.batch_alter_table("dfs_members") as batch:
        for name in FOLDED:
            batch.drop_column(f"{name}_folded")
