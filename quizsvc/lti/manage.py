"""What instructors and admins do with LTI links and passbacks: map, list, retry.

A course's staff see the links of their course (its LTI context, or the bank
it is mapped to) and their passbacks; its instructors map a link to one of the
course's banks. An admin sees everything; anyone else, nothing (404).
"""

from __future__ import annotations

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
