"""The tool's LTI endpoints: login initiation, launch, JWKS and the deep linking answer.

These are browser endpoints, not the JSON API: the LMS posts forms to them,
usually inside an iframe, which is why the state cookie is `SameSite=None;
Secure` and why the launch never depends on that cookie alone (the state is
also kept server side, keyed by its value, and used once).
"""

from __future__ import annotations

from typing import Any

from flask import (Blueprint, Response, current_app, g, has_app_context, jsonify, redirect,
                   render_template, request, url_for)
from sqlalchemy.orm import Session

from quizsvc.errors import AnswerError, QuizError
from quizsvc.extensions import db
from quizsvc.lti import claims, frame, keys, practice, runtime, sender
from quizsvc.lti.deep_linking import (PickerContext, bank_ref, content_item, picker_token,
                                      read_picker_token, response_jwt)
from quizsvc.lti.errors import LtiError
from quizsvc.lti.launch import Launch, validate_launch
from quizsvc.lti.login import STATE_COOKIE_PREFIX, LoginRequest, begin_login
from quizsvc.lti.passback import bank_size, queue_passback
from quizsvc.lti.provision import (course_for_launch, enroll_for_launch, link_for_launch,
                                   record_link_user, user_for_launch)
from quizsvc.lti.registry import get_platform
from quizsvc.lti.roles import INSTRUCTOR, STUDENT, TA, course_role
from quizsvc.lti.session import issue_launch_token, landing_bootstrap
from quizsvc.web.limits import RateLimited
from quizsvc.services import access
from quizsvc.services import banks as bank_service
from quizsvc.services.attempts import on_attempt, submit_attempt
from quizsvc.services.errors import AuthenticationError, PermissionDenied
from quizsvc.services.practice import get_family, get_problem
from quizsvc.services.users import user_for_token
from quizsvc.store.courses import Course
from quizsvc.store.lti import LtiResourceLink
from quizsvc.store.models import Attempt, Bank, User

blp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates",
                static_folder="static")


def _queue_and_wake(session: Session, attempt: Attempt) -> None:
    """Queue the attempt's passbacks in its transaction; wake the sender once it commits."""
    if queue_passback(session, attempt) and has_app_context():
        sender.wake_after_commit(session, current_app._get_current_object())  # type: ignore[attr-defined]


# Every graded attempt at a bank problem queues its LTI grade passback, in the attempt's transaction.
on_attempt(_queue_and_wake)
blp.record_once(lambda state: sender.init_app(state.app))


def tool_base() -> str:
    """Return our public origin: LTI_TOOL_URL when set (behind a proxy), else this request's."""
    return (runtime.runtime().settings["TOOL_URL"] or request.host_url).rstrip("/")


def tool_url(endpoint: str, **values: Any) -> str:
    """Return the absolute URL of `endpoint` on our public origin."""
    return tool_base() + url_for(endpoint, **values)


@blp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """OIDC login initiation: remember a state and nonce, send the browser to the platform."""
    v = request.values
    settings = runtime.runtime().settings
    out = begin_login(db.session, LoginRequest(
        iss=v.get("iss", ""), login_hint=v.get("login_hint", ""),
        target_link_uri=v.get("target_link_uri", ""), client_id=v.get("client_id"),
        lti_message_hint=v.get("lti_message_hint"),
        lti_deployment_id=v.get("lti_deployment_id")),
        redirect_uri=tool_url("lti.launch"), ttl=settings["STATE_TTL"],
        targets=(tool_url("lti.launch"),))
    db.session.commit()
    resp = redirect(out.url, code=302)
    # The LMS shows us in an iframe: a cookie without SameSite=None would never come back, and
    # browsers that block third-party cookies still keep a Partitioned one for this iframe.
    resp.set_cookie(STATE_COOKIE_PREFIX + out.state, out.state, max_age=int(settings["STATE_TTL"]),
                    secure=True, httponly=True, samesite="None", partitioned=True,
                    path=url_for("lti.launch"))
    return resp


@blp.post("/launch")
def launch() -> Any:
    """Verify the id_token, then land the user in their bank, or in the deep linking picker."""
    rt = runtime.runtime()
    state = request.form.get("state", "")
    verified = validate_launch(
        db.session, id_token=request.form.get("id_token", ""), state=state,
        cookie_state=request.cookies.get(STATE_COOKIE_PREFIX + state),
        require_cookie=rt.settings["REQUIRE_STATE_COOKIE"], keysets=rt.keysets, http=rt.http,
        timeout=rt.settings["HTTP_TIMEOUT"], leeway=rt.settings["CLOCK_LEEWAY"])
    # From here on, every page (an error too) may be framed by the platform that launched.
    g.lti_origins = frame.frame_origins(verified.platform, verified.claims)
    user = user_for_launch(db.session, verified)
    if verified.message_type == claims.DEEP_LINKING_REQUEST:
        page = _picker(verified, user)
    else:
        page = _landing(verified, user)
    db.session.commit()
    resp = framed(current_app.make_response(page))
    resp.delete_cookie(STATE_COOKIE_PREFIX + state, path=url_for("lti.launch"), secure=True,
                       httponly=True, samesite="None", partitioned=True)
    resp.headers["Cache-Control"] = "no-store"  # the page holds a token
    return resp


def framed(resp: Response) -> Response:
    """Let the launching platform (and only it) frame `resp`, an HTML page of the frame."""
    if resp.mimetype == "text/html":
        resp.headers["Content-Security-Policy"] = frame.csp(frame_origins())
        resp.headers.pop("X-Frame-Options", None)
    return resp


def frame_origins() -> tuple[str, ...]:
    """The origins that may frame this request's page: its launch's, else every platform's."""
    origins = g.get("lti_origins")
    if origins is None:
        origins = frame.registered_origins(db.session)
    return origins


def frame_session(verified: Launch, user: User, course: Course | None,
                  link: LtiResourceLink | None) -> str:
    """Return the signed frame session of this launch, for the hidden field of its forms."""
    return frame.issue(current_app.config["SECRET_KEY"], frame.FrameSession(
        user_id=user.id, platform_id=verified.platform.id,
        course_id=None if course is None else course.id,
        link_id=None if link is None else link.id, origins=frame_origins()))


def _landing(verified: Launch, user: User) -> str:
    course = course_for_launch(db.session, verified)
    if course is not None:
        enroll_for_launch(db.session, course, user, verified)
    link = link_for_launch(db.session, verified, current_app.config["SECRET_KEY"], user, course)
    record_link_user(db.session, link, user, verified)
    bank = db.session.get(Bank, link.bank_id) if link.bank_id is not None else None
    if course is None and bank is not None:  # a launch without a context: the bank's course
        enroll_for_launch(db.session, db.session.get(Course, bank.course_id), user, verified)
    in_course = course_role(verified.roles)
    staff = course is not None and in_course in (INSTRUCTOR, TA)
    session_token = frame_session(verified, user, course, link) if staff else ""
    if bank is None:
        if course is not None and in_course == INSTRUCTOR:
            from quizsvc.lti.instructor import connect_page

            boot = landing_bootstrap(user=user, role=verified.role, link=link, bank=None,
                                     token=None, api_base=tool_base() + "/api/v1")
            return connect_page(user=user, course=course, link=link, session_token=session_token,
                                boot=boot)
        return not_connected_page()
    if verified.role == STUDENT:
        # Reaching the bank from the course is being assigned it: the student's variants are issued.
        bank_service.assign(db.session, bank, [user], current_app.config["SECRET_KEY"])
        token = issue_launch_token(db.session, user)
        # Its forms carry the frame session, so that the page after an answer (or an error)
        # names the same platform as the one that may frame it.
        return _landing_page(user=user, role=verified.role, link=link, bank=bank, token=token,
                             frame_token=frame_session(verified, user, course, link))
    # Staff answer nothing here: no API token on their page, the frame session for their forms.
    return _landing_page(user=user, role=verified.role, link=link, bank=bank, token="",
                         session_token=session_token)


def not_connected_page() -> tuple[str, int]:
    """What a student (or TA) meets at a link no bank is connected to yet."""
    return render_template(
        "lti/error.html", status=409, title="This activity is not ready yet",
        message="Your instructor has not connected this activity to a question bank yet.",
        advice="Come back to it later, or tell your instructor that the quizsvc activity in "
               "this course shows no questions."), 409


def _landing_page(*, user: User, role: str, link: LtiResourceLink | None, bank: Bank | None,
                  token: str, answered: int | None = None, values: dict[str, str] | None = None,
                  errors: dict[str, str] | None = None, notice: str = "",
                  session_token: str = "", frame_token: str = "") -> str:
    """Render the landing page: the student's problems of the bank, each in the component."""
    api_base = tool_base() + "/api/v1"
    boot = None if link is None else landing_bootstrap(user=user, role=role, link=link, bank=bank,
                                                       token=token, api_base=api_base)
    cards = []
    if bank is not None and role == STUDENT:
        for problem in practice.bank_problems(db.session, bank, user):
            mine = problem.id == answered
            cards.append(practice.card(
                db.session, problem, user, token=token,
                action=tool_url("lti.answer", problem_id=problem.id),
                preview_url=f"{api_base}/problems/{problem.id}/preview",
                link_id=None if link is None else link.id, frame_token=frame_token,
                values=values if mine else None, errors=errors if mine else None))
    focus = None
    if answered is not None:
        focus = f"p{answered}-errors" if errors else f"p{answered}-result"
    return render_template("lti/landing.html", boot=boot, bank=bank, user=user, link=link,
                           role=role, cards=cards, focus=focus, notice=notice,
                           session_token=session_token,
                           size=None if bank is None else bank_size(bank))


@blp.post("/problems/<int:problem_id>/answer")
def answer(problem_id: int) -> Any:
    """Grade an answer posted from the landing page; show the page again with its result.

    The form carries the launch's token (no cookie needed in the LMS iframe). An
    unreadable answer is shown back with the reason and uses no attempt.
    """
    frame_token = request.form.get(practice.FRAME_FIELD, "")
    try:  # who may frame an error page here: the launch's platform (quizsvc/lti/frame.py)
        g.lti_origins = frame.read(current_app.config["SECRET_KEY"], frame_token,
                                   int(runtime.runtime().settings["LAUNCH_TOKEN_TTL"])).origins
    except LtiError:
        frame_token = ""
    try:
        user = user_for_token(db.session, request.form.get(practice.TOKEN_FIELD, ""))
        problem = get_problem(db.session, user, problem_id)
    except AuthenticationError:
        return _message("Your session has ended",
                        "Open this activity again from your course to go on practising.", 401)
    except QuizError as exc:
        return _message("This problem is not yours", exc.message, exc.status)
    bank = db.session.get(Bank, problem.bank_id) if problem.bank_id is not None else None
    link_id = request.form.get("link_id", "")
    link = db.session.get(LtiResourceLink, int(link_id)) if link_id.isdigit() else None
    if link is not None and (bank is None or link.bank_id != bank.id):
        link = None
    spec = [f.to_dict() for f in get_family(problem.family).answer_spec(problem.params)]
    values = practice.answer_from_form(spec, request.form)
    errors, notice, status = None, "", 200
    try:
        submit_attempt(db.session, user, problem.id, values,
                       idempotency_key=request.form.get("attempt_token") or None)
        db.session.commit()
    except AnswerError as exc:
        db.session.rollback()
        names = {f["name"] for f in spec}
        errors = {k: str(v) for k, v in exc.errors.items() if k in names} or {"answer": exc.message}
        status = 422
    except QuizError as exc:  # no attempts left, answered elsewhere meanwhile
        db.session.rollback()
        notice, status = exc.message, exc.status
    page = _landing_page(user=user, role=STUDENT, link=link, bank=bank,
                         token=request.form.get(practice.TOKEN_FIELD, ""), answered=problem.id,
                         values=values if errors else None, errors=errors, notice=notice,
                         frame_token=frame_token)
    resp = framed(current_app.make_response((page, status)))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blp.errorhandler(RateLimited)
def _too_many(error: RateLimited) -> Response:
    """A page, not JSON, for a student sending answers faster than the attempt limit."""
    resp = _message("Too many answers at once",
                    "Wait a minute, then go back and send your answer again.", 429)
    resp.headers["Retry-After"] = str(error.retry_after)
    return resp


def _message(title: str, text: str, status: int) -> Response:
    resp = current_app.make_response((render_template("lti/message.html", title=title, text=text),
                                      status))
    resp.headers["Cache-Control"] = "no-store"
    return framed(resp)


def _picker(verified: Launch, user: User) -> Any:
    course = course_for_launch(db.session, verified)
    if course is not None:
        enroll_for_launch(db.session, course, user, verified)
    if verified.role != INSTRUCTOR or (course is not None and course_role(verified.roles) != INSTRUCTOR):
        raise PermissionDenied("only instructors can add quizsvc banks to a course")
    settings = verified.deep_linking
    ctx = PickerContext(platform_id=verified.platform.id, deployment_id=verified.deployment_id,
                        user_id=user.id, return_url=settings["deep_link_return_url"],
                        data=settings.get("data"),
                        accept_multiple=bool(settings.get("accept_multiple", False)),
                        course_id=course.id if course is not None else None,
                        origins=frame_origins())
    accepts = settings.get("accept_types") or ["ltiResourceLink"]
    if "ltiResourceLink" not in accepts:
        raise LtiError("the platform does not accept LTI resource links here")
    from quizsvc.lti.instructor import picker_page

    return picker_page(user, course, picker_token(current_app.config["SECRET_KEY"], ctx))


@blp.post("/deep-link")
def deep_link() -> Response:
    """Answer the platform with a signed LtiDeepLinkingResponse for the bank(s) picked."""
    ctx = read_picker_token(current_app.config["SECRET_KEY"], request.form.get("picker", ""))
    g.lti_origins = ctx.origins
    user = frame.user_of(db.session, ctx.user_id)
    ids = [int(b) for b in request.form.getlist("bank_id") if b.isdigit()]
    if not ids:
        raise LtiError("pick a bank", errors={"bank_id": "missing"})
    if len(ids) > 1 and not ctx.accept_multiple:
        raise LtiError("the platform accepts one link at a time: pick one bank")
    picked = []
    for bank_id in ids:
        bank = db.session.get(Bank, bank_id)
        if bank is None or not access.teaches(db.session, user, bank.course_id):
            raise PermissionDenied(f"bank {bank_id} is not one of yours")
        if ctx.course_id is not None and bank.course_id != ctx.course_id:
            # A deep-linked bank belongs to the link's course: a bank of another course is copied.
            bank = bank_service.copy_bank(db.session, user, bank, ctx.course_id)
        picked.append(bank)
    return answer_platform(ctx, picked)


def answer_platform(ctx: PickerContext, picked: list[Bank], created: Bank | None = None) -> Response:
    """Sign the deep linking answer for `picked` and return the page that posts it back."""
    platform = get_platform(db.session, ctx.platform_id)
    secret = current_app.config["SECRET_KEY"]
    items = [content_item(title=bank.title, url=tool_url("lti.launch"),
                          ref=bank_ref(secret, platform.id, bank.id),
                          score_maximum=float(bank_size(bank)), bank_id=bank.id,
                          text=bank.description) for bank in picked]
    jwt_text = response_jwt(db.session, platform, ctx, items)
    db.session.commit()  # the copies or the new bank, and the signing key on its first use
    resp = current_app.make_response(render_template(
        "lti/autopost.html", action=ctx.return_url, fields={"JWT": jwt_text}, created=created))
    resp.headers["Cache-Control"] = "no-store"
    return framed(resp)


@blp.get("/jwks")
def jwks() -> Response:
    """Our public keys, for the platform to verify deep linking answers and client assertions."""
    body = keys.public_jwks(db.session)
    db.session.commit()
    resp = jsonify(body)
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


from quizsvc.lti import errorpages, instructor  # noqa: E402,F401 - the frame's pages and errors
