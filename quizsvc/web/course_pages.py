"""Course pages for instructors and TAs: courses, the roster, the join code, the banks.

Every rule is the services' (quizsvc/services/courses.py, access.py, users.py):
a course the viewer is not in is a 404, an action they may not take a 403.
A roster upload is shown as a preview first (nothing written: the import runs
and is rolled back), then applied all or nothing on confirm.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from quizsvc.errors import NotFoundError, QuizError
from quizsvc.extensions import db
from quizsvc.services import access, banks, claims
from quizsvc.services import courses as course_service
from quizsvc.services import users as user_service
from quizsvc.store.courses import Course, Enrollment
from quizsvc.store.models import User
from quizsvc.web import auth
from quizsvc.web.pages import bp

MAX_ROSTER_BYTES = 128 * 1024  # ~2000 rows of name,email,sis_user_id
ROSTER_PAGE = 500  # roster rows shown on the course page


def _me() -> User:
    user = auth.viewer()
    assert user is not None  # login_required
    return user


def _back(course_id: int) -> Any:
    return redirect(url_for("pages.course_page", course_id=course_id), 303)


@bp.get("/courses")
@login_required
def courses_page() -> str:
    """The viewer's courses with their role in each, and a form to create one."""
    user = _me()
    rows, _ = course_service.list_courses(db.session, user, page_size=200)
    listed = [course_service.summary(db.session, user, c) for c in rows]
    return render_template("pages/courses.html", courses=listed,
                           can_create=user.role in course_service.CREATORS, errors={}, form={})


@bp.post("/courses")
@login_required
def create_course() -> Any:
    """Create a course taught by the viewer, then show it."""
    user = _me()
    form = {k: request.form.get(k, "") for k in ("title", "term", "code")}
    try:
        course = course_service.create_course(db.session, user, form["title"], form["term"],
                                              form["code"])
        db.session.commit()
    except QuizError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        rows, _ = course_service.list_courses(db.session, user, page_size=200)
        listed = [course_service.summary(db.session, user, c) for c in rows]
        errors = {k: exc.message for k in exc.errors if k in form} or {"form": exc.message}
        return render_template("pages/courses.html", courses=listed, can_create=True,
                               errors=errors, form=form), exc.status
    flash(f"Course “{course.title}” created. Enrol students below or share the join code.",
          "success")
    return _back(course.id)


def _course_context(course: Course, user: User, **extra: Any) -> dict[str, Any]:
    staff = access.staffs(db.session, user, course)
    context: dict[str, Any] = {
        "course": course_service.summary(db.session, user, course), "staff": staff,
        "teaches": access.teaches(db.session, user, course), "me": user,
        "max_roster_kib": MAX_ROSTER_BYTES // 1024, "new_accounts": [], "preview": None,
    }
    course_banks, _ = banks.list_banks(db.session, user, course_id=course.id, page_size=200)
    context["banks"] = course_banks
    if staff:
        rows, total = course_service.list_enrollments(db.session, course, page_size=ROSTER_PAGE)
        order = {"instructor": 0, "ta": 1, "student": 2}
        context["roster"] = sorted(rows, key=lambda r: (order.get(r.role, 3),
                                                        (r.user.name or r.user.email or "").lower()))
        context["roster_total"] = total
    context.update(extra)
    return context


@bp.get("/courses/<int:course_id>")
@login_required
def course_page(course_id: int) -> str:
    """A course: its roster and join code for its staff; its banks for everyone in it."""
    user = _me()
    course = access.get_course(db.session, user, course_id)
    return render_template("pages/course.html", **_course_context(course, user))


def _staff_course(course_id: int) -> tuple[User, Course]:
    user = _me()
    return user, access.get_course(db.session, user, course_id, need="staff")


def _member(course: Course, user_id: int) -> User:
    row = db.session.scalar(select(Enrollment).where(Enrollment.course_id == course.id,
                                                     Enrollment.user_id == user_id))
    if row is None:
        raise NotFoundError(f"user {user_id} is not enrolled in this course")
    return row.user


@bp.post("/courses/<int:course_id>/enrol")
@login_required
def enrol_by_email(course_id: int) -> Any:
    """Enrol one student by email; an unknown email gets an account and a claim code."""
    user, course = _staff_course(course_id)
    email = request.form.get("email", "")
    try:
        address = user_service.clean_email(email)
        if not address:
            raise QuizError("type the student's email address", errors={"email": "empty"},
                            status=422)
        student = db.session.scalar(select(User).where(User.email == address))
        new = []
        if student is None:
            student = user_service.create_user(db.session, user, role="student", email=address,
                                               name=request.form.get("name", ""), course=course)
            new.append((student, claims.issue_claim_code(db.session, user, student)))
            done = True
        else:
            done = course_service.enroll(db.session, user, course, student, "student").created
        db.session.commit()
    except QuizError as exc:
        db.session.rollback()
        flash(f"{email[:80]} was not enrolled: {exc.message}", "error")
        return _back(course.id)
    if new:
        return render_template("pages/course.html", **_course_context(
            course, user, new_accounts=[(s.email, code) for s, code in new]))
    flash(f"{student.email} enrolled as a student." if done
          else f"{student.email} is already in this course.", "success" if done else "info")
    return _back(course.id)


@bp.post("/courses/<int:course_id>/members/<int:user_id>/role")
@login_required
def change_role(course_id: int, user_id: int) -> Any:
    """Make a member a TA or a student (the course's instructors)."""
    user, course = _staff_course(course_id)
    member = _member(course, user_id)
    role = request.form.get("role", "")
    try:
        if role not in ("student", "ta"):
            raise QuizError("a member can be made a student or a TA here", status=422)
        course_service.enroll(db.session, user, course, member, role)
        db.session.commit()
    except QuizError as exc:
        db.session.rollback()
        flash(f"The role of {member.email or member.name} was not changed: {exc.message}", "error")
        return _back(course.id)
    flash(f"{member.email or member.name} is now {'a TA' if role == 'ta' else 'a student'}.",
          "success")
    return _back(course.id)


@bp.post("/courses/<int:course_id>/members/<int:user_id>/remove")
@login_required
def remove_member(course_id: int, user_id: int) -> Any:
    """Remove a member from the course (their account stays)."""
    user, course = _staff_course(course_id)
    member = _member(course, user_id)
    try:
        course_service.unenroll(db.session, user, course, member.id)
        db.session.commit()
    except QuizError as exc:
        db.session.rollback()
        flash(f"{member.email or member.name} was not removed: {exc.message}", "error")
        return _back(course.id)
    flash(f"{member.email or member.name} was removed from the course.", "success")
    return _back(course.id)


@bp.post("/courses/<int:course_id>/join-code")
@login_required
def join_code(course_id: int) -> Any:
    """Rotate (a new code), enable or disable the course's join code."""
    user, course = _staff_course(course_id)
    action = request.form.get("action", "")
    if action not in ("rotate", "disable"):
        flash("Choose to rotate or to disable the join code.", "error")
        return _back(course.id)
    code = course_service.set_join_code(db.session, user, course, enabled=action == "rotate")
    db.session.commit()
    flash(f"The join code is now {code}; the old one no longer works." if code
          else "Joining by code is disabled.", "success")
    return _back(course.id)



def _roster_text() -> str:
    """Return the roster of this request (an uploaded file or pasted text), bounded and UTF-8."""
    upload = request.files.get("roster")
    if upload is not None and upload.filename:
        raw = upload.stream.read(MAX_ROSTER_BYTES + 1)
    else:
        raw = request.form.get("roster_text", "").encode()
    if len(raw) > MAX_ROSTER_BYTES:
        raise QuizError(f"the roster is larger than {MAX_ROSTER_BYTES // 1024} KiB: split it",
                        errors={"roster": "too large"}, status=413)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuizError("the roster is not UTF-8 text: save it as “CSV UTF-8”",
                        errors={"roster": "not UTF-8"}, status=422) from None
    if not text.strip():
        raise QuizError("choose a CSV file (or paste the roster) first",
                        errors={"roster": "empty"}, status=422)
    return text


def _preview(user: User, course: Course, text: str) -> dict[str, Any]:
    """Run the import and roll it back: what would happen, row by row, or why nothing can."""
    roles = dict(db.session.execute(select(Enrollment.user_id, Enrollment.role)
                                    .where(Enrollment.course_id == course.id)).all())
    out: dict[str, Any] = {"text": text, "create": [], "enrol": [], "already": [],
                           "bad": [], "message": None}
    try:
        rows = user_service.import_roster(db.session, user, text, course)
        for r in rows:
            entry = {"email": r.user.email, "name": r.user.name,
                     "role": roles.get(r.user.id)}
            bucket = "create" if r.created else "enrol" if r.enrolled else "already"
            out[bucket].append(entry)
    except QuizError as exc:
        out["message"] = exc.message
        out["bad"] = [(where, str(why)) for where, why in exc.errors.items()]
    finally:
        db.session.rollback()  # a preview writes nothing
    return out


@bp.post("/courses/<int:course_id>/roster")
@login_required
def roster_preview(course_id: int) -> Any:
    """Show what a roster upload would do: accounts to create, to enrol, already in, bad rows."""
    user, course = _staff_course(course_id)
    try:
        text = _roster_text()
    except QuizError as exc:
        flash(exc.message, "error")
        return _back(course.id)
    preview = _preview(user, course, text)
    course = access.get_course(db.session, user, course_id, need="staff")  # after the rollback
    status = 422 if preview["message"] else 200
    return render_template("pages/course_roster.html", course=course, preview=preview), status


@bp.post("/courses/<int:course_id>/roster/confirm")
@login_required
def roster_confirm(course_id: int) -> Any:
    """Apply a previewed roster, all rows or none; new accounts get claim codes, shown once."""
    user, course = _staff_course(course_id)
    try:
        text = _roster_text()
        rows = user_service.import_roster(db.session, user, text, course, claim_codes=True)
        db.session.commit()
    except QuizError as exc:
        db.session.rollback()
        flash(f"Nothing was imported: {exc.message}", "error")
        return _back(course_id)
    created = [(r.user.email, r.claim_code) for r in rows if r.created]
    enrolled = sum(r.enrolled for r in rows)
    flash(f"Roster imported: {len(created)} account(s) created, {enrolled} enrolment(s) added, "
          f"{len(rows) - enrolled} already in the course.", "success")
    if created:
        return render_template("pages/course.html",
                               **_course_context(course, user, new_accounts=created))
    return _back(course.id)
