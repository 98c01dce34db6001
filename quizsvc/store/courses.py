"""Courses and enrolments: who teaches, assists in and takes which course.

A course's staff are its instructors and TAs; every bank belongs to one
course. An LTI context (platform + context id) maps to at most one course.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizsvc.store.base import Base
from quizsvc.store.models import User
from quizsvc.store.types import UTCDateTime, utcnow

COURSE_ROLES = ("student", "ta", "instructor")
STAFF_ROLES = ("ta", "instructor")


class Course(Base):
    """A course in a term; students join it with its join code (None: joining is off)."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    term: Mapped[str] = mapped_column(String(100), default="")
    code: Mapped[str | None] = mapped_column(String(50))  # e.g. "CS 231N", optional
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    join_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The LMS context this course is, when it was made by (or bound to) an LTI launch.
    lti_platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="SET NULL"))
    lti_context_id: Mapped[str | None] = mapped_column(String(255))

    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="course",
                                                         cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("lti_platform_id", "lti_context_id",
                                       name="uq_courses_lti_context"),)

    def __repr__(self) -> str:
        return f"<Course {self.id} {self.title!r} {self.term!r}>"


class Enrollment(Base):
    """One user's role in one course."""

    __tablename__ = "enrollments"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default="student")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="enrollments")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        CheckConstraint("role IN ('student', 'ta', 'instructor')", name="role"),
        UniqueConstraint("course_id", "user_id", name="uq_enrollments_course_user"),
        Index("ix_enrollments_user_id_course_id", "user_id", "course_id"),
    )
