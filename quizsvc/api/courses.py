"""Courses: create and list them, join codes, enrolments, and the course's banks and results.

A course's staff are its instructors and TAs. Instructors change the course,
its staff and its banks; TAs see everything of it and manage its students.
A course you are not in is a 404.
"""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from quizsvc.api.auth import auth_required, current_user
from quizsvc.extensions import db
from quizsvc.schemas.banks import BankCreate, BankOut, BankPage
from quizsvc.schemas.common import PageArgs, page_of
from quizsvc.schemas.courses import (
    CourseAnalyticsOut, CourseCreate, CourseListArgs, CourseOut, CoursePage, CourseResultPage,
    CourseRosterArgs, CourseUpdate, EnrollmentIn, EnrollmentListArgs, EnrollmentOut,
    EnrollmentPage, JoinCodeOut, JoinIn,
)
from quizsvc.schemas.users import RosterOut
from quizsvc.services import access, claims, course_results
from quizsvc.services import courses as course_service
from quizsvc.services import users as user_service
from quizsvc.store.courses import Enrollment
from quizsvc.store.models import User

blp = Blueprint("courses", __name__, url_prefix="/api/v1/courses",
                description="Courses, their join codes, enrolments, banks, results and analytics.")


def _view(course: object) -> dict:
    return course_service.summary(db.session, current_user(), course)  # type: ignore[arg-type]


def _enrollment_view(row: Enrollment, **extra: object) -> dict:
    return {"course_id": row.course_id, "user_id": row.user_id, "role": row.role,
            "created_at": row.created_at, "user": row.user, **extra}


@blp.route("", methods=["POST"])
@auth_required("instructor")
@blp.arguments(CourseCreate)
@blp.response(201, CourseOut)
def create_course(args: dict) -> dict:
    """Create a course; you are its instructor. It gets a join code unless `join_code: false`."""
    course = course_service.create_course(db.session, current_user(), args["title"], args["term"],
                                          args["code"], join_code=args["join_code"])
    db.session.commit()
    return _view(course)


@blp.route("")
@auth_required()
@blp.arguments(CourseListArgs, location="query")
@blp.response(200, CoursePage)
def list_courses(args: dict) -> dict:
    """List the courses you are in, with your role in each (an admin: every course)."""
    rows, total = course_service.list_courses(db.session, current_user(), archived=args["archived"],
                                              page=args["page"], page_size=args["page_size"])
    return page_of([_view(c) for c in rows], total, args)


@blp.route("/join", methods=["POST"])
@auth_required()
@blp.arguments(JoinIn)
@blp.response(201, EnrollmentOut)
def join_course(args: dict) -> dict:
    """Join a course as a student with its join code (an unclaimed account must be claimed first)."""
    row = course_service.join(db.session, current_user(), args["code"])
    db.session.commit()
    return _enrollment_view(row)


@blp.route("/<int:course_id>")
@auth_required()
@blp.response(200, CourseOut)
def show_course(course_id: int) -> dict:
    """Show a course you are in (its join code if you are staff)."""
    return _view(access.get_course(db.session, current_user(), course_id))


@blp.route("/<int:course_id>", methods=["PATCH"])
@auth_required()
@blp.arguments(CourseUpdate)
@blp.response(200, CourseOut)
def update_course(args: dict, course_id: int) -> dict:
    """Change the title, term or code, or archive the course (its instructors)."""
    course = access.get_course(db.session, current_user(), course_id, need="instructor")
    course_service.update_course(db.session, current_user(), course, **args)
    db.session.commit()
    return _view(course)


@blp.route("/<int:course_id>/join-code", methods=["POST"])
@auth_required()
@blp.response(201, JoinCodeOut)
def rotate_join_code(course_id: int) -> dict:
    """Make a new join code (the old one stops working); staff."""
    course = access.get_course(db.session, current_user(), course_id, need="staff")
    code = course_service.set_join_code(db.session, current_user(), course, enabled=True)
    db.session.commit()
    return {"course_id": course.id, "join_code": code}


@blp.route("/<int:course_id>/join-code", methods=["DELETE"])
@auth_required()
@blp.response(200, JoinCodeOut)
def disable_join_code(course_id: int) -> dict:
    """Turn joining by code off until a new code is made; staff."""
    course = access.get_course(db.session, current_user(), course_id, need="staff")
    course_service.set_join_code(db.session, current_user(), course, enabled=False)
    db.session.commit()
    return {"course_id": course.id, "join_code": None}


@blp.route("/<int:course_id>/enrollments")
@auth_required()
@blp.arguments(EnrollmentListArgs, location="query")
@blp.response(200, EnrollmentPage)
def list_enrollments(args: dict, course_id: int) -> dict:
    """List the course's members and their roles (staff)."""
    course = access.get_course(db.session, current_user(), course_id, need="staff")
    rows, total = course_service.list_enrollments(db.session, course, role=args["role"],
                                                  page=args["page"], page_size=args["page_size"])
    return page_of([_enrollment_view(r) for r in rows], total, args)


@blp.route("/<int:course_id>/enrollments", methods=["POST"])
@auth_required()
@blp.arguments(EnrollmentIn)
@blp.response(201, EnrollmentOut)
def enroll(args: dict, course_id: int) -> dict:
    """Enrol someone by email or id, or change their role (staff: students; instructors: staff).

    An existing account is enrolled as it is, with no new credential; a new
    email makes an unclaimed student account (`claim_code: true` returns its
    one-time claim code). A user id must be someone you can already see.
    """
    actor = current_user()
    course = access.get_course(db.session, actor, course_id, need="staff")
    created = False
    if args["user_id"]:
        user = access.get_visible_user(db.session, actor, args["user_id"])
    else:
        email = user_service.clean_email(args["email"])
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = user_service.create_user(db.session, actor, name=args["name"], email=email,
                                            sis_user_id=args["sis_user_id"])
            created = True
    done = course_service.enroll(db.session, actor, course, user, args["role"])
    extra: dict = {"created": created}
    if created and args["claim_code"]:
        extra["claim_code"] = claims.issue_claim_code(db.session, actor, user)
    db.session.commit()
    return _enrollment_view(done.enrollment, **extra)


@blp.route("/<int:course_id>/enrollments/<int:user_id>", methods=["DELETE"])
@auth_required()
@blp.response(204)
def unenroll(course_id: int, user_id: int) -> None:
    """Remove someone from the course (staff remove students; instructors remove staff)."""
    course = access.get_course(db.session, current_user(), course_id, need="staff")
    course_service.unenroll(db.session, current_user(), course, user_id)
    db.session.commit()


@blp.route("/<int:course_id>/enrollments/roster", methods=["POST"])
@auth_required()
@blp.arguments(CourseRosterArgs, location="query")
@blp.response(201, RosterOut)
@blp.doc(requestBody={"required": True, "description": "CSV with a header: email (required), "
                      "name, sis_user_id.",
                      "content": {"text/csv": {"schema": {"type": "string"},
                                               "example": "name,email,sis_user_id\n"
                                                          "Ada Lovelace,ada@example.edu,1001\n"}}})
def import_roster(args: dict, course_id: int) -> dict:
    """Enrol students from a CSV roster: existing accounts are enrolled, not duplicated, and
    get no new credential; new ones may get a claim code or token (`?claim_codes=true`)."""
    from quizsvc.api.users import roster_response

    course = access.get_course(db.session, current_user(), course_id, need="staff")
    return roster_response(course, args)


@blp.route("/<int:course_id>/banks")
@auth_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, BankPage)
def list_course_banks(args: dict, course_id: int) -> dict:
    """List the course's banks (staff: all of them; a student: those assigned to them)."""
    from quizsvc.api.banks import bank_page

    access.get_course(db.session, current_user(), course_id)
    return bank_page(args, course_id)


@blp.route("/<int:course_id>/banks", methods=["POST"])
@auth_required()
@blp.arguments(BankCreate)
@blp.response(201, BankOut)
def create_course_bank(args: dict, course_id: int) -> dict:
    """Create a bank in this course (its instructors); as `POST /banks` with `course_id`."""
    from quizsvc.api.banks import create_bank_from

    args["course_id"] = course_id
    return create_bank_from(args)


@blp.route("/<int:course_id>/results")
@auth_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, CourseResultPage)
def course_results_view(args: dict, course_id: int) -> dict:
    """Each student's score on each bank of the course (staff)."""
    course = access.get_course(db.session, current_user(), course_id, need="staff")
    rows, total = course_results.results(db.session, course, page=args["page"],
                                         page_size=args["page_size"])
    return page_of(rows, total, args)


@blp.route("/<int:course_id>/analytics")
@auth_required()
@blp.response(200, CourseAnalyticsOut)
def course_analytics(course_id: int) -> dict:
    """Per bank of the course: students assigned and active, attempts, mean score, mistakes."""
    course = access.get_course(db.session, current_user(), course_id, need="staff")
    return course_results.analytics_for(db.session, course)
