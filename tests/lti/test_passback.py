"""Grade passback through the outbox: kept while the LMS is down, sent once when it is back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from quizsvc.store.types import utcnow
from tests.lti.conftest import (LAUNCH_URL, LEARNER, INSTRUCTOR, Lms, api_headers, bank_ref_for,
                                boot, issue_bank_problem, make_bank)
from tests.lti.platform import LocalPlatform, WsgiTransport


@dataclass
class Course:
    """A bank linked into the platform's course, and a student who launched it."""

    bank_id: int
    lineitem: str
    student_id: int
    token: str
    sub: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def launch_student(app, lms: Lms, bank_id: int, *, sub: str = "student-7",  # noqa: ANN001
                   lineitem: str | None = None, link_id: str = "rl-1") -> dict[str, Any]:
    claims = lms.platform.resource_link_claims(
        sub=sub, roles=[LEARNER], link_id=link_id, target_link_uri=LAUNCH_URL, lineitem=lineitem,
        custom={"quizsvc_bank": bank_ref_for(app, lms.platform.issuer, bank_id)})
    resp = lms.launch(claims)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return boot(resp)


@pytest.fixture
def course(app, lms: Lms, instructor) -> Course:  # noqa: ANN001
    bank_id = make_bank(app, instructor.id, count=2)
    lineitem = lms.platform.add_lineitem(label="Convolution shapes", scoreMaximum=2,
                                         resourceLinkId="rl-1")
    data = launch_student(app, lms, bank_id, lineitem=lineitem)
    assert data["bank"]["id"] == bank_id and data["user"]["role"] == "student"
    return Course(bank_id, lineitem, data["user"]["id"], data["token"], "student-7")


def answer(client, course: Course, app, variant: int, *, right: bool = True) -> dict:  # noqa: ANN001
    problem_id, key = issue_bank_problem(app, course.bank_id, course.student_id, variant)
    value = key if right else {"shape": [1, 1, 1]}
    r = client.post(f"/api/v1/problems/{problem_id}/attempts", json={"answer": value},
                    headers=course.headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def deliver(app, **kw: Any):  # noqa: ANN001, ANN201
    from quizsvc.extensions import db
    from quizsvc.lti import outbox, runtime

    with app.app_context():
        rt = runtime.runtime(app)
        policy = kw.pop("policy", runtime.retry_policy(rt))
        return outbox.deliver(db.sessionmaker, http=rt.http, tokens=rt.tokens, policy=policy, **kw)


def rows(app) -> list:  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiGradeOutbox

    with app.app_context():
        return list(db.session.scalars(select(LtiGradeOutbox).order_by(LtiGradeOutbox.id)))


def test_an_attempt_posts_the_bank_score_with_the_score_media_type(app, client, lms: Lms,
                                                                   course: Course) -> None:
    answer(client, course, app, 0)
    (row,) = rows(app)
    assert row.status == "pending"  # written with the attempt, sent by the worker
    report = deliver(app)
    assert report.sent == 1
    (score,) = lms.platform.scores  # the platform refuses any other content type with 400
    assert score["lineitem"] == course.lineitem and score["userId"] == course.sub
    assert score["scoreGiven"] == 1.0 and score["scoreMaximum"] == 2.0
    assert score["activityProgress"] == "InProgress" and score["gradingProgress"] == "FullyGraded"
    stamp = dt.datetime.fromisoformat(score["timestamp"])
    assert stamp.tzinfo is not None and abs((utcnow() - stamp).total_seconds()) < 60
    assert rows(app)[0].status == "sent"


def test_score_is_kept_while_the_platform_fails_and_sent_exactly_once_when_it_recovers(
        app, client, lms: Lms, course: Course) -> None:
    lms.platform.score_status = 503
    answer(client, course, app, 0)
    now = utcnow()
    report = deliver(app, now=now)
    assert report.retried == 1 and lms.platform.scores == []
    (row,) = rows(app)
    assert row.status == "pending" and row.attempts == 1 and "503" in row.last_error
    assert row.next_try_at > now + dt.timedelta(seconds=20)  # backoff: not retried at once
    assert deliver(app, now=now + dt.timedelta(seconds=1)).retried == 0  # not due yet
    assert lms.platform.score_requests == [503]

    later = now + dt.timedelta(minutes=2)
    assert deliver(app, now=later).retried == 1  # still down: second attempt, longer wait
    (row,) = rows(app)
    assert row.attempts == 2 and row.next_try_at > later + dt.timedelta(seconds=40)

    lms.platform.score_status = 200
    much_later = later + dt.timedelta(hours=1)
    assert deliver(app, now=much_later).sent == 1
    for extra in range(3):  # more worker passes, later still: nothing is sent again
        assert deliver(app, now=much_later + dt.timedelta(hours=extra + 1)).sent == 0
    assert lms.platform.score_requests == [503, 503, 200]
    assert len(lms.platform.scores) == 1 and lms.platform.scores[0]["scoreGiven"] == 1.0
    (row,) = rows(app)
    assert row.status == "sent" and row.sent_at is not None


def test_platform_unreachable_is_retried(app, client, lms: Lms, transport: WsgiTransport,
                                         course: Course) -> None:
    transport.down.add(lms.platform.issuer)
    answer(client, course, app, 0)
    assert deliver(app).retried == 1
    assert "unreachable" in rows(app)[0].last_error
    transport.down.clear()
    assert deliver(app, now=utcnow() + dt.timedelta(hours=1)).sent == 1
    assert len(lms.platform.scores) == 1


def test_retry_after_is_honoured(app, client, lms: Lms, course: Course, monkeypatch) -> None:  # noqa: ANN001
    import werkzeug.wrappers

    lms.platform.score_status = 429
    original = LocalPlatform._json

    def with_retry_after(self, data, status=200, mimetype="application/json"):  # noqa: ANN001, ANN202
        resp: werkzeug.wrappers.Response = original(self, data, status, mimetype)
        if status == 429:
            resp.headers["Retry-After"] = "3600"
        return resp

    monkeypatch.setattr(LocalPlatform, "_json", with_retry_after)
    answer(client, course, app, 0)
    now = utcnow()
    deliver(app, now=now)
    assert rows(app)[0].next_try_at >= now + dt.timedelta(seconds=3600)


def test_a_newer_score_supersedes_an_unsent_one(app, client, lms: Lms, course: Course) -> None:
    lms.platform.score_status = 503
    answer(client, course, app, 0)
    deliver(app)
    answer(client, course, app, 1)
    first, second = rows(app)
    assert first.status == "superseded" and second.status == "pending"
    lms.platform.score_status = 200
    assert deliver(app, now=utcnow() + dt.timedelta(hours=1)).sent == 1
    (score,) = lms.platform.scores
    assert score["scoreGiven"] == 2.0 and score["activityProgress"] == "Completed"


def test_wrong_answers_count_and_the_best_attempt_wins(app, client, lms: Lms,
                                                       course: Course) -> None:
    problem_id, key = issue_bank_problem(app, course.bank_id, course.student_id, 0)
    for value in ({"shape": [1, 1, 1]}, key, {"shape": [1, 1, 1]}):
        client.post(f"/api/v1/problems/{problem_id}/attempts", json={"answer": value},
                    headers=course.headers)
        deliver(app)
    assert [s["scoreGiven"] for s in lms.platform.scores] == [0.0, 1.0, 1.0]


def test_a_rejected_score_fails_at_once_and_an_instructor_retries_it(
        app, client, lms: Lms, course: Course, instructor, other_instructor, student) -> None:  # noqa: ANN001
    lms.platform.score_status = 400  # a client error will not heal by waiting
    answer(client, course, app, 0)
    assert deliver(app).failed == 1
    (row,) = rows(app)
    assert row.status == "failed" and "400" in row.last_error

    listing = client.get("/api/v1/lti/passbacks?status=failed", headers=instructor.headers)
    assert listing.status_code == 200
    (item,) = listing.get_json()["items"]
    assert item["id"] == row.id and item["score_given"] == 1.0 and "400" in item["last_error"]
    assert client.get("/api/v1/lti/passbacks", headers=other_instructor.headers
                      ).get_json()["items"] == []
    assert client.get("/api/v1/lti/passbacks", headers=student.headers).get_json()["items"] == []
    assert client.post(f"/api/v1/lti/passbacks/{row.id}/retry",
                       headers=other_instructor.headers).status_code == 404

    lms.platform.score_status = 200
    r = client.post(f"/api/v1/lti/passbacks/{row.id}/retry", headers=instructor.headers)
    assert r.status_code == 200 and r.get_json()["sent"] == 1, r.get_json()
    assert len(lms.platform.scores) == 1
    again = client.post(f"/api/v1/lti/passbacks/{row.id}/retry", headers=instructor.headers)
    assert again.status_code == 409  # sent rows are final
    assert len(lms.platform.scores) == 1


def test_the_worker_gives_up_after_max_attempts(app, client, lms: Lms, course: Course) -> None:
    from quizsvc.lti.outbox import RetryPolicy

    lms.platform.score_status = 503
    answer(client, course, app, 0)
    policy = RetryPolicy(max_attempts=3, base=1, cap=1)
    now = utcnow()
    for i in range(5):
        deliver(app, policy=policy, now=now + dt.timedelta(minutes=i))
    (row,) = rows(app)
    assert row.status == "failed" and row.attempts == 3
    assert lms.platform.score_requests == [503, 503, 503]


def test_a_row_another_worker_holds_is_not_sent_twice(app, client, lms: Lms,
                                                      course: Course) -> None:
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiGradeOutbox

    answer(client, course, app, 0)
    now = utcnow()
    with app.app_context():
        row = db.session.scalars(select(LtiGradeOutbox)).one()
        row.locked_until = now + dt.timedelta(seconds=120)  # as a worker claiming it would
        db.session.commit()
    assert deliver(app, now=now).sent == 0
    assert lms.platform.scores == []
    assert deliver(app, now=now + dt.timedelta(seconds=121)).sent == 1  # the lease expired
    assert len(lms.platform.scores) == 1


def test_line_item_is_found_or_created_when_the_launch_gave_none(app, client, lms: Lms,
                                                                 instructor) -> None:  # noqa: ANN001
    bank_id = make_bank(app, instructor.id, count=1)
    data = launch_student(app, lms, bank_id, link_id="rl-9")  # AGS claim with lineitems only
    course = Course(bank_id, "", data["user"]["id"], data["token"], "student-7")
    answer(client, course, app, 0)
    assert deliver(app).sent == 1
    (item,) = lms.platform.lineitems.values()
    assert item["resourceLinkId"] == "rl-9" and item["scoreMaximum"] == 1.0
    assert lms.platform.scores[0]["lineitem"] == item["id"]
    answer(client, course, app, 0, right=False)
    deliver(app)
    assert len(lms.platform.lineitems) == 1  # remembered, not created again
    assert [s["lineitem"] for s in lms.platform.scores] == [item["id"]] * 2


def test_completion_policy_waits_for_the_last_problem(app, client, lms: Lms, course: Course,
                                                      instructor) -> None:  # noqa: ANN001
    links = client.get("/api/v1/lti/links", headers=instructor.headers).get_json()["items"]
    (link,) = links
    r = client.put(f"/api/v1/lti/links/{link['id']}", json={"passback_policy": "completion"},
                   headers=instructor.headers)
    assert r.status_code == 200 and r.get_json()["passback_policy"] == "completion"
    answer(client, course, app, 0)
    assert rows(app) == []
    answer(client, course, app, 1)
    deliver(app)
    (score,) = lms.platform.scores
    assert score["scoreGiven"] == 2.0 and score["activityProgress"] == "Completed"


def test_no_passback_for_practice_problems_or_teachers(app, client, lms: Lms, course: Course,
                                                       instructor) -> None:  # noqa: ANN001
    r = client.post("/api/v1/problems", json={"family": "conv_output_shape", "seed": 1},
                    headers=course.headers)
    client.post(f"/api/v1/problems/{r.get_json()['id']}/attempts",
                json={"answer": {"shape": [1, 1, 1]}}, headers=course.headers)
    teacher = lms.launch(lms.platform.resource_link_claims(
        sub="teacher-2", roles=[INSTRUCTOR], link_id="rl-1", target_link_uri=LAUNCH_URL,
        lineitem=course.lineitem))
    t = boot(teacher)
    problem_id, key = issue_bank_problem(app, course.bank_id, t["user"]["id"], 0)
    client.post(f"/api/v1/problems/{problem_id}/attempts", json={"answer": key},
                headers=api_headers(app, t))
    assert rows(app) == []


def test_concurrent_workers_send_each_score_once(app, client, lms: Lms, course: Course) -> None:
    """Four workers racing over the same due rows: each row is claimed by exactly one."""
    import threading

    from quizsvc.extensions import db
    from quizsvc.store.models import User

    second = launch_student(app, lms, course.bank_id, sub="student-8", link_id="rl-1",
                            lineitem=course.lineitem)
    other = Course(course.bank_id, course.lineitem, second["user"]["id"], second["token"],
                   "student-8")
    answer(client, course, app, 0)
    answer(client, other, app, 0)
    with app.app_context():
        assert db.session.get(User, other.student_id).lti_subject == "student-8"
    barrier = threading.Barrier(4)
    reports = []

    def work() -> None:
        barrier.wait()
        reports.append(deliver(app))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == 2
    assert sorted(s["userId"] for s in lms.platform.scores) == ["student-7", "student-8"]
    assert [r.status for r in rows(app)] == ["sent", "sent"]


def test_the_background_sender_delivers_right_after_the_attempt_commits(
        app, client, lms: Lms, course: Course) -> None:
    """Under a plain server (no worker command), each process's sender thread sends the score."""
    import time

    from quizsvc.lti.sender import BackgroundSender

    sender = BackgroundSender(app, interval=3600)  # only a wake-up can make it send in time
    app.extensions["quizsvc_lti_sender"] = sender
    answer(client, course, app, 0)
    deadline = time.monotonic() + 10
    while not lms.platform.scores and time.monotonic() < deadline:
        time.sleep(0.02)
    (score,) = lms.platform.scores
    assert score["scoreGiven"] == 1.0
    # The platform has the score; the sender records "sent" in its own commit just after.
    while rows(app)[0].status != "sent" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert rows(app)[0].status == "sent"


def test_the_background_sender_is_off_in_tests_and_on_in_a_server(database_url: str) -> None:
    from quizsvc.app import create_app

    testing = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k"})
    served = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k"})
    off = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k",
                      "LTI_PASSBACK_WORKER": "off"})
    assert "quizsvc_lti_sender" not in testing.extensions
    assert "quizsvc_lti_sender" in served.extensions
    assert "quizsvc_lti_sender" not in off.extensions
    for a in (testing, served, off):
        a.extensions["quizsvc.db"]["engine"].dispose()
