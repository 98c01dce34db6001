"""Who may see and do what, course by course.

The rules, in one place:

- an admin sees and may do everything;
- a course's staff are its instructors and TAs. Staff see the course, its
  roster, its banks (keys included), its students' bank problems, attempts,
  results and analytics, and may enrol and remove students. Only its
  instructors change the course, its staff and its banks;
- a student sees their own account, problems and attempts, and the banks of
  their courses assigned to them. Practice problems outside any bank are their
  owner's alone;
- anything outside what a user may see does not exist for them: it is a 404,
  never a 403 that would confirm it exists. A 403 is for something they can see
  but may not do (a TA changing the course's staff).

No Flask here: views, pages and the CLI call these with a session and a user.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from quizsvc.errors import NotFoundError
from quizsvc.services.errors import PermissionDenied
from quizsvc.store.courses import STAFF_ROLES, Course, Enrollment
from quizsvc.store.models import Bank, Problem, User

INSTRUCTOR_ONLY = ("instructor",)


def is_admin(user: User) -> bool:
    return user.role == "admin"


def course_role(session: Session, user: User, course_id: int) -> str | None:
    """Return `user`'s role in the course, or None if they are not enrolled."""
    return session.scalar(select(Enrollment.role).where(Enrollment.course_id == course_id,
                                                        Enrollment.user_id == user.id))


def staffs(session: Session, actor: User, course: Course | int,
           roles: Iterable[str] = STAFF_ROLES) -> bool:
    """Is `actor` an admin, or enrolled in the course with one of `roles` (staff by default)?"""
    if is_admin(actor):
        return True
    course_id = course if isinstance(course, int) else course.id
    return course_role(session, actor, course_id) in tuple(roles)


def teaches(session: Session, actor: User, course: Course | int) -> bool:
    """Is `actor` an admin or an instructor of the course?"""
    return staffs(session, actor, course, INSTRUCTOR_ONLY)


def course_ids(actor: User, roles: Iterable[str] = STAFF_ROLES) -> Select[tuple[int]]:
    """A query of the ids of the courses where `actor` has one of `roles`."""
    return select(Enrollment.course_id).where(Enrollment.user_id == actor.id,
                                              Enrollment.role.in_(tuple(roles)))


def visible_courses(actor: User) -> Select[tuple[Course]]:
    """A query of the courses `actor` may see: every course for an admin, else theirs."""
    query = select(Course)
    if not is_admin(actor):
        query = query.where(Course.id.in_(select(Enrollment.course_id)
                                          .where(Enrollment.user_id == actor.id)))
    return query


def get_course(session: Session, actor: User, course_id: int, *,
               need: str = "member") -> Course:
    """Return a course `actor` is in; `need` "staff" or "instructor" for what they do.

    404 when they are not in it at all; 403 when they are but lack the role.
    """
    course = session.get(Course, course_id)
    role = None if course is None else course_role(session, actor, course.id)
    if course is None or (role is None and not is_admin(actor)):
        raise NotFoundError(f"no course with id {course_id}")
    if is_admin(actor) or need == "member":
        return course
    if need == "staff" and role in STAFF_ROLES:
        return course
    if need == "instructor" and role == "instructor":
        return course
    wanted = "staff (an instructor or a TA)" if need == "staff" else "an instructor"
    raise PermissionDenied(f"this needs {wanted} of the course; you are its {role}")


def visible_user_ids(actor: User) -> Select[tuple[int]]:
    """A query of the ids of the users enrolled in a course `actor` staffs (and `actor`)."""
    return (select(Enrollment.user_id).where(Enrollment.course_id.in_(course_ids(actor)))
            .union(select(User.id).where(User.id == actor.id)))


def can_see_user(session: Session, actor: User, user: User) -> bool:
    """May `actor` see `user`'s account: themselves, an admin, or staff of a course of theirs?"""
    if actor.id == user.id or is_admin(actor):
        return True
    return bool(session.scalar(select(exists().where(
        Enrollment.user_id == user.id, Enrollment.course_id.in_(course_ids(actor))))))


def get_visible_user(session: Session, actor: User, user_id: int) -> User:
    """Return a user `actor` may see, else a 404 (whether or not the user exists)."""
    user = session.get(User, user_id)
    if user is None or not can_see_user(session, actor, user):
        raise NotFoundError(f"no user with id {user_id}")
    return user


def can_act_for(session: Session, actor: User, user: User) -> bool:
    """May `actor` obtain a credential for `user` (an API token or a claim code)?

    Yes for the user themselves and admins. Staff may only for an unclaimed
    student account whose every course they staff: once the student has claimed
    it, or is also in a course `actor` does not staff, nobody else can act as them.
    """
    if actor.id == user.id or is_admin(actor):
        return True
    if user.claimed_at is not None or user.role != "student":
        return False
    roles = session.execute(select(Enrollment.course_id, Enrollment.role)
                            .where(Enrollment.user_id == user.id)).all()
    if not roles or any(role in STAFF_ROLES for _, role in roles):
        return False
    staffed = set(session.scalars(course_ids(actor)))
    return all(course_id in staffed for course_id, _ in roles)


def bank_visible(session: Session, user: User, bank: Bank) -> str | None:
    """Return how `user` sees `bank`: "manage", "staff", "student", or None (not at all)."""
    if is_admin(user):
        return "manage"
    role = course_role(session, user, bank.course_id)
    if role == "instructor":
        return "manage"
    if role == "ta":
        return "staff"
    if role == "student" and _assigned(session, bank.id, user.id):
        return "student"
    return None


def _assigned(session: Session, bank_id: int, user_id: int) -> bool:
    from quizsvc.store.models import BankAssignment

    return session.scalar(select(BankAssignment.id).where(
        BankAssignment.bank_id == bank_id, BankAssignment.user_id == user_id)) is not None


def staffs_problem(session: Session, user: User, problem: Problem) -> bool:
    """Is `user` staff of the course of `problem`'s bank (practice problems have none)?"""
    if problem.bank_id is None:
        return False
    if is_admin(user):
        return True
    course_id = session.scalar(select(Bank.course_id).where(Bank.id == problem.bank_id))
    return course_id is not None and staffs(session, user, course_id)


def can_read_problem(session: Session, user: User, problem: Problem) -> bool:
    """Its owner, an admin, or staff of its bank's course."""
    return problem.owner_id == user.id or is_admin(user) or staffs_problem(session, user, problem)
