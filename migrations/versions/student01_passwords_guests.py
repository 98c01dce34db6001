"""browser accounts: password hashes and guest expiry

`users.password_hash` (argon2, None for token-only accounts) and
`users.guest_expires_at` (set only for guests, who practise without an account).

Revision ID: student01
Revises: courses01
Create Date: 2026-12-01
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "student01"
down_revision: str | Sequence[str] | None = "courses01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("guest_expires_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index("ix_users_guest_expires_at", ["guest_expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_guest_expires_at")
        batch_op.drop_column("guest_expires_at")
        batch_op.drop_column("password_hash")
