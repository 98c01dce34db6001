"""LTI Dynamic Registration and deployments accepted on first launch

Registration approval tokens; platforms gain `auto_accept_deployments` and
`registered_by`; deployments gain `source`, `created_at` and `last_launch_at`.

Revision ID: lti02
Revises: audit01
Create Date: 2026-12-01
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "lti02"
down_revision: str | Sequence[str] | None = "audit01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lti_registration_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.Column("platform_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_lti_registration_tokens_created_by_id_users")),
        sa.ForeignKeyConstraint(["platform_id"], ["lti_platforms.id"], ondelete="SET NULL",
                                name=op.f("fk_lti_registration_tokens_platform_id_lti_platforms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_registration_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_lti_registration_tokens_token_hash")),
    )
    with op.batch_alter_table("lti_platforms") as batch:
        batch.add_column(sa.Column("auto_accept_deployments", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("registered_by", sa.String(length=16), nullable=False,
                                   server_default="manual"))
    with op.batch_alter_table("lti_deployments") as batch:
        batch.add_column(sa.Column("source", sa.String(length=16), nullable=False,
                                   server_default="admin"))
        batch.add_column(sa.Column("created_at", TIMESTAMP, nullable=False,
                                   server_default=sa.func.current_timestamp()))
        batch.add_column(sa.Column("last_launch_at", TIMESTAMP, nullable=True))
    # The server defaults only fill existing rows; the models set the values from now on.
    with op.batch_alter_table("lti_platforms") as batch:
        batch.alter_column("auto_accept_deployments", server_default=None)
        batch.alter_column("registered_by", server_default=None)
    with op.batch_alter_table("lti_deployments") as batch:
        batch.alter_column("source", server_default=None)
        batch.alter_column("created_at", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("lti_deployments") as batch:
        batch.drop_column("last_launch_at")
        batch.drop_column("created_at")
        batch.drop_column("source")
    with op.batch_alter_table("lti_platforms") as batch:
        batch.drop_column("registered_by")
        batch.drop_column("auto_accept_deployments")
    op.drop_table("lti_registration_tokens")
