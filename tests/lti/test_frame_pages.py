"""The instructor's pages inside the LMS frame, through the local platform.

A bank built in the content picker and linked in one frame visit; a link with no
bank connected by its instructor (and what a student meets there); the course's
grade passbacks with their retry; error pages a person reads in the frame, which
the launching platform may frame. No API token appears on any staff page.
"""

from __future__ import annotations

import re
from typing import Any

import jwt
import pytest
from sqlalchemy import select

from quizsvc.lti.outbox import RetryPolicy
from tests.conftest import SECRET
from tests.lti.conftest import (INSTRUCTOR, LAUNCH_URL, LEARNER, TOOL, Lms, boot, make_bank,
                                page_text)
from tests.lti.test_deep_linking import (DL, build_in_picker, form_action, form_fields,
                                         open_picker, user_id_of)
from tests.lti.test_landing import Page
from tests.lti.test_passback import answer, course, deliver  # noqa: F401 - `course` is a fixture
from tests.web.helpers import check_html, csrf

TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
PASSWORD = "correct horse battery"


def no_token(resp: Any) -> None:  # noqa: ANN401
    """A staff page in the LMS shows no API token, nor talks of one."""
    html = resp.get_data(as_text=True)
    assert "qz_" not in html and "API token" not in html and "/api/v1/docs" not in html


def frame_ancestors(resp: Any) -> list[str]:  # noqa: ANN401
    """The sources of the page's CSP frame-ancestors directive."""
    csp = resp.headers.get("Content-Security-Policy", "")
    (directive,) = [d.strip() for d in csp.split(";") if d.strip().startswith("frame-ancestors")]
    return directive.split()[1:]


def assert_framable(resp: Any, origin: str = "https://lms.test") -> None:  # noqa: ANN401
    assert resp.mimetype == "text/html"
    assert origin in frame_ancestors(resp) and "'none'" not in frame_ancestors(resp)
    assert "X-Frame-Options" not in resp.headers


def bank_rows(app: Any) -> list[Any]:  # noqa: ANN401
    from quizsvc.extensions import db
    from quizsvc.store.courses import Course
    from quizsvc.store.models import Bank

    with app.app_context():
        return [(b.id, b.title, b.owner_id, c.lti_context_id, len(b.items))
                for b, c in db.session.execute(select(Bank, Course).join(
                    Course, Course.id == Bank.course_id).order_by(Bank.id))]


def link_launch(lms: Lms, sub: str, roles: list[str], link_id: str = "rl-new", **kw: Any) -> Any:  # noqa: ANN401
    return lms.launch(lms.platform.resource_link_claims(
        sub=sub, roles=roles, link_id=link_id, target_link_uri=LAUNCH_URL, **kw))


def forms(resp: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    return Page(resp.get_data(as_text=True)).forms()


def post_form(lms: Lms, form: dict[str, Any], **data: str) -> Any:  # noqa: ANN401
    return lms.client.post(form["action"].removeprefix(TOOL), base_url=TOOL,
                           data={**form["hidden"], **data})


# -- the picker builds a bank ---------------------------------------------------------


def test_the_picker_builds_and_links_a_bank_in_one_frame_visit(app, lms: Lms) -> None:  # noqa: ANN001
    page = open_picker(lms)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    check_html(html)
    # The form of /banks/new, carrying the picker's signed token instead of a cookie.
    assert 'name="item-0-family"' in html and 'name="show_key"' in html
    assert set(form_fields(html)) == {"picker", "rows"}
    assert "Create the bank and add it to the course" in page_text(page)
    no_token(page)
    assert_framable(page)

    answered = build_in_picker(lms, page, title="Week 3: shapes", count="3",
                               description="Output shapes of convolutions.")
    assert form_action(answered) == lms.platform.url("/deep_link_return")
    assert "Week 3: shapes" in answered and "created" in answered
    # The browser posts it on to the platform, which verifies it with our JWKS.
    verified = lms.http.post(lms.platform.url("/deep_link_return"),
                             data={"JWT": form_fields(answered)["JWT"]})
    assert verified.status_code == 200, verified.text
    (body,) = lms.platform.deep_link_responses
    assert body[DL + "data"] == "opaque-123"
    (item,) = body[DL + "content_items"]
    ((bank_id, title, owner, context, n_items),) = bank_rows(app)
    assert (title, owner, context, n_items) == ("Week 3: shapes", user_id_of(app, "teacher-1"),
                                                "course-1", 1)
    assert item["title"] == "Week 3: shapes" and item["text"] == "Output shapes of convolutions."
    assert item["custom"]["quizsvc_bank"].split(".")[0] == str(bank_id)
    assert item["lineItem"]["scoreMaximum"] == 3.0
    # A student launching the link the LMS placed lands in that bank with its 3 problems.
    student = link_launch(lms, "s-1", [LEARNER], custom=item["custom"])
    assert boot(student)["bank"]["id"] == bank_id
    assert len(forms(student)) == 3


def test_a_double_click_in_the_picker_makes_one_bank(app, lms: Lms) -> None:  # noqa: ANN001
    page = open_picker(lms)
    answers = [build_in_picker(lms, page, title="Week 4") for _ in range(2)]
    ((bank_id, *_),) = bank_rows(app)  # one bank, picked by both answers
    for answered in answers:
        verified = lms.http.post(lms.platform.url("/deep_link_return"),
                                 data={"JWT": form_fields(answered)["JWT"]})
        assert verified.status_code == 200, verified.text
    items = [body[DL + "content_items"] for body in lms.platform.deep_link_responses]
    assert [i["custom"]["quizsvc_bank"].split(".")[0] for (i,) in items] == [str(bank_id)] * 2


def test_a_picker_form_with_mistakes_is_shown_back_and_creates_nothing(app, lms: Lms) -> None:  # noqa: ANN001
    page = open_picker(lms)
    fields = form_fields(page.get_data(as_text=True))
    more = lms.client.post("/lti/deep-link/new", base_url=TOOL,
                           data={**fields, "action": "add_row", "title": "Kept"})
    assert more.status_code == 200
    html = more.get_data(as_text=True)
    assert 'name="item-3-family"' in html and 'value="Kept"' in html  # a fourth row, nothing lost
    bad = lms.client.post("/lti/deep-link/new", base_url=TOOL, data={
        **form_fields(html), "action": "create", "title": "", "item-0-family": "conv_output_shape",
        "item-0-count": "lots", "max_attempts": "3"})
    assert bad.status_code == 422
    text = page_text(bad)
    assert "There is a problem" in text and "the count must be a whole number" in text
    assert 'value="lots"' in bad.get_data(as_text=True)
    assert bank_rows(app) == [] and lms.platform.deep_link_responses == []
    assert_framable(bad)
    untitled = lms.client.post("/lti/deep-link/new", base_url=TOOL, data={
        **fields, "action": "create", "title": " ", "item-0-family": "conv_output_shape"})
    assert untitled.status_code == 422 and "Give the bank a title" in page_text(untitled)
    assert bank_rows(app) == []


def test_with_banks_the_picker_offers_them_and_building_a_new_one(app, lms: Lms) -> None:  # noqa: ANN001
    open_picker(lms)
    make_bank(app, user_id_of(app, "teacher-1"), title="Old bank")
    page = open_picker(lms)
    text = page_text(page)
    assert "Old bank" in text and "Build a new bank" in text
    no_token(page)
    (pick, build) = forms(page)
    assert build["action"] == TOOL + "/lti/deep-link/new"
    shown = post_form(lms, build, action="show")
    assert shown.status_code == 200 and 'name="item-0-family"' in shown.get_data(as_text=True)
    assert "Back without creating a bank" in page_text(shown)
    answered = build_in_picker(lms, shown, title="New bank")
    (item,) = jwt.decode(form_fields(answered)["JWT"],
                         options={"verify_signature": False})[DL + "content_items"]
    assert item["title"] == "New bank"
    assert [t for _, t, *_ in bank_rows(app)] == ["Old bank", "New bank"]


def test_the_picker_form_refuses_a_tampered_or_missing_token(app, lms: Lms) -> None:  # noqa: ANN001
    fields = form_fields(open_picker(lms).get_data(as_text=True))
    for picker in (fields["picker"][:-3] + "abc", ""):
        r = lms.client.post("/lti/deep-link/new", base_url=TOOL, data={
            **fields, "picker": picker, "action": "create", "title": "X",
            "item-0-family": "conv_output_shape"})
        assert r.status_code == 403 and r.mimetype == "text/html"
        assert "open the activity again" in page_text(r)
    assert bank_rows(app) == []


# -- a link with no bank ------------------------------------------------------------------


def test_an_instructor_connects_an_unconnected_link_to_a_course_bank(app, lms: Lms,
                                                                      other_instructor) -> None:  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiResourceLink

    link_launch(lms, "teacher-1", [INSTRUCTOR])  # makes the course and its instructor
    teacher = user_id_of(app, "teacher-1")
    bank_id = make_bank(app, teacher, title="Strides", count=2)
    elsewhere = make_bank(app, other_instructor.id, title="Not this course's", context=None)
    page = link_launch(lms, "teacher-1", [INSTRUCTOR])
    assert page.status_code == 200
    text = page_text(page)
    assert "not connected to a question bank yet" in text and "Strides" in text
    assert "Not this course's" not in text and "PUT /api/v1" not in text
    no_token(page)
    assert_framable(page)
    check_html(page.get_data(as_text=True))
    connect = next(f for f in forms(page) if f["action"].endswith("/connect"))
    # Another course's bank cannot be connected (a forged radio value), and nothing changes.
    refused = post_form(lms, connect, bank_id=str(elsewhere))
    assert refused.status_code == 404 and refused.mimetype == "text/html"
    assert_framable(refused)
    done = post_form(lms, connect, bank_id=str(bank_id))
    assert done.status_code == 200
    assert "Connected to “Strides”" in page_text(done)
    no_token(done)
    with app.app_context():
        (link,) = db.session.scalars(select(LtiResourceLink)).all()
        assert link.bank_id == bank_id
    student = link_launch(lms, "s-1", [LEARNER])
    assert student.status_code == 200 and boot(student)["bank"]["id"] == bank_id
    assert len(forms(student)) == 2


def test_an_instructor_builds_a_bank_for_an_unconnected_link(app, lms: Lms) -> None:  # noqa: ANN001
    page = link_launch(lms, "teacher-1", [INSTRUCTOR])
    assert "has no banks yet" in page_text(page)
    build = next(f for f in forms(page) if f["action"].endswith("/new"))
    form = post_form(lms, build, action="show")
    assert form.status_code == 200 and "Create the bank and connect it" in page_text(form)
    fields = {**form_fields(form.get_data(as_text=True)), "action": "create",
              "title": "Made here", "item-0-family": "conv_output_shape", "item-0-count": "1"}
    done = lms.client.post(form_action(form.get_data(as_text=True)).removeprefix(TOOL),
                           base_url=TOOL, data=fields)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert "Created and connected “Made here”" in page_text(done)
    ((bank_id, title, *_),) = bank_rows(app)
    assert boot(link_launch(lms, "s-1", [LEARNER]))["bank"]["id"] == bank_id


def test_a_frame_session_opens_only_its_own_link(app, lms: Lms) -> None:  # noqa: ANN001
    link_launch(lms, "teacher-1", [INSTRUCTOR], link_id="rl-a")
    link_launch(lms, "teacher-1", [INSTRUCTOR], link_id="rl-b")
    bank_id = make_bank(app, user_id_of(app, "teacher-1"))
    first = link_launch(lms, "teacher-1", [INSTRUCTOR], link_id="rl-a")
    connect = next(f for f in forms(first) if f["action"].endswith("/connect"))
    other = connect["action"].replace("/links/1/", "/links/2/")
    assert other != connect["action"]
    r = post_form(lms, {**connect, "action": other}, bank_id=str(bank_id))
    assert r.status_code == 403 and "another link" in page_text(r)


def test_a_student_at_an_unconnected_link_gets_a_page_saying_so(lms: Lms) -> None:
    for sub, roles in (("s-1", [LEARNER]), ("ta-1", [INSTRUCTOR, TA])):
        r = link_launch(lms, sub, roles)
        assert r.status_code == 409 and r.mimetype == "text/html"
        text = page_text(r)
        assert "Your instructor has not connected this activity" in text
        assert "What to do" in text and "/api/v1" not in text
        assert_framable(r)
        assert not forms(r)


# -- the course's grade passbacks ---------------------------------------------------------


def failed_passback(app, client, lms: Lms, course) -> int:  # noqa: ANN001, F811
    """Make one passback of `course`'s student fail for good; return its id."""
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiGradeOutbox

    answer(client, course, app, 0)
    lms.platform.score_status = 503
    assert deliver(app, policy=RetryPolicy(max_attempts=1)).failed == 1
    lms.platform.score_status = 200
    with app.app_context():
        (row,) = db.session.scalars(select(LtiGradeOutbox)).all()
        return row.id


def staff_landing(lms: Lms, sub: str = "teacher-1", roles: list[str] | None = None) -> Any:  # noqa: ANN401
    """The landing of course's link (rl-1) for staff: connected, with the passbacks button."""
    return link_launch(lms, sub, roles or [INSTRUCTOR], link_id="rl-1")


def test_staff_see_the_courses_passbacks_in_the_lms_and_retry_a_failed_one(
        app, client, lms: Lms, course) -> None:  # noqa: ANN001, F811
    pid = failed_passback(app, client, lms, course)
    for sub, roles in (("teacher-1", [INSTRUCTOR]), ("ta-1", [INSTRUCTOR, TA])):
        landing = staff_landing(lms, sub, roles)
        no_token(landing)
        (button,) = [f for f in forms(landing) if f["action"] == "/lti/passbacks"]
        page = post_form(lms, button)
        assert page.status_code == 200, page.get_data(as_text=True)
        assert_framable(page)
        no_token(page)
        check_html(page.get_data(as_text=True))
        row = re.search(rf'<tr id="passback-{pid}">(.*?)</tr>', page.get_data(as_text=True), re.S)
        assert row, page.get_data(as_text=True)
        cells = [" ".join(c.split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
        assert cells[0] == "User student-7" and cells[2] == "1 / 2"
        assert "failed" in cells[3] and "503" in cells[3]  # the platform's error, as recorded
        assert cells[4] == "1" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", cells[5])
        assert "1 failed" in page_text(page)
    retry = next(f for f in forms(page) if f["action"] == TOOL + "/lti/passbacks")
    done = post_form(lms, retry, retry=str(pid))
    assert done.status_code == 200
    assert "Retried 1: 1 sent." in page_text(done)
    assert re.search(rf'<tr id="passback-{pid}">.*?state-sent', done.get_data(as_text=True), re.S)
    assert "Retry all" not in page_text(done)
    (score,) = lms.platform.scores
    assert score["userId"] == "student-7" and score["scoreGiven"] == 1.0
    again = post_form(lms, retry, retry=str(pid))  # sent now: nothing left to retry
    assert "Nothing to retry" in page_text(again) and len(lms.platform.scores) == 1


def test_the_passback_page_in_the_lms_is_refused_to_students_and_other_courses(
        app, client, lms: Lms, course, other_instructor) -> None:  # noqa: ANN001, F811
    from quizsvc.extensions import db
    from quizsvc.lti import frame
    from quizsvc.services.courses import create_course
    from quizsvc.store.models import User

    failed_passback(app, client, lms, course)
    (button,) = [f for f in forms(staff_landing(lms)) if f["action"] == "/lti/passbacks"]
    session = frame.read(SECRET, button["hidden"]["lti_session"], 3600)
    with app.app_context():
        theirs = create_course(db.session, db.session.get(User, other_instructor.id), "Theirs").id
        db.session.commit()
    # Sessions as launches would sign them: the student of this course, the other course's
    # instructor pointed at this course, and that instructor in their own course.
    for user_id, course_id, status in ((course.student_id, session.course_id, 403),
                                       (other_instructor.id, session.course_id, 404),
                                       (other_instructor.id, theirs, 200)):
        token = frame.issue(SECRET, frame.FrameSession(user_id, session.platform_id, course_id,
                                                       None, session.origins))
        r = lms.client.post("/lti/passbacks", base_url=TOOL,
                            data={"lti_session": token, "retry": "all"})
        assert r.status_code == status, (user_id, course_id, r.status_code)
        if status == 200:
            assert "No passbacks yet" in page_text(r)  # their course has none
        else:
            assert r.mimetype == "text/html" and "student-7" not in r.get_data(as_text=True)
            assert_framable(r)
    forged = lms.client.post("/lti/passbacks", base_url=TOOL,
                             data={"lti_session": button["hidden"]["lti_session"][:-2] + "xx"})
    assert forged.status_code == 403
    from quizsvc.store.lti import LtiGradeOutbox

    with app.app_context():  # none of the refused retries requeued anything
        assert db.session.scalars(select(LtiGradeOutbox.status)).all() == ["failed"]


def site_client(app, user_id: int):  # noqa: ANN001, ANN201
    """A browser signed in on the site as `user_id` (given a password for the test)."""
    from quizsvc.extensions import db
    from quizsvc.services import accounts
    from quizsvc.store.models import User

    with app.app_context():
        email = db.session.get(User, user_id).email
        accounts.set_password(db.session, email, PASSWORD)
        db.session.commit()
    c = app.test_client()
    r = c.post("/login", data={"csrf_token": csrf(c.get("/login").text), "email": email,
                               "password": PASSWORD})
    assert r.status_code == 303, r.text
    return c


def test_the_course_page_leads_to_its_passbacks_with_retry_for_staff_only(
        app, client, lms: Lms, course, instructor, other_instructor) -> None:  # noqa: ANN001, F811
    from quizsvc.extensions import db
    from quizsvc.store.models import Bank

    pid = failed_passback(app, client, lms, course)
    with app.app_context():
        course_id = db.session.get(Bank, course.bank_id).course_id
    web = site_client(app, instructor.id)
    assert f"/courses/{course_id}/passbacks" in web.get(f"/courses/{course_id}").text
    page = web.get(f"/courses/{course_id}/passbacks")
    assert page.status_code == 200 and "failed" in page.text and "503" in page.text
    assert page.headers["X-Frame-Options"] == "DENY"  # the site's page is not for frames
    check_html(page.text)
    # CSRF: a retry without the page's token is refused and changes nothing.
    assert web.post(f"/courses/{course_id}/passbacks", data={"retry": str(pid)}).status_code == 400
    assert lms.platform.scores == []
    r = web.post(f"/courses/{course_id}/passbacks",
                 data={"csrf_token": csrf(page.text), "retry": "all"})
    assert r.status_code == 303
    after = web.get(r.headers["Location"])
    assert "Retried 1: 1 sent." in after.text and "state-sent" in after.text
    assert len(lms.platform.scores) == 1
    # Another course's instructor: no such course; the student of this one: refused.
    other = site_client(app, other_instructor.id)
    assert other.get(f"/courses/{course_id}/passbacks").status_code == 404
    assert other.post(f"/courses/{course_id}/passbacks", data={
        "csrf_token": csrf(other.get("/courses").text), "retry": "all"}).status_code == 404
    student = site_client(app, course.student_id)
    assert student.get(f"/courses/{course_id}/passbacks").status_code == 403


# -- error pages in the frame ------------------------------------------------------------------


def test_launch_errors_are_pages_the_platform_may_frame(app, lms: Lms) -> None:  # noqa: ANN001
    claims = lms.platform.resource_link_claims(sub="s-1", roles=[LEARNER], link_id="rl-1",
                                               target_link_uri=LAUNCH_URL)
    started = lms.start_login(claims)
    bad = lms.post_launch(lms.platform.mint(claims, nonce="not-this-one"), started.state)
    unknown = lms.post_launch("garbage", "no-such-state")
    again = lms.start_login(claims)
    deployment = lms.platform.mint({**claims, "https://purl.imsglobal.org/spec/lti/claim/"
                                    "deployment_id": "elsewhere"}, nonce=again.nonce)
    for resp, words in ((bad, "nonce"), (unknown, "unknown login state"),
                        (lms.post_launch(deployment, again.state), "unknown deployment")):
        assert resp.status_code == 401
        assert_framable(resp)
        text = page_text(resp)
        assert words.lower() in text.lower() and "What to do" in text
        assert "open the activity again" in text and "{" not in text
    learner_picker = open_picker(lms, sub="s-2", roles=[LEARNER])
    assert learner_picker.status_code == 403
    assert_framable(learner_picker)
    assert "Only instructors can add quizsvc banks" in page_text(learner_picker)


def test_frame_ancestors_follow_where_the_lms_really_is(app, lms: Lms) -> None:  # noqa: ANN001
    """An LMS whose issuer is not its host (Canvas) names its host in the launch's URLs."""
    claims = lms.platform.resource_link_claims(sub="s-1", roles=[LEARNER], link_id="rl-1",
                                               target_link_uri=LAUNCH_URL)
    claims["https://purl.imsglobal.org/spec/lti/claim/launch_presentation"] = {
        "document_target": "iframe", "return_url": "https://school.lms.test:8443/courses/1/x"}
    r = lms.launch(claims)  # a student at an unconnected link
    assert r.status_code == 409
    assert frame_ancestors(r)[0] == "'self'"
    assert {"https://lms.test", "https://school.lms.test:8443"} <= set(frame_ancestors(r))
    assert all("*" not in s and "/courses" not in s for s in frame_ancestors(r))


def test_api_clients_keep_json_errors(lms: Lms) -> None:
    r = lms.client.post("/lti/launch", base_url=TOOL, data={"id_token": "x", "state": "nope"},
                        headers={"Accept": "application/json"})
    assert r.status_code == 401 and r.mimetype == "application/json"
    assert r.get_json()["code"] == 401 and "login state" in r.get_json()["message"]
    page = lms.client.post("/lti/launch", base_url=TOOL, data={"id_token": "x", "state": "nope"},
                           headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 401 and page.mimetype == "text/html"


@pytest.mark.parametrize("path", ["/lti/passbacks", "/lti/links/1/connect", "/lti/links/1/new"])
def test_frame_forms_without_their_session_get_an_error_page(lms: Lms, path: str) -> None:
    r = lms.client.post(path, base_url=TOOL, data={"bank_id": "1"})
    assert r.status_code == 403
    assert_framable(r)
    assert "has expired or was altered" in page_text(r)


def student_landing(app: Any, lms: Lms, instructor: Any) -> Any:  # noqa: ANN401
    """A student's launch into a one-item bank from an LMS whose real host (the launch's
    return_url) is https://school.lms.test; return the practice page."""
    from tests.lti.conftest import bank_ref_for

    bank_id = make_bank(app, instructor.id, count=1)
    claims = lms.platform.resource_link_claims(
        sub="s-1", roles=[LEARNER], link_id="rl-1", target_link_uri=LAUNCH_URL,
        custom={"quizsvc_bank": bank_ref_for(app, lms.platform.issuer, bank_id)})
    claims["https://purl.imsglobal.org/spec/lti/claim/launch_presentation"] = {
        "return_url": "https://school.lms.test/courses/1"}
    return lms.launch(claims)


def test_an_answer_error_may_be_framed_where_the_launch_came_from(app, lms: Lms,
                                                                  instructor) -> None:  # noqa: ANN001
    """The student's forms carry the launch's frame session: a page about an ended session
    names the LMS's real host, which only the launch knew."""
    landing = student_landing(app, lms, instructor)
    assert landing.status_code == 200
    (form,) = forms(landing)
    ended = post_form(lms, {**form, "hidden": {**form["hidden"], "launch_token": "qz_ended"}},
                      shape="1, 1, 1")
    assert ended.status_code == 401 and "Your session has ended" in page_text(ended)
    assert_framable(ended, "https://school.lms.test")
    # A forged frame session names nobody: the registered platforms only.
    forged = post_form(lms, {**form, "hidden": {**form["hidden"], "launch_token": "qz_ended",
                                                "lti_frame": "forged"}}, shape="1, 1, 1")
    assert forged.status_code == 401 and "https://school.lms.test" not in frame_ancestors(forged)
    assert_framable(forged, "https://lms.test")


def test_the_launch_url_opened_by_hand_says_where_to_go(lms: Lms) -> None:
    r = lms.client.get("/lti/launch", base_url=TOOL)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"
    assert "open the activity from your course" in page_text(r)
    assert_framable(r)


def test_the_students_practice_page_and_its_answers_may_be_framed_by_the_lms_only(
        app, lms: Lms, instructor) -> None:  # noqa: ANN001
    """The page a student practises on in the LMS, before and after an answer: framable by the
    launching platform (its real host too), by no one else, and without X-Frame-Options."""
    landing = student_landing(app, lms, instructor)
    assert landing.status_code == 200 and "article" in landing.get_data(as_text=True)
    assert_framable(landing, "https://school.lms.test")
    assert "https://elsewhere.test" not in frame_ancestors(landing)
    (form,) = forms(landing)
    unreadable = post_form(lms, form, shape="one, two")  # shown back: uses no attempt
    assert unreadable.status_code == 422
    assert_framable(unreadable, "https://school.lms.test")
    answered = post_form(lms, form, shape="1, 1, 1")
    assert answered.status_code == 200 and "2 attempts left" in page_text(answered)
    assert_framable(answered, "https://school.lms.test")
