"""Tokens stored as hashes and checked in constant time; security headers; CORS off unless
configured; tokens and secrets never written to the logs."""

from __future__ import annotations

import hashlib
import logging

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text

from quizsvc.web.security import JSON_CSP, redact
from quizsvc.store.models import ApiToken
from tests.hardening.conftest import bearer, make_app


def all_text_in_database(session) -> str:  # noqa: ANN001 - a Session
    """Every value of every row of every table, as one string."""
    out = []
    for table in inspect(session.get_bind()).get_table_names():
        for row in session.execute(text(f'SELECT * FROM "{table}"')):
            out.append(" ".join(str(v) for v in row))
    return "\n".join(out)


def test_tokens_are_stored_as_sha256_never_as_text(client, instructor, db):
    r = client.post("/api/v1/users", headers=instructor.headers,
                    json={"email": "new@example.edu", "token": True})
    assert r.status_code == 201
    token = r.json["token"]
    stored = db.scalar(select(ApiToken).where(ApiToken.user_id == r.json["id"]))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.token_hash != token and len(stored.hint) <= 10
    everything = all_text_in_database(db)
    assert token not in everything and token[10:] not in everything  # no column holds it
    assert client.get("/api/v1/me", headers=bearer(token)).json["id"] == r.json["id"]


def test_token_check_uses_compare_digest(client, student, monkeypatch):
    import quizsvc.services.users as users_module

    calls = []
    real = users_module.hmac.compare_digest

    def spy(a, b):  # noqa: ANN001, ANN202
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(users_module.hmac, "compare_digest", spy)
    assert client.get("/api/v1/me", headers=student.headers).status_code == 200
    digest = hashlib.sha256(student.token.encode()).hexdigest()
    assert calls == [(digest, digest)]  # the stored hash against the presented one's
    wrong = student.token[:-1] + ("A" if student.token[-1] != "A" else "B")
    assert client.get("/api/v1/me", headers=bearer(wrong)).status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/nothing", "/healthz"])
def test_security_headers(client, student, path):
    r = client.get(path, headers=student.headers)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Content-Security-Policy"] == JSON_CSP
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Cache-Control"] == "no-store"  # a token was sent: keys must not be cached
    assert "Strict-Transport-Security" not in r.headers  # plain HTTP


def test_hsts_over_https_and_html_pages_keep_their_own_framing(client):
    r = client.get("/healthz", base_url="https://quiz.example.edu")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    docs = client.get("/api/v1/docs")  # Swagger UI: inline scripts, so no JSON CSP on it
    assert docs.status_code == 200 and docs.mimetype == "text/html"
    assert "Content-Security-Policy" not in docs.headers
    assert docs.headers["X-Content-Type-Options"] == "nosniff"


def test_cors_is_off_by_default(client, student):
    for method in ("GET", "OPTIONS"):
        r = client.open("/api/v1/me", method=method, headers={
            **student.headers, "Origin": "https://evil.example",
            "Access-Control-Request-Method": "GET"})
        assert not [h for h in r.headers.keys() if h.startswith("Access-Control-")]


def test_cors_when_configured(database_url, make_account):
    app = make_app(database_url, CORS_ORIGINS="https://lms.example.edu, https://app.example.edu/")
    client = app.test_client()
    pre = client.options("/api/v1/me", headers={"Origin": "https://app.example.edu",
                                                 "Access-Control-Request-Method": "GET",
                                                 "Access-Control-Request-Headers": "Authorization"})
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == "https://app.example.edu"
    assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in pre.headers
    assert "Origin" in pre.headers["Vary"]
    evil = client.options("/api/v1/me", headers={"Origin": "https://evil.example",
                                                 "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in evil.headers
    r = client.get("/api/v1/me", headers={"Origin": "https://lms.example.edu"})
    assert r.status_code == 401 and r.headers["Access-Control-Allow-Origin"] == "https://lms.example.edu"
    assert "Retry-After" in r.headers["Access-Control-Expose-Headers"]


@pytest.fixture
def all_logs(caplog):
    """Capture every log record, at every level, from every logger."""
    caplog.set_level(logging.DEBUG)
    for name in ("quizsvc", "sqlalchemy.engine", "werkzeug"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def logged_text(caplog) -> str:  # noqa: ANN001
    handler = caplog.handler
    return "\n".join(handler.format(r) for r in caplog.records)


def test_tokens_never_logged_during_requests(database_url, make_account, all_logs):
    app = make_app(database_url, SQL_ECHO=True)  # even with every SQL statement logged
    from quizsvc.extensions import db
    from quizsvc.services import users

    with app.app_context():
        teacher = users.create_user(db.session, None, role="instructor", email="t@example.edu")
        _, token = users.issue_token(db.session, teacher)
        db.session.commit()
    client = app.test_client()
    created = client.post("/api/v1/users", headers=bearer(token),
                          json={"email": "s@example.edu", "token": True})
    assert created.status_code == 201
    student_token = created.json["token"]
    issued = client.post(f"/api/v1/users/{created.json['id']}/tokens", headers=bearer(token),
                         json={"name": "second"}).json["token"]
    assert client.get("/api/v1/me", headers=bearer(student_token)).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(student_token + "x")).status_code == 401
    roster = client.post("/api/v1/users/roster?tokens=true", headers={
        **bearer(token), "Content-Type": "text/csv"}, data="email\nr1@example.edu\n")
    roster_token = roster.json["rows"][0]["token"]
    text_logged = logged_text(all_logs)
    assert "SELECT" in text_logged and len(all_logs.records) > 20  # the capture works
    for secret in (token, student_token, issued, roster_token, app.config["SECRET_KEY"]):
        assert secret not in text_logged
        assert secret[3:] not in text_logged  # not even without the qz_ prefix


def test_tokens_never_logged_by_create_user_cli(database_url, all_logs, monkeypatch):
    from quizsvc.cli import main

    monkeypatch.setenv("QUIZSVC_DATABASE_URL", database_url)
    monkeypatch.setenv("QUIZSVC_SECRET_KEY", "cli-secret-key-for-the-test")
    monkeypatch.setenv("QUIZSVC_SQL_ECHO", "1")
    result = CliRunner().invoke(main, ["create-user", "--role", "instructor",
                                       "--email", "cli@example.edu"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("qz_")  # printed once, on standard output, by design
    text_logged = logged_text(all_logs)
    assert "INSERT INTO api_tokens" in text_logged
    assert token not in text_logged and token[3:] not in text_logged
    assert "cli-secret-key-for-the-test" not in text_logged


def test_exception_logs_are_redacted(database_url, all_logs):
    app = make_app(database_url)

    @app.route("/_test/leak")
    def leak():  # noqa: ANN202
        raise RuntimeError("failed for Authorization: Bearer qz_abcdefghijklmnopqrstuvwxyz0123456789ABCD "
                           "password=hunter2hunter2 postgresql://quiz:s3cr3t@db/quiz")

    assert app.test_client().get("/_test/leak").status_code == 500
    text_logged = logged_text(all_logs)
    assert "unhandled error" in text_logged and "RuntimeError" in text_logged
    for secret in ("qz_abcdefghijklmnopqrstuvwxyz", "hunter2hunter2", "s3cr3t"):
        assert secret not in text_logged


@pytest.mark.parametrize("raw, secret", [
    ("Authorization: Bearer qz_Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA", "Zm9vYmFyYmF6cXV4"),
    ("token=abcd1234efgh5678", "abcd1234efgh5678"),
    ('{"client_secret": "very-secret-value"}', "very-secret-value"),
    ("id_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl", "eyJzdWIi"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "MIIEow"),
    ("redis://:redispass@127.0.0.1:6379/0", "redispass"),
])
def test_redact(raw, secret):
    assert secret not in redact(raw) and "[REDACTED]" in redact(raw)


def test_redact_leaves_ordinary_text():
    line = "graded attempt 12 of problem 7: score 0.5 (token_hash lookup took 2 ms)"
    assert redact(line) == line
