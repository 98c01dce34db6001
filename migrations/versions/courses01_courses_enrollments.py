"""courses and enrolments; banks belong to a course; account claims

Moves existing data: each instructor (and anyone owning a bank) gets a default
course holding their banks, with the students those banks were assigned to or
that they created enrolled in it. Accounts someone else created are unclaimed
and their tokens are marked as issued by that creator; LTI links follow their
bank into its course, and a context whose links all lead to one course becomes
that course's LTI context (its launchers enrolled).

Revision ID: courses01
Revises: lti02
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "courses01"
down_revision: str | Sequence[str] | None = "lti02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as quizsvc.services.courses

# Just the columns the data migration touches.
_users = sa.table("users", sa.column("id", sa.Integer), sa.column("role", sa.String),
                  sa.column("name", sa.String), sa.column("email", sa.String),
                  sa.column("created_by_id", sa.Integer), sa.column("created_at", TIMESTAMP),
                  sa.column("claimed_at", TIMESTAMP))
_tokens = sa.table("api_tokens", sa.column("id", sa.Integer), sa.column("user_id", sa.Integer),
                   sa.column("issued_by_id", sa.Integer))
_banks = sa.table("banks", sa.column("id", sa.Integer), sa.column("owner_id", sa.Integer),
                  sa.column("course_id", sa.Integer))
_assignments = sa.table("bank_assignments", sa.column("bank_id", sa.Integer),
                        sa.column("user_id", sa.Integer))
_courses = sa.table("courses", sa.column("id", sa.Integer), sa.column("title", sa.String),
                    sa.column("term", sa.String), sa.column("code", sa.String),
                    sa.column("archived", sa.Boolean), sa.column("join_code", sa.String),
                    sa.column("created_by_id", sa.Integer), sa.column("created_at", TIMESTAMP),
                    sa.column("lti_platform_id", sa.Integer),
                    sa.column("lti_context_id", sa.String))
_enrollments = sa.table("enrollments", sa.column("course_id", sa.Integer),
                        sa.column("user_id", sa.Integer), sa.column("role", sa.String),
                        sa.column("added_by_id", sa.Integer), sa.column("created_at", TIMESTAMP))
_links = sa.table("lti_resource_links", sa.column("id", sa.Integer),
                  sa.column("platform_id", sa.Integer), sa.column("context_id", sa.String),
                  sa.column("bank_id", sa.Integer), sa.column("course_id", sa.Integer))
_link_users = sa.table("lti_link_users", sa.column("link_id", sa.Integer),
                       sa.column("user_id", sa.Integer), sa.column("role", sa.String))
_audit = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("target_type", sa.String),
                  sa.column("target_id", sa.Integer), sa.column("course_id", sa.Integer))


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("term", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("join_code", sa.String(length=32), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("lti_platform_id", sa.Integer(), nullable=True),
        sa.Column("lti_context_id", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_courses_created_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["lti_platform_id"], ["lti_platforms.id"],
                                name=op.f("fk_courses_lti_platform_id_lti_platforms"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
        sa.UniqueConstraint("join_code", name=op.f("uq_courses_join_code")),
        sa.UniqueConstraint("lti_platform_id", "lti_context_id", name="uq_courses_lti_context"),
    )
    op.create_table(
        "enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("role IN ('student', 'ta', 'instructor')",
                           name=op.f("ck_enrollments_role")),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"],
                                name=op.f("fk_enrollments_course_id_courses"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_enrollments_user_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["added_by_id"], ["users.id"],
                                name=op.f("fk_enrollments_added_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint("course_id", "user_id", name="uq_enrollments_course_user"),
    )
    op.create_index("ix_enrollments_user_id_course_id", "enrollments", ["user_id", "course_id"])

    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("claimed_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("claim_code_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("claim_code_expires_at", TIMESTAMP, nullable=True))
        batch.create_index("ix_users_claim_code_hash", ["claim_code_hash"], unique=True)
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("issued_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_api_tokens_issued_by_id_users"), "users",
                                 ["issued_by_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("banks") as batch:
        batch.add_column(sa.Column("course_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("whole_course", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("lti_resource_links") as batch:
        batch.add_column(sa.Column("course_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_lti_resource_links_course_id_courses"), "courses",
                                 ["course_id"], ["id"], ondelete="SET NULL")
        batch.create_index(op.f("ix_lti_resource_links_course_id"), ["course_id"])
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("course_id", sa.Integer(), nullable=True))
        batch.create_index("ix_audit_log_course_id_id", ["course_id", "id"])

    _move_data(op.get_bind())

    with op.batch_alter_table("banks") as batch:
        batch.alter_column("course_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(op.f("fk_banks_course_id_courses"), "courses", ["course_id"],
                                 ["id"], ondelete="CASCADE")
        batch.create_index("ix_banks_course_id_id", ["course_id", "id"])


def _join_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(8))
        if code not in taken:
            taken.add(code)
            return code


def _move_data(conn: sa.Connection) -> None:
    now = datetime.now(timezone.utc)
    # Accounts nobody else made are their owners'; the others wait to be claimed.
    conn.execute(_users.update().where(_users.c.created_by_id.is_(None))
                 .values(claimed_at=_users.c.created_at))
    creators = conn.execute(sa.select(_users.c.id, _users.c.created_by_id)
                            .where(_users.c.created_by_id.is_not(None))).all()
    for user_id, creator in creators:
        conn.execute(_tokens.update().where(_tokens.c.user_id == user_id)
                     .values(issued_by_id=creator))

    teachers = conn.execute(
        sa.select(_users.c.id, _users.c.name, _users.c.email).where(sa.or_(
            _users.c.role == "instructor",
            _users.c.id.in_(sa.select(_banks.c.owner_id)))).order_by(_users.c.id)).all()
    taken: set[str] = set()
    for teacher_id, name, email in teachers:
        title = f"{(name or email or f'Instructor {teacher_id}').strip()[:180]}'s course"
        course_id = conn.execute(_courses.insert().values(
            title=title, term="", code=None, archived=False, join_code=_join_code(taken),
            created_by_id=teacher_id, created_at=now).returning(_courses.c.id)).scalar_one()
        conn.execute(_banks.update().where(_banks.c.owner_id == teacher_id)
                     .values(course_id=course_id))
        assigned = sa.select(_assignments.c.user_id).join(
            _banks, _banks.c.id == _assignments.c.bank_id).where(_banks.c.owner_id == teacher_id)
        created = sa.select(_users.c.id).where(_users.c.created_by_id == teacher_id,
                                               _users.c.role == "student")
        students = set(conn.execute(assigned).scalars()) | set(conn.execute(created).scalars())
        students.discard(teacher_id)
        rows = [{"course_id": course_id, "user_id": teacher_id, "role": "instructor",
                 "added_by_id": None, "created_at": now}]
        rows += [{"course_id": course_id, "user_id": s, "role": "student", "added_by_id": None,
                  "created_at": now} for s in sorted(students)]
        conn.execute(_enrollments.insert(), rows)

    # LTI: a link follows its bank; a context whose mapped links share one course is that course.
    conn.execute(_links.update().where(_links.c.bank_id.is_not(None)).values(
        course_id=sa.select(_banks.c.course_id).where(_banks.c.id == _links.c.bank_id)
        .scalar_subquery()))
    contexts = conn.execute(sa.select(_links.c.platform_id, _links.c.context_id,
                                      sa.func.min(_links.c.course_id),
                                      sa.func.max(_links.c.course_id))
                            .where(_links.c.context_id.is_not(None),
                                   _links.c.course_id.is_not(None))
                            .group_by(_links.c.platform_id, _links.c.context_id)).all()
    bound: set[int] = set()
    for platform_id, context_id, low, high in contexts:
        if low != high or low in bound:
            continue  # links of several courses in one context: the next launch makes its own
        bound.add(low)
        conn.execute(_courses.update().where(_courses.c.id == low)
                     .values(lti_platform_id=platform_id, lti_context_id=context_id))
        in_context = sa.and_(_links.c.platform_id == platform_id, _links.c.context_id == context_id)
        conn.execute(_links.update().where(in_context, _links.c.course_id.is_(None))
                     .values(course_id=low))
        enrolled = set(conn.execute(sa.select(_enrollments.c.user_id)
                                    .where(_enrollments.c.course_id == low)).scalars())
        launchers = conn.execute(sa.select(_link_users.c.user_id, sa.func.max(_link_users.c.role))
                                 .join(_links, _links.c.id == _link_users.c.link_id)
                                 .where(in_context).group_by(_link_users.c.user_id)).all()
        rows = [{"course_id": low, "user_id": uid,
                 "role": "instructor" if role == "instructor" else "student",
                 "added_by_id": None, "created_at": now}
                for uid, role in launchers if uid not in enrolled]
        if rows:
            conn.execute(_enrollments.insert(), rows)

    conn.execute(_audit.update().where(_audit.c.target_type == "bank").values(
        course_id=sa.select(_banks.c.course_id).where(_banks.c.id == _audit.c.target_id)
        .scalar_subquery()))


def downgrade() -> None:
    with op.batch_alter_table("banks") as batch:
        batch.drop_index("ix_banks_course_id_id")
        batch.drop_constraint(op.f("fk_banks_course_id_courses"), type_="foreignkey")
        batch.drop_column("whole_course")
        batch.drop_column("course_id")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("ix_audit_log_course_id_id")
        batch.drop_column("course_id")
    with op.batch_alter_table("lti_resource_links") as batch:
        batch.drop_index(op.f("ix_lti_resource_links_course_id"))
        batch.drop_constraint(op.f("fk_lti_resource_links_course_id_courses"), type_="foreignkey")
        batch.drop_column("course_id")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("fk_api_tokens_issued_by_id_users"), type_="foreignkey")
        batch.drop_column("issued_by_id")
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_claim_code_hash")
        batch.drop_column("claim_code_expires_at")
        batch.drop_column("claim_code_hash")
        batch.drop_column("claimed_at")
    op.drop_index("ix_enrollments_user_id_course_id", table_name="enrollments")
    op.drop_table("enrollments")
    op.drop_table("courses")
