"""users, tokens, problems, attempts, banks

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in quizsvc.store.types: JSONB on PostgreSQL, JSON text elsewhere; aware timestamps.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
SHOW_KEY = ("show_key IN ('never', 'after_correct', 'after_last_attempt', "
            "'after_correct_or_last_attempt', 'always')")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("sis_user_id", sa.String(length=100), nullable=True),
        sa.Column("lti_issuer", sa.String(length=500), nullable=True),
        sa.Column("lti_subject", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("role IN ('student', 'instructor', 'admin')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_users_created_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("lti_issuer", "lti_subject", name="uq_users_lti_identity"),
    )
    op.create_index("ix_users_role_id", "users", ["role", "id"])
    op.create_index(op.f("ix_users_sis_user_id"), "users", ["sis_user_id"])

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=True),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])

    op.create_table(
        "banks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("show_key", sa.String(length=32), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(SHOW_KEY, name=op.f("ck_banks_show_key")),
        sa.CheckConstraint("max_attempts IS NULL OR max_attempts >= 1",
                           name=op.f("ck_banks_max_attempts")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_banks_owner_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_banks")),
    )
    op.create_index("ix_banks_owner_id_id", "banks", ["owner_id", "id"])

    op.create_table(
        "bank_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("family", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("seeds", JSON, nullable=True),
        sa.CheckConstraint("count >= 1", name=op.f("ck_bank_items_count")),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], name=op.f("fk_bank_items_bank_id_banks"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_items")),
        sa.UniqueConstraint("bank_id", "position", name="uq_bank_items_position"),
    )

    op.create_table(
        "bank_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"],
                                name=op.f("fk_bank_assignments_bank_id_banks"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_bank_assignments_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_assignments")),
        sa.UniqueConstraint("bank_id", "user_id", name="uq_bank_assignments_student"),
    )
    op.create_index(op.f("ix_bank_assignments_user_id"), "bank_assignments", ["user_id"])

    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("family", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("key", JSON, nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=True),
        sa.Column("item_index", sa.Integer(), nullable=True),
        sa.Column("variant", sa.Integer(), nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("show_key", sa.String(length=32), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("solved_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(SHOW_KEY, name=op.f("ck_problems_show_key")),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], name=op.f("fk_problems_bank_id_banks"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_problems_owner_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
        sa.UniqueConstraint("bank_id", "owner_id", "item_index", "variant",
                            name="uq_problems_bank_variant"),
    )
    op.create_index("ix_problems_owner_id_id", "problems", ["owner_id", "id"])

    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("raw_answer", JSON, nullable=False),
        sa.Column("parsed_answer", JSON, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("misconception", sa.String(length=64), nullable=True),
        sa.Column("alternatives", JSON, nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["problem_id"], ["problems.id"],
                                name=op.f("fk_attempts_problem_id_problems"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_attempts_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
        sa.UniqueConstraint("problem_id", "seq", name="uq_attempts_problem_seq"),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_attempts_idempotency"),
    )
    op.create_index("ix_attempts_user_id_id", "attempts", ["user_id", "id"])


def downgrade() -> None:
    # Dropping a table drops its indexes too.
    for table in ("attempts", "problems", "bank_assignments", "bank_items", "banks", "api_tokens",
                  "users"):
        op.drop_table(table)
