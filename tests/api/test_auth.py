"""Bearer tokens: missing, malformed, unknown, revoked; role checks."""

from __future__ import annotations

import pytest

from quizsvc.services.users import hash_token
from quizsvc.store.models import ApiToken


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Token x",
                                    "Bearer qz_not-a-real-token", "Bearer " + "x" * 300])
def test_bad_credentials_are_401(client, header):
    headers = {"Authorization": header} if header is not None else {}
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    assert r.json["code"] == 401 and "token" in r.json["message"].lower()
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_works_and_is_stored_hashed(client, db, student):
    r = client.get("/api/v1/me", headers=student.headers)
    assert r.status_code == 200 and r.json["id"] == student.id and r.json["role"] == "student"
    stored = db.query(ApiToken).filter_by(user_id=student.id).one()
    assert stored.token_hash == hash_token(student.token) and student.token not in stored.token_hash
    assert student.token.startswith("qz_") and len(student.token) > 40


def test_revoked_token_is_refused(client, student):
    tokens = client.get(f"/api/v1/users/{student.id}/tokens", headers=student.headers).json["items"]
    assert len(tokens) == 1 and "token" not in tokens[0]
    r = client.delete(f"/api/v1/users/{student.id}/tokens/{tokens[0]['id']}", headers=student.headers)
    assert r.status_code == 204
    r = client.get("/api/v1/me", headers=student.headers)
    assert r.status_code == 401 and "revoked" in r.json["message"]


def test_deactivated_user_is_refused(client, db, student):
    from quizsvc.store.models import User

    db.get(User, student.id).active = False
    db.commit()
    assert client.get("/api/v1/me", headers=student.headers).status_code == 401


@pytest.mark.parametrize("method, path", [
    ("POST", "/api/v1/check"), ("POST", "/api/v1/users"), ("POST", "/api/v1/users/roster"),
    ("POST", "/api/v1/courses"),
])
def test_student_refused_instructor_routes(client, student, method, path):
    r = client.open(path, method=method, json={}, headers=student.headers)
    assert r.status_code == 403
    assert "instructor" in r.json["message"]


def test_a_student_lists_only_themselves(client, student, other_student):
    r = client.get("/api/v1/users", headers=student.headers)
    assert r.status_code == 200 and [u["id"] for u in r.json["items"]] == [student.id]


@pytest.mark.parametrize("path", ["/api/v1/families", "/api/v1/me", "/api/v1/me/attempts",
                                  "/api/v1/me/progress", "/api/v1/problems/1",
                                  "/api/v1/users/1"])
def test_authenticated_routes_refuse_anonymous(client, path):
    assert client.get(path).status_code == 401
