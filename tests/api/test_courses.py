"""Courses: creating and archiving, join codes, enrolments, rosters, whole-course banks, copies."""

from __future__ import annotations

import pytest

from tests.api.helpers import enroll

FAMILY = "conv_output_shape"


def new_course(client, who, **body) -> dict:  # noqa: ANN001
    r = client.post("/api/v1/courses", json={"title": "CNNs", "term": "Fall 2026", **body},
                    headers=who.headers)
    assert r.status_code == 201, r.json
    return r.json


def join(client, who, code):  # noqa: ANN001, ANN201
    return client.post("/api/v1/courses/join", json={"code": code}, headers=who.headers)


def roles(client, who, course_id) -> dict[int, str]:  # noqa: ANN001
    r = client.get(f"/api/v1/courses/{course_id}/enrollments", headers=who.headers)
    assert r.status_code == 200, r.json
    return {e["user_id"]: e["role"] for e in r.json["items"]}


def test_create_list_show_update_and_archive(client, instructor, other_instructor):
    course = new_course(client, instructor, code="CS 231")
    assert course["your_role"] == "instructor" and course["instructors"] == 1
    assert course["join_code"] and course["code"] == "CS 231" and course["archived"] is False
    page = client.get("/api/v1/courses", headers=instructor.headers).json
    assert [c["id"] for c in page["items"]] == [course["id"]] and page["total"] == 1
    assert client.get("/api/v1/courses", headers=other_instructor.headers).json["items"] == []
    r = client.patch(f"/api/v1/courses/{course['id']}", json={"title": "CNNs II", "archived": True},
                     headers=instructor.headers)
    assert r.status_code == 200 and r.json["title"] == "CNNs II" and r.json["archived"] is True
    active = client.get("/api/v1/courses?archived=false", headers=instructor.headers).json
    assert active["items"] == []
    # An archived course takes no new banks or members.
    r = client.post("/api/v1/banks", json={"title": "x", "course_id": course["id"],
                                           "items": [{"family": FAMILY}]},
                    headers=instructor.headers)
    assert r.status_code == 403 and "archived" in r.json["message"]


def test_join_rotate_disable_and_wrong_codes(client, instructor, student, other_student):
    course = new_course(client, instructor)
    code = course["join_code"]
    typed = code.lower()[:4] + "-" + code.lower()[4:]  # case and dashes do not matter
    r = join(client, student, typed)
    assert r.status_code == 201 and r.json["role"] == "student"
    assert r.json["course_id"] == course["id"]
    assert join(client, student, code).status_code == 201  # joining twice changes nothing
    assert roles(client, instructor, course["id"]) == {instructor.id: "instructor",
                                                        student.id: "student"}
    shown = client.get(f"/api/v1/courses/{course['id']}", headers=student.headers).json
    assert shown["your_role"] == "student" and "join_code" not in shown

    rotated = client.post(f"/api/v1/courses/{course['id']}/join-code", headers=instructor.headers)
    assert rotated.status_code == 201 and rotated.json["join_code"] != code
    old = join(client, other_student, code)
    assert old.status_code == 404 and old.json["errors"] == {"code": "unknown or disabled"}
    assert client.get(f"/api/v1/courses/{course['id']}",
                      headers=other_student.headers).status_code == 404
    r = client.delete(f"/api/v1/courses/{course['id']}/join-code", headers=instructor.headers)
    assert r.status_code == 200 and r.json["join_code"] is None
    assert join(client, other_student, rotated.json["join_code"]).status_code == 404
    assert join(client, other_student, "ZZZZZZZZ").status_code == 404
    assert join(client, other_student, "").status_code == 422

    again = client.post(f"/api/v1/courses/{course['id']}/join-code", headers=instructor.headers)
    client.patch(f"/api/v1/courses/{course['id']}", json={"archived": True},
                 headers=instructor.headers)
    r = join(client, other_student, again.json["join_code"])
    assert r.status_code == 409 and "archived" in r.json["message"]


def test_an_unclaimed_account_must_be_claimed_before_joining(client, instructor, other_instructor):
    """Whoever provisioned it could otherwise join any course in the student's name."""
    made = client.post("/api/v1/users", json={"email": "p@example.edu", "token": True},
                       headers=instructor.headers).json
    theirs = new_course(client, other_instructor)
    r = client.post("/api/v1/courses/join", json={"code": theirs["join_code"]},
                    headers={"Authorization": f"Bearer {made['token']}"})
    assert r.status_code == 403 and r.json["errors"] == {"account": "unclaimed"}


def test_roster_import_enrols_an_existing_account_without_a_new_credential(
        client, instructor, other_instructor, student):
    course = new_course(client, instructor)
    roster = f"name,email\nNew Person,new@example.edu\nAlready,{student.email.upper()}\n"
    r = client.post(f"/api/v1/courses/{course['id']}/enrollments/roster?tokens=true&claim_codes=true",
                    data=roster, headers={**instructor.headers, "Content-Type": "text/csv"})
    assert r.status_code == 201, r.json
    new, existing = r.json["rows"]
    assert (new["created"], new["enrolled"]) == (True, True)
    assert new["token"] and new["claim_code"]
    assert existing["user"]["id"] == student.id
    assert (existing["created"], existing["enrolled"]) == (False, True)
    assert existing["token"] is None and existing["claim_code"] is None
    assert r.json["created"] == 1 and r.json["existing"] == 1
    # The existing account keeps exactly its own token; nothing was issued for it.
    tokens = client.get(f"/api/v1/users/{student.id}/tokens", headers=student.headers).json["items"]
    assert [t["name"] for t in tokens] == ["test"]
    assert roles(client, instructor, course["id"])[student.id] == "student"
    # The same roster again: nobody new, nobody enrolled twice.
    again = client.post(f"/api/v1/courses/{course['id']}/enrollments/roster", data=roster,
                        headers={**instructor.headers, "Content-Type": "text/csv"}).json
    assert again["created"] == 0 and [row["enrolled"] for row in again["rows"]] == [False, False]
    # Another instructor cannot import into this course.
    r = client.post(f"/api/v1/courses/{course['id']}/enrollments/roster", data=roster,
                    headers={**other_instructor.headers, "Content-Type": "text/csv"})
    assert r.status_code == 404


def test_staff_roles_tas_manage_students_not_staff(client, instructor, make_account):
    course = new_course(client, instructor)
    ta, student, co = (make_account("student"), make_account("student"),
                       make_account("instructor"))
    enroll(client, instructor, ta, course_id=course["id"], role="ta")
    url = f"/api/v1/courses/{course['id']}/enrollments"
    assert client.post(url, json={"email": student.email}, headers=ta.headers).status_code == 201
    r = client.post(url, json={"email": co.email, "role": "instructor"}, headers=ta.headers)
    assert r.status_code == 403 and "staff" in r.json["message"]
    r = client.post(url, json={"email": student.email, "role": "ta"}, headers=ta.headers)
    assert r.status_code == 403  # promoting is changing the staff too
    assert client.delete(f"{url}/{instructor.id}", headers=ta.headers).status_code == 403
    assert client.patch(f"/api/v1/courses/{course['id']}", json={"archived": True},
                        headers=ta.headers).status_code == 403
    assert client.delete(f"{url}/{student.id}", headers=ta.headers).status_code == 204
    # Instructors change the staff, but a course always keeps one instructor.
    assert client.post(url, json={"email": co.email, "role": "instructor"},
                       headers=instructor.headers).status_code == 201
    r = client.post(url, json={"user_id": ta.id, "role": "student"}, headers=instructor.headers)
    assert r.status_code == 201 and r.json["role"] == "student"
    assert client.delete(f"{url}/{co.id}", headers=instructor.headers).status_code == 204
    r = client.delete(f"{url}/{instructor.id}", headers=instructor.headers)
    assert r.status_code == 409 and "last instructor" in r.json["message"]
    assert client.delete(f"{url}/999999", headers=instructor.headers).status_code == 404
    assert roles(client, instructor, course["id"]) == {instructor.id: "instructor",
                                                        ta.id: "student"}


def test_a_whole_course_bank_reaches_students_enrolled_later(client, instructor, student,
                                                             other_student):
    course = new_course(client, instructor)
    enroll(client, instructor, student, course_id=course["id"])
    r = client.post(f"/api/v1/courses/{course['id']}/banks", json={
        "title": "Everyone", "whole_course": True, "items": [{"family": FAMILY, "count": 2}]},
        headers=instructor.headers)
    assert r.status_code == 201 and r.json["whole_course"] is True and r.json["assigned"] == 1
    bank_id = r.json["id"]
    assert len(client.get(f"/api/v1/banks/{bank_id}", headers=student.headers).json["problems"]) == 2
    assert client.get(f"/api/v1/banks/{bank_id}", headers=other_student.headers).status_code == 404
    assert join(client, other_student, course["join_code"]).status_code == 201
    later = client.get(f"/api/v1/banks/{bank_id}", headers=other_student.headers)
    assert later.status_code == 200 and len(later.json["problems"]) == 2
    listed = client.get(f"/api/v1/courses/{course['id']}/banks", headers=other_student.headers)
    assert [b["id"] for b in listed.json["items"]] == [bank_id]
    results = client.get(f"/api/v1/courses/{course['id']}/results", headers=instructor.headers).json
    assert {r["user_id"] for r in results["items"]} == {student.id, other_student.id}
    assert all(r["banks"][0]["max_score"] == 2 for r in results["items"])
    stats = client.get(f"/api/v1/courses/{course['id']}/analytics", headers=instructor.headers).json
    assert stats["students"] == 2 and stats["banks"][0]["assigned"] == 2
    # Removed from the course, a student no longer sees its banks.
    client.delete(f"/api/v1/courses/{course['id']}/enrollments/{other_student.id}",
                  headers=instructor.headers)
    assert client.get(f"/api/v1/banks/{bank_id}", headers=other_student.headers).status_code == 404
    # Assigning the whole course again to an existing bank is accepted too.
    r = client.post(f"/api/v1/banks/{bank_id}/assign", json={"whole_course": True},
                    headers=instructor.headers)
    assert r.status_code == 200 and r.json["assigned"] == []


def test_copy_a_bank_into_another_course_its_owner_teaches(client, instructor, other_instructor):
    first, second = new_course(client, instructor), new_course(client, instructor, title="Two")
    theirs = new_course(client, other_instructor)
    bank = client.post("/api/v1/banks", json={
        "title": "Shapes", "course_id": first["id"], "max_attempts": 2, "show_key": "never",
        "items": [{"family": FAMILY, "seeds": [4, 5]}]}, headers=instructor.headers).json
    r = client.post(f"/api/v1/banks/{bank['id']}/copy", json={"course_id": second["id"]},
                    headers=instructor.headers)
    assert r.status_code == 201, r.json
    copy = r.json
    assert copy["course_id"] == second["id"] and copy["id"] != bank["id"]
    assert [(i["family"], i["seeds"]) for i in copy["items"]] == [(FAMILY, [4, 5])]
    assert (copy["max_attempts"], copy["show_key"]) == (2, "never")
    r = client.post(f"/api/v1/banks/{bank['id']}/copy", json={"course_id": theirs["id"]},
                    headers=instructor.headers)
    assert r.status_code == 404  # not a course they teach
    r = client.post(f"/api/v1/banks/{bank['id']}/copy", json={"course_id": theirs["id"]},
                    headers=other_instructor.headers)
    assert r.status_code == 404  # not a bank they can see
    # Without course_id, an instructor of several courses must choose.
    r = client.post("/api/v1/banks", json={"title": "?", "items": [{"family": FAMILY}]},
                    headers=instructor.headers)
    assert r.status_code == 422 and r.json["errors"] == {"course_id": "required"}


@pytest.mark.parametrize("body", [{"title": ""}, {"title": "x" * 201}, {"term": "t"}])
def test_bad_courses_are_422(client, instructor, body):
    assert client.post("/api/v1/courses", json=body, headers=instructor.headers).status_code == 422
