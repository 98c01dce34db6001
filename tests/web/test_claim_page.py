"""The claim page: a student whose account staff made claims it with the one-time code and a
password, and is signed in; wrong, reused and mistyped codes are refused without spending it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizsvc.store.models import ApiToken, User
from tests.web.helpers import check_html, csrf

PASSWORD = "a long new password"


@pytest.fixture
def made(app, make_account):
    """An instructor's course with two staff-made students, one without an email; their codes."""
    from quizsvc.extensions import db
    from quizsvc.services import claims, courses, users

    teacher_acc = make_account("instructor", email="teacher@example.edu")
    with app.app_context():
        teacher = db.session.get(User, teacher_acc.id)
        course = courses.create_course(db.session, teacher, "Deep learning 101")
        ada = users.create_user(db.session, teacher, name="Ada", email="ada@example.edu",
                                course=course)
        bob = users.create_user(db.session, teacher, name="Bob", course=course)
        users.issue_token(db.session, ada, "from staff", issued_by=teacher)
        out = {"ada": ada.id, "bob": bob.id,
               "ada_code": claims.issue_claim_code(db.session, teacher, ada),
               "bob_code": claims.issue_claim_code(db.session, teacher, bob)}
        db.session.commit()
    return out


def _claim(client, code: str, email: str = "ada@example.edu", password: str = PASSWORD,
           again: str | None = None):
    token = csrf(client.get("/claim").text)
    return client.post("/claim", data={"csrf_token": token, "code": code, "email": email,
                                       "password": password,
                                       "password_again": password if again is None else again})


def _user(app, user_id: int) -> User:
    from quizsvc.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def _login(app, email: str, password: str):
    client = app.test_client()
    token = csrf(client.get("/login").text)
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def test_the_form_is_valid_and_linked_from_sign_in(client):
    page = client.get("/claim")
    assert page.status_code == 200
    check_html(page.text)
    for name in ("code", "email", "password", "password_again"):
        assert f'name="{name}"' in page.text
    assert 'href="/claim"' in client.get("/login").text


def test_a_good_code_claims_the_account_and_signs_in(app, made):
    client = app.test_client()
    r = _claim(client, made["ada_code"])
    assert r.status_code == 303
    home = client.get(r.headers["Location"]).text
    assert "Sign out" in home and "ada@example.edu" in home
    user = _user(app, made["ada"])
    assert user.claimed_at is not None and user.claim_code_hash is None
    assert user.password_hash.startswith("$argon2id$")
    from quizsvc.extensions import db

    with app.app_context():  # the token staff held for the account ends with the claim
        assert all(t.revoked_at is not None for t in db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == made["ada"],
                                   ApiToken.issued_by_id.is_not(None))))
    assert _login(app, "ada@example.edu", PASSWORD).status_code == 303


def test_a_used_code_is_refused(app, made):
    assert _claim(app.test_client(), made["ada_code"]).status_code == 303
    client = app.test_client()
    again = _claim(client, made["ada_code"], password="another long password")
    assert again.status_code == 401
    check_html(again.text)
    assert 'href="#code"' in again.text and 'id="code-error"' in again.text
    assert "Sign out" not in client.get("/").text
    assert _login(app, "ada@example.edu", "another long password").status_code == 401


@pytest.mark.parametrize(("code", "email"), [("qzc_not-a-real-code", "ada@example.edu"),
                                             ("nonsense", "ada@example.edu"),
                                             (None, "someone@example.edu")])
def test_a_bad_code_or_the_wrong_email_is_refused_and_the_code_still_works(app, made, code,
                                                                           email):
    client = app.test_client()
    r = _claim(client, code or made["ada_code"], email=email)
    assert r.status_code == 401 and 'href="#code"' in r.text
    assert "not valid" in r.text and "Traceback" not in r.text
    assert _user(app, made["ada"]).claimed_at is None
    assert _claim(app.test_client(), made["ada_code"]).status_code == 303


@pytest.mark.parametrize(("password", "again", "field"), [("short", None, "password"),
                                                          (PASSWORD, "something else",
                                                           "password_again")])
def test_a_bad_password_is_reported_at_its_field_and_spends_nothing(app, made, password, again,
                                                                    field):
    r = _claim(app.test_client(), made["ada_code"], password=password, again=again)
    assert r.status_code == 422 and f'href="#{field}"' in r.text and f'id="{field}-error"' in r.text
    assert 'value="ada@example.edu"' in r.text
    assert _user(app, made["ada"]).claimed_at is None
    assert _claim(app.test_client(), made["ada_code"]).status_code == 303


def test_an_account_made_without_an_email_takes_the_one_typed(app, made):
    taken = _claim(app.test_client(), made["bob_code"], email="teacher@example.edu")
    assert taken.status_code == 409 and 'href="#email"' in taken.text
    assert _claim(app.test_client(), made["bob_code"], email="Bob@Example.edu").status_code == 303
    assert _user(app, made["bob"]).email == "bob@example.edu"
    assert _login(app, "bob@example.edu", PASSWORD).status_code == 303


def test_the_form_needs_the_csrf_token(app, made):
    r = app.test_client().post("/claim", data={"code": made["ada_code"], "email": "ada@example.edu",
                                               "password": PASSWORD, "password_again": PASSWORD})
    assert r.status_code == 400
    assert _user(app, made["ada"]).claimed_at is None


def test_claims_are_rate_limited_per_address(app, made):
    app.config["LOGIN_RATE"] = "3 per minute"
    client = app.test_client()
    codes = [_claim(client, f"qzc_guess{n}").status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]
    assert "Too many claim tries" in _claim(client, "qzc_guess").text
