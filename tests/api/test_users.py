"""Users: create one in a course, import a CSV roster, list, show, issue and revoke tokens."""

from __future__ import annotations

import pytest

from tests.api.helpers import course_of, enroll

ROSTER = "name,email,sis_user_id\nAda Lovelace,Ada@Example.edu,1001\nAlan Turing,alan@example.edu,1002\n"


def post_roster(client, who, text, tokens=False, content_type="text/csv"):
    return client.post(f"/api/v1/users/roster?tokens={'true' if tokens else 'false'}", data=text,
                       headers={**who.headers, "Content-Type": content_type})


def ids(client, who, query=""):
    r = client.get(f"/api/v1/users{query}", headers=who.headers)
    assert r.status_code == 200, r.json
    return [u["id"] for u in r.json["items"]]


def test_instructor_creates_a_student_with_a_token_in_their_course(client, instructor):
    r = client.post("/api/v1/users", json={"name": "Grace", "email": "grace@example.edu",
                                           "sis_user_id": "77", "token": True},
                    headers=instructor.headers)
    assert r.status_code == 201, r.json
    assert r.json["role"] == "student" and r.json["email"] == "grace@example.edu"
    assert r.json["claimed"] is False  # provisioned: the student has not claimed it yet
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json['token']}"})
    assert me.status_code == 200 and me.json["id"] == r.json["id"]
    assert "token" not in me.json
    course = course_of(client, instructor)
    roster = client.get(f"/api/v1/courses/{course}/enrollments", headers=instructor.headers).json
    assert {(e["user_id"], e["role"]) for e in roster["items"]} == {
        (instructor.id, "instructor"), (r.json["id"], "student")}
    tokens = client.get(f"/api/v1/users/{r.json['id']}/tokens", headers=instructor.headers).json["items"]
    assert [t["issued_by_id"] for t in tokens] == [instructor.id]


def test_instructor_cannot_create_staff_but_admin_can(client, instructor, admin):
    r = client.post("/api/v1/users", json={"role": "instructor", "email": "i@example.edu"},
                    headers=instructor.headers)
    assert r.status_code == 403
    r = client.post("/api/v1/users", json={"role": "instructor", "email": "i@example.edu"},
                    headers=admin.headers)
    assert r.status_code == 201 and r.json["role"] == "instructor"


@pytest.mark.parametrize("body, status", [
    ({"email": "not-an-email"}, 422), ({"role": "wizard"}, 422), ({"email": "x@y.z", "colour": 1}, 422),
    ({"email": "x@y.z", "course_id": 999999}, 404),
])
def test_bad_user_requests(client, instructor, body, status):
    assert client.post("/api/v1/users", json=body, headers=instructor.headers).status_code == status


def test_a_student_cannot_be_created_in_someone_elses_course(client, instructor, other_instructor):
    theirs = course_of(client, other_instructor)
    r = client.post("/api/v1/users", json={"email": "x@example.edu", "course_id": theirs},
                    headers=instructor.headers)
    assert r.status_code == 404


def test_duplicate_email_is_409(client, instructor, student):
    r = client.post("/api/v1/users", json={"email": student.email.upper()}, headers=instructor.headers)
    assert r.status_code == 409 and "already exists" in r.json["message"]


def test_roster_import_is_idempotent_and_issues_tokens_once(client, instructor):
    r = post_roster(client, instructor, ROSTER, tokens=True)
    assert r.status_code == 201, r.json
    assert r.json["created"] == 2 and r.json["existing"] == 0
    ada = r.json["rows"][0]
    assert ada["user"]["email"] == "ada@example.edu" and ada["user"]["sis_user_id"] == "1001"
    assert ada["enrolled"] is True
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {ada['token']}"}).json["name"] == "Ada Lovelace"
    again = post_roster(client, instructor, ROSTER + "Kurt,kurt@example.edu,\n", tokens=True).json
    assert again["created"] == 1 and again["existing"] == 2
    assert [row["token"] is None for row in again["rows"]] == [True, True, False]
    assert [row["enrolled"] for row in again["rows"]] == [False, False, True]


@pytest.mark.parametrize("text, fragment", [
    ("name,sis\nAda,1\n", "email"),
    ("email\nada@example.edu\nada@example.edu\n", "twice"),
    ("email,name\nnot-an-email,Bob\n", "bad line"),
])
def test_bad_rosters_import_nothing(client, instructor, text, fragment):
    r = post_roster(client, instructor, text)
    assert r.status_code == 422 and fragment in (r.json["message"] + str(r.json["errors"]))
    assert ids(client, instructor) == [instructor.id]


def test_roster_needs_csv(client, instructor):
    r = client.post("/api/v1/users/roster", json={"csv": ROSTER}, headers=instructor.headers)
    assert r.status_code == 415 and "text/csv" in r.json["message"]


def test_listing_and_showing_users(client, instructor, other_instructor, admin, student, other_student):
    enroll(client, instructor, student)
    enroll(client, other_instructor, other_student)
    assert ids(client, instructor) == [instructor.id, student.id]  # the members of their course
    assert ids(client, other_instructor) == [other_instructor.id, other_student.id]
    assert set(ids(client, admin)) == {instructor.id, other_instructor.id, admin.id, student.id,
                                       other_student.id}
    assert ids(client, admin, "?role=instructor") == [instructor.id, other_instructor.id]
    page = client.get("/api/v1/users?page_size=1&page=2", headers=admin.headers).json
    assert page["total"] == 5 and page["pages"] == 5 and len(page["items"]) == 1
    assert client.get(f"/api/v1/users/{student.id}", headers=student.headers).status_code == 200
    assert client.get(f"/api/v1/users/{other_student.id}", headers=student.headers).status_code == 404
    assert client.get(f"/api/v1/users/{student.id}", headers=instructor.headers).status_code == 200
    assert client.get(f"/api/v1/users/{other_student.id}", headers=instructor.headers).status_code == 404
    assert client.get(f"/api/v1/users/{other_instructor.id}", headers=instructor.headers).status_code == 404
    assert client.get("/api/v1/users/999999999", headers=admin.headers).status_code == 404


def test_tokens(client, instructor, other_student):
    made = client.post("/api/v1/users", json={"email": "s@example.edu", "token": True},
                       headers=instructor.headers).json
    student = {"Authorization": f"Bearer {made['token']}"}
    sid = made["id"]
    r = client.post(f"/api/v1/users/{sid}/tokens", json={"name": "laptop"},
                    headers=instructor.headers)
    assert r.status_code == 201 and r.json["token"].startswith(r.json["hint"])
    new = {"Authorization": f"Bearer {r.json['token']}"}
    assert client.get("/api/v1/me", headers=new).json["id"] == sid
    listed = client.get(f"/api/v1/users/{sid}/tokens", headers=student).json["items"]
    assert {t["name"] for t in listed} == {"created", "laptop"} and all("token" not in t for t in listed)
    # Students cannot mint or revoke tokens for someone else; nor see that the account exists.
    assert client.post(f"/api/v1/users/{other_student.id}/tokens", json={},
                       headers=student).status_code == 404
    assert client.delete(f"/api/v1/users/{sid}/tokens/{r.json['id']}",
                         headers=other_student.headers).status_code == 404
    assert client.delete(f"/api/v1/users/{other_student.id}/tokens/{r.json['id']}",
                         headers=instructor.headers).status_code == 404
    assert client.delete(f"/api/v1/users/{sid}/tokens/{r.json['id']}",
                         headers=instructor.headers).status_code == 204
    assert client.get("/api/v1/me", headers=new).status_code == 401
    assert client.get("/api/v1/me", headers=student).status_code == 200
