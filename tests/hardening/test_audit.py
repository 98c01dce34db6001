"""The audit log: bank changes, exports and grade passbacks leave rows, in the same
transaction as the change, and instructors read their own."""

from __future__ import annotations

from sqlalchemy import select

from quizsvc.store.audit import AuditEvent
from tests.api.helpers import enroll
from tests.lti.conftest import http, lms, platform, transport  # noqa: F401 - fixtures
from tests.lti.test_passback import answer, course, deliver, rows  # noqa: F401 - fixtures


def events(app, action: str | None = None) -> list[AuditEvent]:  # noqa: ANN001
    from quizsvc.extensions import db

    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.session.scalars(query))


def new_bank(client, instructor, **extra) -> int:  # noqa: ANN001, ANN003
    r = client.post("/api/v1/banks", headers=instructor.headers, json={
        "title": "Week 3", "items": [{"family": "conv_output_shape", "count": 2}], **extra})
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_bank_create_and_assign_are_recorded_with_their_actor(app, client, instructor, student):
    bank_id = new_bank(client, instructor, max_attempts=2)
    enroll(client, instructor, student)
    r = client.post(f"/api/v1/banks/{bank_id}/assign", headers=instructor.headers,
                    json={"user_ids": [student.id]})
    assert r.status_code == 200
    created, assigned = events(app, "bank.create"), events(app, "bank.assign")
    assert [(e.actor_id, e.actor_role, e.target_type, e.target_id) for e in created] == [
        (instructor.id, "instructor", "bank", bank_id)]
    assert created[0].details["title"] == "Week 3" and created[0].details["max_attempts"] == 2
    assert created[0].address == "127.0.0.1"
    assert [(e.actor_id, e.target_id, e.details["user_ids"]) for e in assigned] == [
        (instructor.id, bank_id, [student.id])]
    assert created[0].course_id == assigned[0].course_id is not None  # its course's staff read it
    # assigning again adds no students, so no row
    client.post(f"/api/v1/banks/{bank_id}/assign", headers=instructor.headers,
                json={"user_ids": [student.id]})
    assert len(events(app, "bank.assign")) == 1


def test_refused_and_rolled_back_changes_leave_no_row(app, client, instructor, db):
    r = client.post("/api/v1/banks", headers=instructor.headers, json={
        "title": "Too big", "items": [{"family": "conv_output_shape", "count": 50}] * 5})
    assert r.status_code == 413
    from quizsvc.services import banks
    from quizsvc.services.policy import Policy
    from quizsvc.store.models import User

    owner = db.get(User, instructor.id)
    banks.create_bank(db, owner, "flushed, then rolled back",
                      [banks.ItemSpec("conv_output_shape")], Policy(3, "after_last_attempt"))
    db.flush()
    # Same transaction: the bank and the course made for it (the instructor had none).
    assert [e.action for e in db.scalars(select(AuditEvent))] == ["course.create", "bank.create"]
    db.rollback()
    assert events(app) == []


def test_exports_are_recorded_and_refused_ones_are_not(app, client, instructor, other_instructor):
    bank_id = new_bank(client, instructor)
    for url in (f"/api/v1/banks/{bank_id}/export?format=moodle&style=choice",
                f"/api/v1/banks/{bank_id}/grades.csv", f"/api/v1/banks/{bank_id}/attempts.csv"):
        assert client.get(url, headers=instructor.headers).status_code == 200, url
    assert client.get(f"/api/v1/banks/{bank_id}/export?format=gift",
                      headers=other_instructor.headers).status_code == 404
    got = [(e.action, e.actor_id, e.target_id) for e in events(app) if "export" in e.action]
    assert got == [("bank.export", instructor.id, bank_id),
                   ("bank.export_grades", instructor.id, bank_id),
                   ("bank.export_attempts", instructor.id, bank_id)]
    first = events(app, "bank.export")[0]
    assert first.details["format"] == "moodle" and first.details["style"] == "choice"


def test_grade_passbacks_are_recorded_by_the_worker(app, client, lms, course):  # noqa: F811
    answer(client, course, app, 0)
    assert events(app, "grade.passback") == []  # queued, not sent
    assert deliver(app).sent == 1
    (row,) = rows(app)
    (event,) = events(app, "grade.passback")
    assert event.actor_id is None and event.target_type == "lti_passback"
    assert event.target_id == row.id
    assert event.details["user_id"] == course.student_id
    assert event.details["score_given"] == 1.0 and event.details["score_maximum"] == 2.0
    assert deliver(app).sent == 0 and len(events(app, "grade.passback")) == 1  # sent once


def test_instructors_read_their_own_events_admins_all(app, client, instructor,
                                                      other_instructor, admin, student):
    mine = new_bank(client, instructor)
    theirs = new_bank(client, other_instructor)
    r = client.get("/api/v1/audit", headers=instructor.headers)
    assert r.status_code == 200
    assert [e["action"] for e in r.json["items"]] == ["bank.create", "course.create"]
    assert r.json["items"][0]["target_id"] == mine
    r = client.get("/api/v1/audit?action=bank.create", headers=admin.headers)
    assert {e["target_id"] for e in r.json["items"]} == {mine, theirs} and r.json["total"] == 2
    assert client.get("/api/v1/audit", headers=student.headers).json["items"] == []
