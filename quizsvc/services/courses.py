"""Courses: create and change them, join codes, and who is enrolled with which role.

Enrolling a student in a course assigns them every bank of it given to the
whole course. Enrolling an account in a course also ends the credentials that
someone who does not staff that course issued for it (see `services/claims.py`):
staff of one course must never hold a credential that acts in another.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizsvc.errors import NotFoundError, ParamError
from quizsvc.services import access
from quizsvc.services.errors import ConflictError, PermissionDenied
from quizsvc.store.audit import log
from quizsvc.store.courses import COURSE_ROLES, STAFF_ROLES, Course, Enrollment
from quizsvc.store.models import Bank, BankAssignment, User

JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
JOIN_LENGTH = 8  # 32^8 = 10^12 codes; with rate limits, not guessable
CREATORS = ("instructor", "admin")  # global roles that may create courses


def new_join_code(session: Session) -> str:
    """Return a join code no course has."""
    while True:
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))
        if session.scalar(select(Course.id).where(Course.join_code == code)) is None:
            return code


def normalise_join_code(code: str) -> str:
    """Upper case, without spaces or dashes: `k7qh-2mxp` is `K7QH2MXP`."""
    return "".join(c for c in (code or "").upper() if c.isalnum())


def _clean(title: str | None, field: str, limit: int, *, required: bool = False) -> str:
    text = (title or "").strip()
    if required and not text:
        raise ParamError(f"a course needs a {field}", errors={field: "empty"})
    return text[:limit]


def create_course(session: Session, actor: User, title: str, term: str = "",
                  code: str | None = None, *, join_code: bool = True) -> Course:
    """Create a course taught by `actor` (an instructor or admin), with a join code."""
    if actor.role not in CREATORS:
        raise PermissionDenied("only instructors can create courses")
    course = Course(title=_clean(title, "title", 200, required=True), term=_clean(term, "term", 100),
                    code=_clean(code, "code", 50) or None, created_by_id=actor.id,
                    join_code=new_join_code(session) if join_code else None)
    session.add(course)
    session.flush()
    session.add(Enrollment(course_id=course.id, user_id=actor.id, role="instructor",
                           added_by_id=actor.id))
    log(session, actor, "course.create", "course", course.id, {"title": course.title},
        course_id=course.id)
    session.flush()
    return course


def default_course(session: Session, actor: User) -> Course:
    """Return the course meant when none is named: the one course `actor` teaches.

    An instructor or admin teaching no course gets one made for them (as the
    migration did for every instructor); teaching several, they must choose.
    """
    taught = list(session.scalars(
        select(Course).where(Course.id.in_(access.course_ids(actor, ("instructor",))),
                             Course.archived.is_(False)).order_by(Course.id).limit(2)))
    if len(taught) == 1:
        return taught[0]
    if taught:
        raise ParamError("you teach several courses: say which with `course_id`",
                         errors={"course_id": "required"})
    if actor.role not in CREATORS:
        raise PermissionDenied("you teach no course (only instructors create courses)")
    return create_course(session, actor, f"{actor.name or actor.email or 'My'}'s course"[:200])


def update_course(session: Session, actor: User, course: Course, **changes: object) -> Course:
    """Change title, term, code or archived (the course's instructors and admins)."""
    if not access.teaches(session, actor, course):
        raise PermissionDenied("only the course's instructors can change it")
    done = {}
    for name in ("title", "term", "code", "archived"):
        value = changes.get(name)
        if value is None:
            continue
        if name == "title":
            value = _clean(str(value), "title", 200, required=True)
        elif name in ("term", "code"):
            value = _clean(str(value), name, 100 if name == "term" else 50)
            value = value or (None if name == "code" else "")
        if getattr(course, name) != value:
            setattr(course, name, value)
            done[name] = value
    if done:
        log(session, actor, "course.update", "course", course.id, done, course_id=course.id)
    session.flush()
    return course


def set_join_code(session: Session, actor: User, course: Course, *, enabled: bool) -> str | None:
    """Rotate the course's join code (a new one), or disable joining (staff)."""
    if not access.staffs(session, actor, course):
        raise PermissionDenied("only the course's staff can change its join code")
    course.join_code = new_join_code(session) if enabled else None
    log(session, actor, "course.join_code", "course", course.id,
        {"enabled": enabled}, course_id=course.id)
    session.flush()
    return course.join_code


def join(session: Session, user: User, code: str) -> Enrollment:
    """Enrol `user` as a student of the course whose join code is `code`."""
    wanted = normalise_join_code(code)
    course = session.scalar(select(Course).where(Course.join_code == wanted)) if wanted else None
    if course is None:
        raise NotFoundError("no course has this join code: check it, or ask for a new one",
                            errors={"code": "unknown or disabled"})
    if course.archived:
        raise ConflictError("this course is archived: it takes no new students")
    existing = _enrollment(session, course.id, user.id)
    if existing is not None:
        return existing
    if user.claimed_at is None:
        # Whoever provisioned the account could otherwise join any course in the student's name.
        raise PermissionDenied("claim your account first (with the claim code your instructor "
                               "gave you), then join", errors={"account": "unclaimed"})
    return enroll(session, user, course, user, "student", joined=True).enrollment


@dataclass
class Enrolled:
    """The outcome of an enrolment: the row, and whether it is new or its role changed."""

    enrollment: Enrollment
    created: bool
    changed: bool = False


def _enrollment(session: Session, course_id: int, user_id: int) -> Enrollment | None:
    return session.scalar(select(Enrollment).where(Enrollment.course_id == course_id,
                                                   Enrollment.user_id == user_id))


def _check_can_enroll(session: Session, actor: User, course: Course, role: str,
                      old: str | None) -> None:
    if role not in COURSE_ROLES:
        raise ParamError(f"role must be one of {', '.join(COURSE_ROLES)}",
                         errors={"role": "unknown role"})
    if role in STAFF_ROLES or old in STAFF_ROLES:
        if not access.teaches(session, actor, course):
            raise PermissionDenied("only the course's instructors can change its staff")
    elif not access.staffs(session, actor, course):
        raise PermissionDenied("only the course's staff can enrol students")


def enroll(session: Session, actor: User, course: Course, user: User, role: str = "student",
           *, joined: bool = False, trusted: bool = False) -> Enrolled:
    """Enrol `user` with `role` (or change their role).

    `joined`: they used the join code; `trusted`: an LTI launch, where the LMS
    says who is in its course with which role. Otherwise `actor` must be staff.
    """
    existing = _enrollment(session, course.id, user.id)
    if not (joined or trusted):
        _check_can_enroll(session, actor, course, role, existing.role if existing else None)
    if course.archived and existing is None and not trusted:
        raise ConflictError("this course is archived: it takes no new members")
    if existing is not None:
        if existing.role == role:
            return Enrolled(existing, created=False)
        if existing.role == "instructor" and _last_instructor(session, course):
            raise ConflictError("this is the course's last instructor: add another first")
        old, existing.role = existing.role, role
        log(session, actor, "enrollment.role", "user", user.id,
            {"from": old, "to": role}, course_id=course.id)
        session.flush()
        return Enrolled(existing, created=False, changed=True)
    from quizsvc.services.claims import end_foreign_credentials

    end_foreign_credentials(session, actor, user, course)
    row = Enrollment(course_id=course.id, user_id=user.id, role=role, added_by_id=actor.id)
    session.add(row)
    if role == "student":
        whole = session.scalars(select(Bank.id).where(Bank.course_id == course.id,
                                                      Bank.whole_course.is_(True)))
        for bank_id in whole:
            if session.scalar(select(BankAssignment.id).where(
                    BankAssignment.bank_id == bank_id, BankAssignment.user_id == user.id)) is None:
                # Only the assignment: the student's variants are issued when they open the bank.
                session.add(BankAssignment(bank_id=bank_id, user_id=user.id))
    action = "course.join" if joined else "lti.enroll" if trusted else "enrollment.add"
    log(session, actor, action, "user", user.id, {"role": role}, course_id=course.id)
    session.flush()
    return Enrolled(row, created=True)


def _last_instructor(session: Session, course: Course) -> bool:
    return (session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.role == "instructor")) or 0) <= 1


def unenroll(session: Session, actor: User, course: Course, user_id: int) -> None:
    """Remove someone from the course (staff remove students; instructors remove staff)."""
    row = _enrollment(session, course.id, user_id)
    if row is None:
        raise NotFoundError(f"user {user_id} is not enrolled in this course")
    if row.role in STAFF_ROLES:
        if not access.teaches(session, actor, course):
            raise PermissionDenied("only the course's instructors can change its staff")
        if row.role == "instructor" and _last_instructor(session, course):
            raise ConflictError("this is the course's last instructor: add another first")
    elif not access.staffs(session, actor, course):
        raise PermissionDenied("only the course's staff can remove students")
    session.delete(row)
    log(session, actor, "enrollment.remove", "user", user_id, {"role": row.role},
        course_id=course.id)
    session.flush()


def list_enrollments(session: Session, course: Course, *, role: str | None = None,
                     page: int = 1, page_size: int = 50) -> tuple[list[Enrollment], int]:
    """Return one page of the course's enrolments (by user id) and their count."""
    where = [Enrollment.course_id == course.id]
    if role:
        where.append(Enrollment.role == role)
    total = session.scalar(select(func.count()).select_from(Enrollment).where(*where)) or 0
    rows = session.scalars(select(Enrollment).where(*where).order_by(Enrollment.user_id)
                           .limit(page_size).offset((page - 1) * page_size))
    return list(rows), total


def student_ids(session: Session, course: Course) -> list[int]:
    return list(session.scalars(select(Enrollment.user_id).where(
        Enrollment.course_id == course.id, Enrollment.role == "student")
        .order_by(Enrollment.user_id)))


def list_courses(session: Session, actor: User, *, archived: bool | None = None,
                 page: int = 1, page_size: int = 50) -> tuple[list[Course], int]:
    """Return one page of the courses `actor` is in (every course for an admin)."""
    query = access.visible_courses(actor)
    if archived is not None:
        query = query.where(Course.archived.is_(archived))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Course.id).limit(page_size)
                           .offset((page - 1) * page_size))
    return list(rows), total


def summary(session: Session, viewer: User, course: Course) -> dict[str, object]:
    """Return a course as `viewer` sees it (the join code for its staff only)."""
    role = access.course_role(session, viewer, course.id)
    staff = access.is_admin(viewer) or role in STAFF_ROLES
    counts = dict(session.execute(select(Enrollment.role, func.count())
                                  .where(Enrollment.course_id == course.id)
                                  .group_by(Enrollment.role)).all())
    out: dict[str, object] = {
        "id": course.id, "title": course.title, "term": course.term, "code": course.code,
        "archived": course.archived, "created_at": course.created_at, "your_role": role,
        "students": counts.get("student", 0), "tas": counts.get("ta", 0),
        "instructors": counts.get("instructor", 0),
        "lti": course.lti_context_id is not None,
    }
    if staff:
        out["join_code"] = course.join_code
    return out
