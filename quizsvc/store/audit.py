"""The audit log: one row per instructor action (bank changes, exports, grade passbacks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from quizsvc.store.base import Base
from quizsvc.store.models import User
from quizsvc.store.types import JSONType, UTCDateTime, utcnow


class AuditEvent(Base):
    """Who did what to which thing, and when; written in the same transaction as the change.

    `actor_id` is None for the system (the grade passback worker, the CLI).
    Rows are only ever inserted.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    address: Mapped[str | None] = mapped_column(String(64))  # the client's, for API actions
    # The course the action is about, if any: its staff read the row (GET /api/v1/audit).
    course_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_audit_log_target", "target_type", "target_id"),
        Index("ix_audit_log_actor_id_id", "actor_id", "id"),
        Index("ix_audit_log_action_id", "action", "id"),
        Index("ix_audit_log_course_id_id", "course_id", "id"),
    )


def log(session: Session, actor: User | None, action: str, target_type: str,
        target_id: int | None, details: dict[str, Any] | None = None, *,
        course_id: int | None = None) -> AuditEvent:
    """Add an audit row for what `actor` (None: the system) does in this transaction.

    For the services, which know no request: `quizsvc.audit` adds the client's
    address to rows flushed during a request.
    """
    row = AuditEvent(at=utcnow(), actor_id=actor.id if actor else None,
                     actor_role=actor.role if actor else None, action=action,
                     target_type=target_type, target_id=target_id, details=details or {},
                     course_id=course_id)
    session.add(row)
    return row
