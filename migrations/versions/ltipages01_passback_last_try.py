"""LTI passbacks: when each was last tried

`lti_grade_outbox.last_try_at`: set when a worker claims the row to send it, so
that the course's passback page can say when a failed or retried score was last
tried (sent rows keep `sent_at`).

Revision ID: ltipages01
Revises: bankpages01
Create Date: 2026-12-01
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ltipages01"
down_revision: str | Sequence[str] | None = "bankpages01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lti_grade_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_try_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lti_grade_outbox", schema=None) as batch_op:
        batch_op.drop_column("last_try_at")
