"""What instructors and admins do with LTI links and passbacks: map, list, retry.

A course's staff see the links of their course (its LTI context, or the bank
it is mapped to) and their passbacks; its instructors map a link to one of the
course's banks. An admin sees everything; anyone else, nothing (404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from quizsvc.errors import NotFoundError, ParamError
from quizsvc.lti import outbox
from quizsvc.services import access
from quizsvc.services.errors import ConflictError, PermissionDenied
from quizsvc.store.lti import OUTBOX_STATUSES, LtiGradeOutbox, LtiResourceLink
from quizsvc.store.models import Bank, User

POLICIES = ("attempt", "completion")


def _visible_links(user: User) -> Select[tuple[int]]:
    """Return a query of the ids of the links `user` may see: those of courses they staff."""
    query = select(LtiResourceLink.id)
    if user.role == "admin":
        return query
    staffed = access.course_ids(user)
    return query.where(or_(LtiResourceLink.course_id.in_(staffed),
                           LtiResourceLink.bank_id.in_(select(Bank.id)
                                                       .where(Bank.course_id.in_(staffed)))))


def list_links(session: Session, user: User) -> list[LtiResourceLink]:
    return list(session.scalars(select(LtiResourceLink)
                                .where(LtiResourceLink.id.in_(_visible_links(user)))
                                .order_by(LtiResourceLink.id)))


def get_link(session: Session, user: User, link_id: int) -> LtiResourceLink:
    link = session.get(LtiResourceLink, link_id)
    if link is None:
        raise NotFoundError(f"no LTI link with id {link_id}")
    if session.scalar(_visible_links(user).where(LtiResourceLink.id == link_id)) is None:
        raise NotFoundError(f"no LTI link with id {link_id}")
    return link


def update_link(session: Session, user: User, link_id: int, *, bank_id: int | None = None,
                passback_policy: str | None = None) -> LtiResourceLink:
    """Map a link to one of your banks and/or set when its scores are sent."""
    link = get_link(session, user, link_id)
    course_id = link.course_id
    if course_id is None and link.bank_id is not None:
        course_id = session.scalar(select(Bank.course_id).where(Bank.id == link.bank_id))
    if course_id is not None and not access.teaches(session, user, course_id):
        raise PermissionDenied("only the instructors of the link's course can change it")
    if bank_id is not None:
        bank = session.get(Bank, bank_id)
        if bank is None or not access.staffs(session, user, bank.course_id):
            raise NotFoundError(f"no bank with id {bank_id}")
        if not access.teaches(session, user, bank.course_id):
            raise PermissionDenied("you may map links only to banks of courses you teach")
        if course_id is not None and bank.course_id != course_id:
            raise ParamError("a link's bank must belong to the link's course: copy the bank "
                             "into it first (POST /api/v1/banks/{id}/copy)",
                             errors={"bank_id": "another course"})
        link.bank_id = bank.id
        link.course_id = bank.course_id
    if passback_policy is not None:
        if passback_policy not in POLICIES:
            raise ParamError(f"passback_policy must be one of {', '.join(POLICIES)}",
                             errors={"passback_policy": "unknown policy"})
        link.passback_policy = passback_policy
    session.flush()
    return link


def list_passbacks(session: Session, user: User, *, status: str | None = None,
                   link_id: int | None = None, page: int = 1,
                   page_size: int = 50) -> tuple[list[LtiGradeOutbox], int]:
    """Return one page of outbox rows (newest first) that `user` may see, and their count."""
    where = [LtiGradeOutbox.link_id.in_(_visible_links(user))]
    if status is not None:
        if status not in OUTBOX_STATUSES:
            raise ParamError(f"status must be one of {', '.join(OUTBOX_STATUSES)}")
        where.append(LtiGradeOutbox.status == status)
    if link_id is not None:
        where.append(LtiGradeOutbox.link_id == link_id)
    total = session.scalar(select(func.count()).select_from(LtiGradeOutbox).where(*where)) or 0
    rows = session.scalars(select(LtiGradeOutbox).where(*where).order_by(LtiGradeOutbox.id.desc())
                           .limit(page_size).offset((page - 1) * page_size))
    return list(rows), total


def retry_passbacks(session: Session, user: User, ids: list[int] | None = None) -> list[int]:
    """Queue failed rows again (`ids`, or all you may see); return the ids requeued."""
    query = select(LtiGradeOutbox.id).where(LtiGradeOutbox.status == "failed",
                                            LtiGradeOutbox.link_id.in_(_visible_links(user)))
    if ids is not None:
        query = query.where(LtiGradeOutbox.id.in_(ids))
    found = list(session.scalars(query))
    if ids is not None and len(ids) == 1 and not found:
        row = session.get(LtiGradeOutbox, ids[0])
        if row is None:
            raise NotFoundError(f"no passback with id {ids[0]}")
        get_link(session, user, row.link_id)  # raises if not theirs
        raise ConflictError(f"passback {ids[0]} is {row.status}; only failed ones can be retried")
    if found:
        outbox.retry(session, found)
    return found


def _course_links(course_id: int) -> Select[tuple[int]]:
    """The ids of a course's links: those of its LTI context, or mapped to one of its banks."""
    return select(LtiResourceLink.id).where(or_(
        LtiResourceLink.course_id == course_id,
        LtiResourceLink.bank_id.in_(select(Bank.id).where(Bank.course_id == course_id))))


@dataclass(frozen=True)
class PassbackRow:
    """One passback as the course's staff read it."""

    id: int
    student: str
    link: str
    score_given: float
    score_maximum: float
    status: str
    attempts: int
    error: str | None
    last_try: str | None
    next_try: str | None


def _when(value: dt.datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def course_passbacks(session: Session, course_id: int,
                     limit: int = 200) -> tuple[list[PassbackRow], dict[str, int], int]:
    """Return a course's newest passbacks, the count per status and the total.

    The caller checks that the viewer staffs the course (quizsvc/services/access.py).
    """
    where = LtiGradeOutbox.link_id.in_(_course_links(course_id))
    counts = {status: n for status, n in session.execute(
        select(LtiGradeOutbox.status, func.count()).where(where)
        .group_by(LtiGradeOutbox.status))}
    rows = session.execute(
        select(LtiGradeOutbox, User, LtiResourceLink)
        .join(User, User.id == LtiGradeOutbox.user_id)
        .join(LtiResourceLink, LtiResourceLink.id == LtiGradeOutbox.link_id)
        .where(where).order_by(LtiGradeOutbox.id.desc()).limit(limit)).all()
    out = []
    for row, user, link in rows:
        tried = row.attempts > 0
        out.append(PassbackRow(
            id=row.id, student=user.name or user.email or f"user {user.id}",
            link=link.title or f"link {link.id}", score_given=row.score_given,
            score_maximum=row.score_maximum, status=row.status, attempts=row.attempts,
            error=row.last_error,
            last_try=_when(row.sent_at if row.status == "sent" else
                           (row.last_try_at if tried else None)),
            next_try=_when(row.next_try_at) if row.status == "pending" else None))
    ordered = {s: counts[s] for s in OUTBOX_STATUSES if counts.get(s)}
    return out, ordered, sum(counts.values())


def retry_course_passbacks(session: Session, course_id: int,
                           ids: list[int] | None = None) -> list[int]:
    """Queue a course's failed passbacks again (`ids`, or all); return the ids requeued."""
    query = select(LtiGradeOutbox.id).where(LtiGradeOutbox.status == "failed",
                                            LtiGradeOutbox.link_id.in_(_course_links(course_id)))
    if ids is not None:
        query = query.where(LtiGradeOutbox.id.in_(ids))
    found = list(session.scalars(query))
    if found:
        outbox.retry(session, found)
    return found
