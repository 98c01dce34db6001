"""Accounts in the browser: sign up, sign in, sign out, passwords, CSRF, guests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import func, select

from quizsvc.store.models import Attempt, Problem, User
from quizsvc.store.types import utcnow
from tests.web.helpers import check_html, csrf, form_answer, key_of

PASSWORD = "correct horse battery"


def _signup(client, email: str = "ada@example.edu", password: str = PASSWORD, **kw):  # noqa: ANN001, ANN202
    token = csrf(client.get("/signup").text)
    return client.post("/signup", data={"csrf_token": token, "email": email,
                                        "password": password, **kw})


def _login(client, email: str = "ada@example.edu", password: str = PASSWORD):  # noqa: ANN001, ANN202
    token = csrf(client.get("/login").text)
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def _solve_one(client, seed: int = 4) -> str:  # noqa: ANN001
    url = client.get(f"/practice/conv_output_shape?seed={seed}").headers["Location"]
    token = csrf(client.get(url).text)
    key = key_of("conv_output_shape", seed, "easy")
    client.post(url, data={"csrf_token": token, **form_answer("conv_output_shape", seed, "easy", key)})
    return url


def _users(app):  # noqa: ANN001, ANN202
    from quizsvc.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(User).order_by(User.id)))


def test_forms_are_valid_and_labelled(client):
    for path in ("/signup", "/login"):
        r = client.get(path)
        assert r.status_code == 200
        check_html(r.text)
        assert 'name="email"' in r.text and 'name="password"' in r.text


def test_sign_up_hashes_the_password_and_signs_in(app, client):
    r = _signup(client)
    assert r.status_code == 303
    home = client.get("/")
    assert "ada@example.edu" in home.text and "Sign out" in home.text
    (user,) = _users(app)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert user.guest_expires_at is None


def test_sign_up_refuses_short_password_and_taken_email(client, student):
    r = _signup(client, password="short")
    assert r.status_code == 422 and "at least 10 characters" in r.text
    check_html(r.text)
    r = _signup(client, email=student.email)
    assert r.status_code == 409 and "already an account" in r.text


def test_sign_in_and_out(app, client):
    _signup(client)
    other = app.test_client()
    bad = _login(other, password="not the password")
    assert bad.status_code == 401 and "do not match" in bad.text
    assert _login(other, email="nobody@example.edu").status_code == 401
    r = _login(other)
    assert r.status_code == 303
    page = other.get("/")
    assert "Sign out" in page.text
    out = other.post("/logout", data={"csrf_token": csrf(page.text)})
    assert out.status_code == 303
    assert "Sign out" not in other.get("/").text


def test_login_redirects_only_to_local_pages(client):
    _signup(client)
    fresh = client.application.test_client()
    token = csrf(fresh.get("/login").text)
    r = fresh.post("/login", data={"csrf_token": token, "email": "ada@example.edu",
                                   "password": PASSWORD, "next": "https://evil.example/"})
    assert r.headers["Location"] == "/"
    token = csrf(fresh.get("/login").text)
    r = fresh.post("/login", data={"csrf_token": token, "email": "ada@example.edu",
                                   "password": PASSWORD, "next": "/progress"})
    assert r.headers["Location"] == "/progress"


def test_forms_without_the_csrf_token_are_refused(app, client):
    for path, data in (("/signup", {"email": "eve@example.edu", "password": PASSWORD}),
                       ("/login", {"email": "eve@example.edu", "password": PASSWORD}),
                       ("/logout", {})):
        r = client.post(path, data=data)
        assert r.status_code == 400 and r.mimetype == "text/html", path
        assert "Traceback" not in r.text
    url = client.get("/practice/conv_output_shape?seed=1").headers["Location"]
    r = client.post(url, data={"shape": "1, 2, 3", "csrf_token": "forged"})
    assert r.status_code == 400
    from quizsvc.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
        assert db.session.scalar(select(User.id).where(User.email == "eve@example.edu")) is None


def test_the_api_needs_no_csrf_token_and_tokens_still_work(client, student):
    client.get("/practice/conv_output_shape?seed=1")  # a guest session cookie in the client
    r = client.post("/api/v1/problems", headers=student.headers,
                    json={"family": "conv_output_shape", "level": "easy"})
    assert r.status_code == 201, r.json
    assert r.json["owner_id"] == student.id  # the token decides, not the cookie
    assert client.post("/api/v1/problems", json={"family": "conv_output_shape"}).status_code == 401


def test_guest_progress_is_kept_on_sign_up(app, client):
    _solve_one(client)
    (guest,) = _users(app)
    assert guest.guest_expires_at is not None and guest.email is None
    assert "1 of 1" in client.get("/progress").text
    r = _signup(client)
    assert r.status_code == 303
    (user,) = _users(app)
    assert user.id == guest.id and user.email == "ada@example.edu"
    assert user.guest_expires_at is None
    progress = client.get("/progress").text
    assert "<code>conv_output_shape</code>" in progress and "1 of 1" in progress


def test_signing_in_as_a_guest_brings_the_guest_practice(app, client):
    _signup(app.test_client())
    _solve_one(client)
    r = _login(client)
    assert r.status_code == 303
    users = _users(app)
    assert [u.email for u in users] == ["ada@example.edu"], "the guest is gone"
    assert "1 of 1" in client.get("/progress").text


def test_password_change_ends_other_sessions(app, client):
    _signup(client)
    other = app.test_client()
    _login(other)
    assert "Sign out" in other.get("/").text
    page = client.get("/account/password")
    check_html(page.text)
    wrong = client.post("/account/password", data={"csrf_token": csrf(page.text),
                                                   "current_password": "nope",
                                                   "password": "a new long password"})
    assert wrong.status_code == 401
    r = client.post("/account/password", data={"csrf_token": csrf(page.text),
                                               "current_password": PASSWORD,
                                               "password": "a new long password"})
    assert r.status_code == 303
    assert "Sign out" in client.get("/").text, "this session goes on"
    assert "Sign out" not in other.get("/").text, "the other session ended"
    assert _login(app.test_client(), password="a new long password").status_code == 303


def test_sign_in_is_rate_limited_per_email(app):
    app.config["LOGIN_RATE_EMAIL"] = "3 per minute"
    app.config["LOGIN_RATE"] = "100 per minute"
    client = app.test_client()
    codes = [_login(client, password=f"wrong {n}").status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]
    r = _login(client, password=f"wrong {5}")
    assert r.mimetype == "text/html" and "Too many sign-in tries" in r.text


def test_new_guests_are_rate_limited_per_address(app):
    app.config["GUEST_RATE"] = "2 per hour"
    codes = [app.test_client().get("/practice/conv_output_shape").status_code for _ in range(3)]
    assert codes == [303, 303, 429]


def test_a_guest_holds_a_bounded_number_of_problems(app, client):
    app.config["GUEST_MAX_PROBLEMS"] = 2
    assert client.get("/practice/conv_output_shape").status_code == 303
    assert client.get("/practice/conv_output_shape").status_code == 303
    r = client.get("/practice/conv_output_shape")
    assert r.status_code == 409 and "sign up" in r.text


def test_expired_guests_are_purged_and_lose_their_session(app, client):
    from quizsvc.extensions import db
    from quizsvc.services import accounts

    _solve_one(client)
    with app.app_context():
        guest = db.session.scalars(select(User)).one()
        guest.guest_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert "No attempts yet" in client.get("/progress").text, "an expired guest is signed out"
    with app.app_context():
        assert accounts.purge_guests(db.session) == 1
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Problem)) == 0
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def _cli(args: list[str], database_url: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {"QUIZSVC_DATABASE_URL": database_url, "QUIZSVC_SECRET_KEY": "test-secret-key",
           "PATH": "/usr/bin:/bin", "PYTHONPATH": os.environ.get("PYTHONPATH", os.getcwd())}
    return subprocess.run([sys.executable, "-c", "from quizsvc.cli import main; main()", *args],
                          input=stdin, capture_output=True, text=True, env=env, timeout=60)


def test_cli_set_password_then_sign_in(app, database_url, instructor):
    done = _cli(["set-password", instructor.email], database_url, "the instructor's pass\n")
    assert done.returncode == 0, done.stderr
    assert _login(app.test_client(), email=instructor.email,
                  password="the instructor's pass").status_code == 303
    short = _cli(["set-password", instructor.email], database_url, "short\n")
    assert short.returncode != 0 and "at least 10" in short.stderr
    unknown = _cli(["set-password", "nobody@example.edu"], database_url, "long enough pass\n")
    assert unknown.returncode != 0 and "no account" in unknown.stderr


def test_cli_purge_guests(app, database_url):
    from quizsvc.extensions import db
    from quizsvc.services import accounts

    with app.app_context():
        accounts.create_guest(db.session, timedelta(days=1), 100)
        accounts.create_guest(db.session, timedelta(days=-1), 100)  # already expired
        db.session.commit()
    done = _cli(["purge-guests"], database_url)
    assert done.returncode == 0, done.stderr
    assert re.search(r"deleted 1 expired guest", done.stdout)
    assert len(_users(app)) == 1
