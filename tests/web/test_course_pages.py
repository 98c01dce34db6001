"""Course pages: the course list, a course's roster, join code and banks, by role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizsvc.store.courses import Course, Enrollment
from quizsvc.store.models import User
from tests.web.helpers import check_html, csrf

PASSWORD = "correct horse battery"


@pytest.fixture
def world(app):
    """Instructor A's course (a TA, a student), instructor B's course; all with passwords."""
    from quizsvc.extensions import db
    from quizsvc.services import accounts, courses, users

    with app.app_context():
        s = db.session
        a = users.create_user(s, None, role="instructor", name="Ann Instructor", email="a@x.edu")
        b = users.create_user(s, None, role="instructor", name="Bob Other", email="b@x.edu")
        ta = users.create_user(s, None, name="Tia Assistant", email="ta@x.edu")
        st = users.create_user(s, None, name="Sam Student", email="st@x.edu")
        for u in (a, b, ta, st):
            accounts.set_password(s, u.email, PASSWORD)
        ca = courses.create_course(s, a, "Deep Learning", "Spring 2027", "DL1")
        cb = courses.create_course(s, b, "Vision", "Spring 2027")
        courses.enroll(s, a, ca, ta, "ta")
        courses.enroll(s, a, ca, st, "student")
        s.commit()
        return {"a": a.id, "b": b.id, "ta": ta.id, "st": st.id, "ca": ca.id, "cb": cb.id}


def _client(app, email: str):
    client = app.test_client()
    token = csrf(client.get("/login").text)
    r = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert r.status_code == 303, r.text
    return client


def _post(client, page: str, url: str, **data):
    """Post a form of `page` with the page's CSRF token."""
    return client.post(url, data={"csrf_token": csrf(client.get(page).text), **data})


def _members(app, course_id: int) -> dict[str, str]:
    from quizsvc.extensions import db

    with app.app_context():
        rows = db.session.execute(select(User.email, Enrollment.role).join(
            Enrollment, Enrollment.user_id == User.id).where(Enrollment.course_id == course_id))
        return dict(rows.all())


def _join_code(app, course_id: int) -> str | None:
    from quizsvc.extensions import db

    with app.app_context():
        return db.session.get(Course, course_id).join_code


def test_signed_out_is_sent_to_sign_in(client, world):
    for path in ("/courses", f"/courses/{world['ca']}"):
        r = client.get(path)
        assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_course_list_by_role(app, world):
    a = _client(app, "a@x.edu").get("/courses")
    assert a.status_code == 200
    check_html(a.text)
    assert "Deep Learning" in a.text and "Vision" not in a.text
    assert "Create a course" in a.text and 'href="/courses"' in a.text  # the nav link
    st = _client(app, "st@x.edu").get("/courses")
    assert "Deep Learning" in st.text and "Student" in st.text
    assert "Create a course" not in st.text
    ta = _client(app, "ta@x.edu").get("/courses")
    assert "Deep Learning" in ta.text and ">TA<" in ta.text


def test_instructor_creates_a_course(app, world):
    client = _client(app, "a@x.edu")
    r = _post(client, "/courses", "/courses", title="  Signals  ", term="Fall", code="SIG")
    assert r.status_code == 303
    page = client.get(r.headers["Location"])
    assert page.status_code == 200 and "<h1>Signals</h1>" in page.text
    check_html(page.text)
    empty = _post(client, "/courses", "/courses", title="   ")
    assert empty.status_code == 422 and "needs a title" in empty.text
    check_html(empty.text)
    refused = _post(_client(app, "st@x.edu"), "/courses", "/courses", title="Mine")
    assert refused.status_code == 403 and "<html" in refused.text


def test_course_page_by_role(app, world):
    path = f"/courses/{world['ca']}"
    a = _client(app, "a@x.edu").get(path)
    assert a.status_code == 200
    check_html(a.text)
    for text in ("st@x.edu", "ta@x.edu", "Make TA", "Make student", "Join code",
                 f"/banks/new?course={world['ca']}", "Upload a roster"):
        assert text in a.text, text
    ta = _client(app, "ta@x.edu").get(path)
    assert ta.status_code == 200 and "st@x.edu" in ta.text and "Upload a roster" in ta.text
    assert "Make TA" not in ta.text and "/banks/new" not in ta.text  # TAs do not change staff
    st = _client(app, "st@x.edu").get(path)
    assert st.status_code == 200 and "Deep Learning" in st.text
    for hidden in ("ta@x.edu", "Join code", "Upload a roster", _join_code(app, world["ca"])):
        assert hidden not in st.text, hidden
    other = _client(app, "b@x.edu").get(path)
    assert other.status_code == 404 and "<html" in other.text and "Deep Learning" not in other.text
    assert _client(app, "a@x.edu").get("/courses/999").status_code == 404


def test_the_course_banks_are_listed(app, world):
    from quizsvc.extensions import db
    from quizsvc.services import banks
    from quizsvc.services.banks import ItemSpec
    from quizsvc.services.policy import Policy

    with app.app_context():
        owner = db.session.get(User, world["a"])
        course = db.session.get(Course, world["ca"])
        bank = banks.create_bank(db.session, owner, "Week 1", [ItemSpec("conv_output_shape", "easy", 1)],
                                 Policy(None, "always"), course=course)
        db.session.commit()
        bank_id = bank.id
    a = _client(app, "a@x.edu").get(f"/courses/{world['ca']}")
    assert f'href="/banks/{bank_id}"' in a.text and "Week 1" in a.text
    st = _client(app, "st@x.edu").get(f"/courses/{world['ca']}")
    assert "Week 1" not in st.text  # not assigned to them


def test_enrol_by_email(app, world):
    client = _client(app, "a@x.edu")
    page = f"/courses/{world['ca']}"
    r = _post(client, page, f"{page}/enrol", email="B@X.edu")  # an existing account, any case
    assert r.status_code == 303
    assert _members(app, world["ca"])["b@x.edu"] == "student"
    new = _post(client, page, f"{page}/enrol", email="new@x.edu")
    assert new.status_code == 200 and "<code>qzc_" in new.text  # shown once, on this page
    assert _members(app, world["ca"])["new@x.edu"] == "student"
    bad = _post(client, page, f"{page}/enrol", email="not an email")
    assert bad.status_code == 303 and "not an email address" in client.get(page).text
    assert "not an email" not in _members(app, world["ca"])


def test_role_change_and_removal_follow_the_staff_rules(app, world):
    page = f"/courses/{world['ca']}"
    ta = _client(app, "ta@x.edu")
    _post(ta, page, f"{page}/members/{world['st']}/role", role="ta")
    assert _members(app, world["ca"])["st@x.edu"] == "student"  # a TA does not make staff
    a = _client(app, "a@x.edu")
    assert _post(a, page, f"{page}/members/{world['st']}/role", role="ta").status_code == 303
    assert _members(app, world["ca"])["st@x.edu"] == "ta"
    _post(a, page, f"{page}/members/{world['st']}/role", role="student")
    assert _members(app, world["ca"])["st@x.edu"] == "student"
    assert _post(ta, page, f"{page}/members/{world['st']}/remove").status_code == 303
    assert "st@x.edu" not in _members(app, world["ca"])  # TAs manage enrolments
    _post(ta, page, f"{page}/members/{world['a']}/remove")
    assert _members(app, world["ca"])["a@x.edu"] == "instructor"
    b = _client(app, "b@x.edu")
    refused = b.post(f"{page}/members/{world['ta']}/remove",
                     data={"csrf_token": csrf(b.get("/courses").text)})
    assert refused.status_code == 404 and "ta@x.edu" in _members(app, world["ca"])


def test_join_code_rotate_disable_enable(app, world):
    page = f"/courses/{world['ca']}"
    first = _join_code(app, world["ca"])
    ta = _client(app, "ta@x.edu")
    assert _post(ta, page, f"{page}/join-code", action="rotate").status_code == 303
    second = _join_code(app, world["ca"])
    assert second and second != first and second in ta.get(page).text
    _post(ta, page, f"{page}/join-code", action="disable")
    assert _join_code(app, world["ca"]) is None
    assert "Joining by code is disabled" in ta.get(page).text
    _post(ta, page, f"{page}/join-code", action="rotate")
    assert _join_code(app, world["ca"]) not in (None, first, second)
    st = _client(app, "st@x.edu")
    refused = st.post(f"{page}/join-code", data={"csrf_token": csrf(st.get("/courses").text),
                                                 "action": "disable"})
    assert refused.status_code == 403 and _join_code(app, world["ca"]) is not None


ROSTER = ("name,email,sis_user_id\n"
          "New One,one@x.edu,S1\n"
          "Bob Other,b@x.edu,\n"
          "Sam Student,ST@x.edu,\n")


def _upload(client, course_id: int, text: str):
    import io

    page = f"/courses/{course_id}"
    return client.post(f"{page}/roster", content_type="multipart/form-data", data={
        "csrf_token": csrf(client.get(page).text),
        "roster": (io.BytesIO(text.encode()), "roster.csv")})


def test_roster_preview_then_confirm(app, world):
    client = _client(app, "ta@x.edu")
    before = _members(app, world["ca"])
    preview = _upload(client, world["ca"], ROSTER)
    assert preview.status_code == 200
    check_html(preview.text)
    assert _members(app, world["ca"]) == before  # a preview changes nothing
    from quizsvc.extensions import db

    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "one@x.edu")) is None
    text = preview.text
    assert text.index("one@x.edu") < text.index("Existing accounts to enrol") \
        < text.index("b@x.edu") < text.index("Already in the course") < text.index("st@x.edu")
    confirm = client.post(f"/courses/{world['ca']}/roster/confirm",
                          data={"csrf_token": csrf(text), "roster_text": ROSTER})
    assert confirm.status_code == 200 and "Roster imported" in confirm.text
    assert confirm.text.count("<code>qzc_") == 1  # one new account: one claim code
    after = _members(app, world["ca"])
    assert after["one@x.edu"] == after["b@x.edu"] == after["st@x.edu"] == "student"
    again = client.post(f"/courses/{world['ca']}/roster/confirm",
                        data={"csrf_token": csrf(text), "roster_text": ROSTER})
    assert again.status_code == 303 and _members(app, world["ca"]) == after


def test_a_bad_roster_row_applies_nothing(app, world):
    client = _client(app, "a@x.edu")
    bad = ROSTER + "No Mail,,\nTwice,one@x.edu,\nBroken,not-an-email,\n"
    before = _members(app, world["ca"])
    preview = _upload(client, world["ca"], bad)
    assert preview.status_code == 422
    check_html(preview.text)
    for where, why in (("line 5", "no email"), ("line 6", "one@x.edu appears twice"),
                       ("line 7", "not an email address")):
        assert where in preview.text and why in preview.text, where
    assert "Confirm" not in preview.text
    r = client.post(f"/courses/{world['ca']}/roster/confirm",
                    data={"csrf_token": csrf(preview.text), "roster_text": bad})
    assert r.status_code == 303 and "Nothing was imported" in client.get(r.headers["Location"]).text
    assert _members(app, world["ca"]) == before
    from quizsvc.extensions import db

    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "one@x.edu")) is None


def test_roster_without_email_column_or_too_large(app, world):
    client = _client(app, "a@x.edu")
    r = _upload(client, world["ca"], "name\nAda\n")
    assert r.status_code == 422 and "email" in r.text and "Confirm" not in r.text
    big = _upload(client, world["ca"], "email\n" + "x" * (130 * 1024))
    assert big.status_code == 303
    assert "larger than 128 KiB" in client.get(f"/courses/{world['ca']}").text
    other = _upload(_client(app, "b@x.edu"), world["ca"], ROSTER)
    assert other.status_code == 404 and "one@x.edu" not in _members(app, world["ca"])


def test_every_course_form_needs_the_csrf_token(app, world):
    client = _client(app, "a@x.edu")
    page = f"/courses/{world['ca']}"
    for action, data in (("/courses", {"title": "X"}), (f"{page}/enrol", {"email": "z@x.edu"}),
                         (f"{page}/join-code", {"action": "disable"}),
                         (f"{page}/members/{world['st']}/remove", {}),
                         (f"{page}/members/{world['st']}/role", {"role": "ta"}),
                         (f"{page}/roster/confirm", {"roster_text": ROSTER})):
        r = client.post(action, data=data)
        assert r.status_code == 400 and "<html" in r.text, action
    assert _members(app, world["ca"])["st@x.edu"] == "student"
    assert _join_code(app, world["ca"]) is not None


def test_roster_preview_warns_that_a_listed_ta_becomes_a_student(app, world):
    client = _client(app, "a@x.edu")
    preview = _upload(client, world["ca"], "email\nta@x.edu\n")
    assert preview.status_code == 200 and "TA: will become a student" in preview.text
    assert _members(app, world["ca"])["ta@x.edu"] == "ta"
