"""The instructor's pages inside the LMS frame: build a bank in the picker, connect a link,
the course's grade passbacks (the frame's error pages: quizsvc/lti/errorpages.py).

Every form here carries a signed token instead of relying on a cookie (see
quizsvc/lti/frame.py for why): the picker's (`picker`, quizsvc/lti/deep_linking.py)
or the launch's frame session (`lti_session`). Rights are the services': the
bank form is /banks/new's (quizsvc/web/bank_pages.py), connecting a link is
`manage.update_link`, the passbacks are the course's, for its staff only.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, render_template, request

from quizsvc.errors import QuizError
from quizsvc.extensions import db
from quizsvc.lti import frame, manage, outbox, runtime
from quizsvc.lti.deep_linking import read_picker_token
from quizsvc.lti.errors import LtiError
from quizsvc.lti.passback import bank_size
from quizsvc.lti.roles import INSTRUCTOR
from quizsvc.lti.views import (_landing_page, answer_platform, blp, framed,
                               tool_url)
from quizsvc.services import access, banks
from quizsvc.services.errors import PermissionDenied
from quizsvc.services.practice import available_families
from quizsvc.store.courses import Course
from quizsvc.store.lti import LtiResourceLink
from quizsvc.store.models import Bank, User
from quizsvc.web.bank_pages import MAX_ROWS, SHOW_KEY_TEXT, _errors_from, _read_form

# -- the bank form, as on /banks/new --------------------------------------------------


def _levels() -> list[str]:
    order = ("easy", "medium", "hard")
    return sorted({lv for f in available_families() for lv in f.levels},
                  key=lambda lv: order.index(lv) if lv in order else 9)


def build_bank(user: User, course: Course) -> tuple[Bank | None, dict[str, Any], int]:
    """Read the posted bank form: the bank it created, or the form to show again and its status."""
    rows = min(max(request.form.get("rows", 3, type=int), 1), MAX_ROWS)
    values: dict[str, str] = {"show_key": "after_last_attempt"}
    errors: dict[str, str] = {}
    status = 200
    action = request.form.get("action")
    if action == "add_row":
        rows = min(rows + 1, MAX_ROWS)
        values = dict(request.form.items())
    elif action == "create":
        values, items, policy, errors = _read_form(request.form, rows)
        if not errors and policy is not None:
            try:
                specs = [it for _, it in items]
                # The same form sent twice (a double click in the frame) makes one bank.
                bank = banks.recent_twin(
                    db.session, user, course, request.form.get("title", ""), specs, policy,
                    request.form.get("description", "")) or banks.create_bank(
                    db.session, user, request.form.get("title", ""), specs, policy,
                    request.form.get("description", ""), course)
                db.session.flush()
                return bank, {}, 201
            except QuizError as exc:
                db.session.rollback()
                errors = _errors_from(exc, [r for r, _ in items])
        status = 422
    form = {"rows": rows, "values": values, "errors": errors, "families": available_families(),
            "levels": _levels(), "show_keys": SHOW_KEY_TEXT, "show_whole_course": False}
    return None, form, status


def _form_page(course: Course, form: dict[str, Any], status: int, **page: Any) -> tuple[str, int]:
    return render_template("lti/bank_form.html", course=course, **form, **page), status


# -- the deep linking picker ------------------------------------------------------------


def _taught_banks(user: User, course: Course | None) -> list[Bank]:
    """This course's banks, then those of the other courses `user` teaches (picked: copied)."""
    from sqlalchemy import select

    taught = access.course_ids(user, ("instructor",))
    return list(db.session.scalars(select(Bank).where(Bank.course_id.in_(taught)).order_by(
        Bank.course_id != (course.id if course is not None else 0), Bank.id)))


def picker_page(user: User, course: Course | None, picker: str) -> Any:  # noqa: ANN401
    """The picker: the instructor's banks to pick, or, with none, the form to build one."""
    found = _taught_banks(user, course)
    if not found and course is not None:
        _, form, _ = build_bank(user, course)
        return _form_page(course, form, 200, form_action=tool_url("lti.picker_new_bank"),
                          form_hidden={"picker": picker},
                          submit_label="Create the bank and add it to the course",
                          intro="You have no question banks yet. Build one here: once created, "
                                "it is added to the course, and you can preview and edit it "
                                "later from the bank's quizsvc page.")
    return render_template("lti/picker.html", banks=found,
                           sizes={b.id: bank_size(b) for b in found}, course=course,
                           picker=picker, action=tool_url("lti.deep_link"),
                           new_action=tool_url("lti.picker_new_bank"),
                           can_create=course is not None)


@blp.post("/deep-link/new")
def picker_new_bank() -> Any:
    """Build a bank in the picker's course; once created it is picked (answered to the LMS)."""
    token = request.form.get("picker", "")
    ctx = read_picker_token(current_app.config["SECRET_KEY"], token)
    g.lti_origins = ctx.origins
    user = frame.user_of(db.session, ctx.user_id)
    course = db.session.get(Course, ctx.course_id) if ctx.course_id is not None else None
    if course is None:
        raise LtiError("this picker was opened outside a course, so a new bank would have no "
                       "course: open the content picker from inside a course")
    if not access.teaches(db.session, user, course):
        raise PermissionDenied("only the course's instructors can build its banks")
    if request.form.get("action") == "back":
        return framed(current_app.make_response(picker_page(user, course, token)))
    bank, form, status = build_bank(user, course)
    if bank is not None:
        return answer_platform(ctx, [bank], created=bank)
    back = tool_url("lti.picker_new_bank") if _taught_banks(user, course) else None
    return framed(current_app.make_response(_form_page(
        course, form, status, form_action=tool_url("lti.picker_new_bank"),
        form_hidden={"picker": token}, back_action=back,
        submit_label="Create the bank and add it to the course")))


# -- a link not connected to a bank -----------------------------------------------------


def _frame() -> frame.FrameSession:
    settings = runtime.runtime().settings
    fs = frame.read(current_app.config["SECRET_KEY"], request.form.get(frame.FIELD, ""),
                    int(settings["LAUNCH_TOKEN_TTL"]))
    g.lti_origins = fs.origins
    return fs


def connect_page(*, user: User, course: Course, link: LtiResourceLink, session_token: str,
                 errors: dict[str, str] | None = None, status: int = 200,
                 boot: dict[str, Any] | None = None) -> tuple[str, int]:
    """The instructor's page at an unconnected link: the course's banks to connect, or build one."""
    from sqlalchemy import select

    found = list(db.session.scalars(select(Bank).where(Bank.course_id == course.id)
                                    .order_by(Bank.id)))
    return render_template("lti/connect.html", course=course, link=link, banks=found,
                           sizes={b.id: bank_size(b) for b in found}, errors=errors or {},
                           session_token=session_token, boot=boot,
                           connect_action=tool_url("lti.connect_link", link_id=link.id),
                           new_action=tool_url("lti.link_new_bank", link_id=link.id)), status


def _link_of(fs: frame.FrameSession, link_id: int) -> tuple[User, Course, LtiResourceLink]:
    user = frame.user_of(db.session, fs.user_id)
    link = db.session.get(LtiResourceLink, link_id)
    if fs.link_id != link_id or link is None or fs.course_id is None:
        raise LtiError("this page belongs to another link: open the activity again from your "
                       "course", status=403)
    course = access.get_course(db.session, user, fs.course_id, need="instructor")
    return user, course, link


def _connected(user: User, link: LtiResourceLink, bank_id: int, token: str, what: str) -> Any:  # noqa: ANN401
    link = manage.update_link(db.session, user, link.id, bank_id=bank_id)
    db.session.commit()
    bank = db.session.get(Bank, link.bank_id)
    assert bank is not None
    page = _landing_page(user=user, role=INSTRUCTOR, link=link, bank=bank, token="",
                         session_token=token,
                         notice=f"{what} “{bank.title}”. Students who open this link now get "
                                "its problems, and their scores go to the gradebook.")
    return framed(current_app.make_response(page))


@blp.post("/links/<int:link_id>/connect")
def connect_link(link_id: int) -> Any:
    """Connect an unconnected link to one of its course's banks (its instructors)."""
    fs = _frame()
    user, course, link = _link_of(fs, link_id)
    token = request.form.get(frame.FIELD, "")
    raw = request.form.get("bank_id", "")
    if not raw.isdigit():
        return framed(current_app.make_response(connect_page(
            user=user, course=course, link=link, session_token=token,
            errors={"form": "Pick the bank to connect."}, status=422)))
    return _connected(user, link, int(raw), token, "Connected to")


@blp.post("/links/<int:link_id>/new")
def link_new_bank(link_id: int) -> Any:
    """Build a bank in the link's course and connect the link to it."""
    fs = _frame()
    user, course, link = _link_of(fs, link_id)
    token = request.form.get(frame.FIELD, "")
    if request.form.get("action") == "back":
        return framed(current_app.make_response(connect_page(user=user, course=course,
                                                             link=link, session_token=token)))
    bank, form, status = build_bank(user, course)
    if bank is not None:
        return _connected(user, link, bank.id, token, "Created and connected")
    return framed(current_app.make_response(_form_page(
        course, form, status, form_action=tool_url("lti.link_new_bank", link_id=link.id),
        form_hidden={frame.FIELD: token}, submit_label="Create the bank and connect it",
        back_action=tool_url("lti.link_new_bank", link_id=link.id))))


# -- the course's grade passbacks -----------------------------------------------------------


def retry_and_send(course_id: int, which: str) -> str:
    """Queue a course's failed passbacks again (`which`: an id or "all"), try them now; say how."""
    ids = None if which == "all" else [int(which)] if which.isdigit() else []
    requeued = manage.retry_course_passbacks(db.session, course_id, ids)
    db.session.commit()
    if not requeued:
        return "Nothing to retry: only failed passbacks can be retried."
    rt = runtime.runtime()
    report = outbox.deliver(db.sessionmaker, http=rt.http, tokens=rt.tokens,
                            policy=runtime.retry_policy(rt), timeout=rt.settings["HTTP_TIMEOUT"],
                            ids=requeued)
    db.session.expire_all()
    parts = [f"{report.sent} sent"]
    if report.retried:
        parts.append(f"{report.retried} not taken by the LMS yet (retried later on their own)")
    if report.failed:
        parts.append(f"{report.failed} failed again")
    return f"Retried {len(requeued)}: " + ", ".join(parts) + "."


def passback_context(course: Course) -> dict[str, Any]:
    rows, counts, total = manage.course_passbacks(db.session, course.id)
    return {"course": course, "rows": rows, "counts": counts, "total": total,
            "more": total > len(rows),
            "max_attempts": runtime.runtime().settings["PASSBACK_MAX_ATTEMPTS"]}


@blp.post("/passbacks")
def passbacks() -> Any:
    """The course's grade passbacks, for its staff, inside the LMS; `retry` retries."""
    fs = _frame()
    user = frame.user_of(db.session, fs.user_id)
    if fs.course_id is None:
        raise LtiError("this launch has no course: open the activity from inside a course",
                       status=404)
    course = access.get_course(db.session, user, fs.course_id, need="staff")
    notice = ""
    if request.form.get("retry"):
        notice = retry_and_send(course.id, request.form["retry"])
    token = request.form.get(frame.FIELD, "")
    page = render_template("lti/passbacks.html", **passback_context(course), notice=notice,
                           retry_action=tool_url("lti.passbacks"),
                           retry_hidden={frame.FIELD: token}, session_token=token)
    resp = framed(current_app.make_response(page))
    resp.headers["Cache-Control"] = "no-store"
    return resp
