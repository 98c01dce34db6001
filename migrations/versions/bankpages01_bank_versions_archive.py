"""bank versions and archiving

`banks.version` (the version of its items; a change to the items after the
first attempt makes the next one), `banks.archived`, `problems.bank_version`
(the version a problem was issued from; 1 for the problems already issued), and
`bank_versions`, the items of each earlier version. The unique constraint on a
student's variants of a bank gains the version.

Revision ID: bankpages01
Revises: student01
Create Date: 2026-12-01
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "bankpages01"
down_revision: str | Sequence[str] | None = "student01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in quizsvc.store.types: JSONB on PostgreSQL, JSON text elsewhere; aware timestamps.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                      server_default="1"))
        batch_op.add_column(sa.Column("archived", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bank_version", sa.Integer(), nullable=True))
    op.execute("UPDATE problems SET bank_version = 1 WHERE bank_id IS NOT NULL")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_constraint("uq_problems_bank_variant", type_="unique")
        batch_op.create_unique_constraint(
            "uq_problems_bank_variant",
            ["bank_id", "owner_id", "bank_version", "item_index", "variant"])
    op.create_table(
        "bank_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("items", JSON, nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"],
                                name=op.f("fk_bank_versions_bank_id_banks"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_versions")),
        sa.UniqueConstraint("bank_id", "version", name="uq_bank_versions_version"),
    )


def downgrade() -> None:
    op.drop_table("bank_versions")
    # Problems of later versions cannot fit the old constraint: only version 1 stays.
    op.execute("DELETE FROM problems WHERE bank_version IS NOT NULL AND bank_version <> 1")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_constraint("uq_problems_bank_variant", type_="unique")
        batch_op.create_unique_constraint("uq_problems_bank_variant",
                                          ["bank_id", "owner_id", "item_index", "variant"])
        batch_op.drop_column("bank_version")
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.drop_column("archived")
        batch_op.drop_column("version")
