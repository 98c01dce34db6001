"""No impersonation: staff provision accounts, students claim them, and nobody else keeps or
obtains a credential that acts as a student outside the courses they staff."""

from __future__ import annotations

from sqlalchemy import select

from quizsvc.store.audit import AuditEvent
from tests.api.helpers import course_of, enroll


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def provision(client, instructor, email="ada@example.edu", **flags) -> dict:  # noqa: ANN001
    r = client.post("/api/v1/users", json={"email": email, "name": "Ada", **flags},
                    headers=instructor.headers)
    assert r.status_code == 201, r.json
    return r.json


def claim(client, code):  # noqa: ANN001, ANN201
    return client.post("/api/v1/users/claim", json={"code": code})


def test_claiming_ends_every_credential_staff_held(client, db, instructor):
    made = provision(client, instructor, token=True, claim_code=True)
    staff_token, code = made["token"], made["claim_code"]
    assert client.get("/api/v1/me", headers=bearer(staff_token)).status_code == 200
    r = claim(client, code)
    assert r.status_code == 201, r.json
    own = r.json["token"]
    assert r.json["user"]["id"] == made["id"] and r.json["user"]["claimed"] is True
    assert client.get("/api/v1/me", headers=bearer(own)).json["id"] == made["id"]
    assert client.get("/api/v1/me", headers=bearer(staff_token)).status_code == 401
    assert claim(client, code).status_code == 401  # one use
    # From now on the instructor can neither mint a token nor a claim code, nor revoke theirs.
    uid = made["id"]
    r = client.post(f"/api/v1/users/{uid}/tokens", json={}, headers=instructor.headers)
    assert r.status_code == 403 and "claimed" in r.json["message"]
    assert client.post(f"/api/v1/users/{uid}/claim-code",
                       headers=instructor.headers).status_code == 403
    own_id = client.get(f"/api/v1/users/{uid}/tokens", headers=bearer(own)).json["items"][-1]["id"]
    assert client.delete(f"/api/v1/users/{uid}/tokens/{own_id}",
                         headers=instructor.headers).status_code == 403
    # They still see the student, who is in their course.
    assert client.get(f"/api/v1/users/{uid}", headers=instructor.headers).status_code == 200
    actions = [(e.action, e.actor_id) for e in db.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "user", AuditEvent.target_id == uid)
        .order_by(AuditEvent.id))]
    assert ("credential.issue", instructor.id) in actions
    assert ("credential.claim_code", instructor.id) in actions
    assert actions[-1] == ("account.claim", uid)


def test_bad_claim_codes(client):
    for code in ("", "qzc_nope", "x" * 100, "qz_not-a-claim-code"):
        assert claim(client, code).status_code in (401, 422), code


def test_enrolling_in_another_course_ends_the_first_courses_credentials(
        client, instructor, other_instructor):
    """A's instructor provisioned the student; B enrols them: A's token and code stop working,
    and A's instructor can no longer get new ones (they would act in B too)."""
    made = provision(client, instructor, token=True, claim_code=True)
    uid, a_token = made["id"], made["token"]
    b_course = course_of(client, other_instructor)
    r = client.post(f"/api/v1/courses/{b_course}/enrollments", json={"email": "ada@example.edu"},
                    headers=other_instructor.headers)
    assert r.status_code == 201 and r.json["created"] is False
    assert "claim_code" not in r.json  # an existing account gets no new credential
    assert client.get("/api/v1/me", headers=bearer(a_token)).status_code == 401
    assert claim(client, made["claim_code"]).status_code == 401
    for who in (instructor, other_instructor):
        assert client.post(f"/api/v1/users/{uid}/tokens", json={},
                           headers=who.headers).status_code == 403
        assert client.post(f"/api/v1/users/{uid}/claim-code",
                           headers=who.headers).status_code == 403


def test_an_admin_recovers_an_account_staff_cannot(client, instructor, other_instructor, admin):
    made = provision(client, instructor)
    r = client.post(f"/api/v1/courses/{course_of(client, other_instructor)}/enrollments",
                    json={"email": "ada@example.edu"}, headers=other_instructor.headers)
    assert r.status_code == 201
    r = client.post(f"/api/v1/users/{made['id']}/claim-code", headers=admin.headers)
    assert r.status_code == 201
    r = claim(client, r.json["claim_code"])
    assert r.status_code == 201 and r.json["user"]["email"] == "ada@example.edu"


def test_a_student_in_two_courses_is_out_of_reach_of_each_courses_staff_elsewhere(
        client, instructor, other_instructor, make_account):
    """With every credential they can obtain, A's staff reach nothing of the student in B."""
    both = make_account("student")
    a = enroll(client, instructor, both)
    b = enroll(client, other_instructor, both)
    banks = {}
    for name, who, course in (("A", instructor, a), ("B", other_instructor, b)):
        bank = client.post(f"/api/v1/courses/{course}/banks", json={
            "title": name, "whole_course": True, "items": [{"family": "conv_output_shape"}]},
            headers=who.headers).json
        banks[name] = bank["id"]
    pb = client.get(f"/api/v1/banks/{banks['B']}", headers=both.headers).json["problems"][0]["id"]
    pa = client.get(f"/api/v1/banks/{banks['A']}", headers=both.headers).json["problems"][0]["id"]
    client.post(f"/api/v1/problems/{pb}/attempts", json={"answer": "1, 1, 1"}, headers=both.headers)
    # A's instructor: the student's A problem yes, B's no; no credential for the student.
    assert client.get(f"/api/v1/problems/{pa}", headers=instructor.headers).status_code == 200
    for url in (f"/api/v1/problems/{pb}", f"/api/v1/problems/{pb}/attempts",
                f"/api/v1/banks/{banks['B']}", f"/api/v1/banks/{banks['B']}/results",
                f"/api/v1/banks/{banks['B']}/grades.csv", f"/api/v1/courses/{b}/results"):
        assert client.get(url, headers=instructor.headers).status_code == 404, url
    assert client.post(f"/api/v1/users/{both.id}/tokens", json={},
                       headers=instructor.headers).status_code == 403
    assert client.post(f"/api/v1/users/{both.id}/claim-code",
                       headers=instructor.headers).status_code == 403
    results = client.get(f"/api/v1/courses/{a}/results", headers=instructor.headers).json["items"]
    (row,) = [r for r in results if r["user_id"] == both.id]
    assert [x["bank_id"] for x in row["banks"]] == [banks["A"]]  # B's scores are not A's to see
