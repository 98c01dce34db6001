"""POST/GET /problems and attempts: grading, diagnosis, key exposure, attempt limits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizsvc.store.models import Attempt
from tests.api.helpers import answer, key_of, new_problem, wrong_answer

FAMILY, SEED = "conv_output_shape", 3
KEY_MATERIAL = ("answer", "solution", "params", "seed")


def count_attempts(db, problem_id: int) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Attempt)
                     .where(Attempt.problem_id == problem_id))


def test_create_problem_hides_key_from_student(client, student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    assert p["family"] == FAMILY and p["level"] == "easy" and p["owner_id"] == student.id
    assert p["prompt"].startswith("The layer") and p["answer_spec"][0]["name"] == "shape"
    assert p["key_visible"] is False
    assert not set(KEY_MATERIAL) & set(p)
    assert p["policy"] == {"max_attempts": 3, "show_key": "after_correct_or_last_attempt"}
    assert p["attempts_left"] == 3


def test_create_problem_without_seed_picks_random_variants(client, instructor):
    seeds = {new_problem(client, instructor, FAMILY, seed=None)["seed"] for _ in range(4)}
    assert len(seeds) == 4  # instructors see seeds; 4 random 53-bit seeds never collide


def test_same_seed_same_problem(client, student, other_student):
    a = new_problem(client, student, FAMILY, seed=11)
    b = new_problem(client, other_student, FAMILY, seed=11)
    assert a["prompt"] == b["prompt"] and a["id"] != b["id"]


@pytest.mark.parametrize("body, field", [
    ({"family": "no_such_family"}, "family"),
    ({"family": FAMILY, "level": "impossible"}, "level"),
    ({"family": FAMILY, "seed": -1}, "seed"),
    ({"family": FAMILY, "seed": 2**53}, "seed"),
    ({"level": "easy"}, "family"),
    ({"family": FAMILY, "colour": "red"}, "colour"),
])
def test_create_problem_refuses_bad_requests(client, student, body, field):
    r = client.post("/api/v1/problems", json=body, headers=student.headers)
    assert r.status_code in (404, 422), r.json
    assert field in str(r.json["errors"]) or field in r.json["message"]
    assert set(r.json) == {"code", "status", "message", "errors"}


def test_wrong_then_right_answer(client, db, student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    buggy = wrong_answer(FAMILY, SEED, "forgot_plus_one")
    r = answer(client, student, p["id"], buggy)
    assert r.status_code == 201, r.json
    a = r.json
    assert a["correct"] is False and a["score"] < 1
    assert a["misconception"]["code"] == "forgot_plus_one"
    assert "+1" in a["misconception"]["title"] and a["feedback"]
    assert a["seq"] == 1 and a["attempts_left"] == 2 and a["key_visible"] is False
    assert "answer" not in a and "solution" not in a
    assert all("expected" not in f for f in a["fields"])

    key = key_of(FAMILY, SEED)
    r = answer(client, student, p["id"], ", ".join(map(str, key["shape"])))
    a = r.json
    assert r.status_code == 201 and a["correct"] is True and a["score"] == 1.0
    assert a["seq"] == 2 and a["key_visible"] is True
    assert a["answer"] == key and "floor" in a["solution"]
    assert a["fields"][0]["expected"] == key["shape"]
    assert count_attempts(db, p["id"]) == 2

    shown = client.get(f"/api/v1/problems/{p['id']}", headers=student.headers).json
    assert shown["solved"] is True and shown["answer"] == key and shown["seed"] == SEED


def test_key_shown_after_last_attempt_and_then_no_more_attempts(client, db, student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    for n in (1, 2):
        r = answer(client, student, p["id"], "1, 1, 1")
        assert r.json["key_visible"] is False and r.json["attempts_left"] == 3 - n
        assert "answer" not in client.get(f"/api/v1/problems/{p['id']}",
                                          headers=student.headers).json
    r = answer(client, student, p["id"], "1, 1, 1")
    assert r.json["attempts_left"] == 0 and r.json["key_visible"] is True
    assert r.json["answer"] == key_of(FAMILY, SEED)
    r = answer(client, student, p["id"], "1, 1, 1")
    assert r.status_code == 409 and "no attempts left" in r.json["message"]
    assert count_attempts(db, p["id"]) == 3


@pytest.mark.parametrize("bad", ["", "banana", {"nope": 1}, {"shape": "x, y"}, "{not json", None, {"shape": ""}])
def test_unreadable_answer_is_not_recorded(client, db, student, bad):
    p = new_problem(client, student, FAMILY, seed=SEED)
    r = answer(client, student, p["id"], bad)
    assert r.status_code == 422, r.json
    assert r.json["message"] and r.json["code"] == 422
    assert count_attempts(db, p["id"]) == 0
    assert client.get(f"/api/v1/problems/{p['id']}",
                      headers=student.headers).json["attempts_left"] == 3


def test_idempotency_key_returns_the_same_attempt(client, db, student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    first = answer(client, student, p["id"], "1, 2, 3", **{"Idempotency-Key": "k-1"})
    again = answer(client, student, p["id"], "1, 2, 3", **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.json == first.json
    assert count_attempts(db, p["id"]) == 1
    other = new_problem(client, student, FAMILY, seed=4)
    r = answer(client, student, other["id"], "1, 2, 3", **{"Idempotency-Key": "k-1"})
    assert r.status_code == 409 and "Idempotency-Key" in r.json["errors"]
    assert count_attempts(db, other["id"]) == 0


def test_idempotency_keys_are_per_user(client, db, student, other_student):
    a = new_problem(client, student, FAMILY, seed=SEED)
    b = new_problem(client, other_student, FAMILY, seed=SEED)
    assert answer(client, student, a["id"], "1,2,3", **{"Idempotency-Key": "same"}).status_code == 201
    r = answer(client, other_student, b["id"], "1,2,3", **{"Idempotency-Key": "same"})
    assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    assert count_attempts(db, b["id"]) == 1


def test_student_cannot_read_or_answer_another_students_problem(client, student, other_student):
    """Someone else's problem does not exist for them (404, as for a missing one)."""
    p = new_problem(client, student, FAMILY, seed=SEED)
    assert client.get(f"/api/v1/problems/{p['id']}", headers=other_student.headers).status_code == 404
    r = answer(client, other_student, p["id"], "1,2,3")
    assert r.status_code == 404
    assert client.get(f"/api/v1/problems/{p['id']}/attempts",
                      headers=other_student.headers).status_code == 404


def test_instructor_cannot_read_a_students_practice_problem(client, student, instructor, admin):
    p = new_problem(client, student, FAMILY, seed=SEED)
    assert client.get(f"/api/v1/problems/{p['id']}", headers=instructor.headers).status_code == 404
    shown = client.get(f"/api/v1/problems/{p['id']}", headers=admin.headers).json
    assert shown["answer"] == key_of(FAMILY, SEED) and shown["params"]


def test_admin_cannot_answer_for_a_student(client, student, admin):
    p = new_problem(client, student, FAMILY, seed=SEED)
    assert answer(client, admin, p["id"], "1,2,3").status_code == 403


def test_missing_problem_is_404(client, student):
    assert client.get("/api/v1/problems/999999999", headers=student.headers).status_code == 404
    assert answer(client, student, 999999999, "1").status_code == 404


def test_problem_attempts_list(client, student, admin):
    p = new_problem(client, student, FAMILY, seed=SEED)
    for v in ("1,1,1", "2,2,2"):
        answer(client, student, p["id"], v)
    r = client.get(f"/api/v1/problems/{p['id']}/attempts", headers=student.headers)
    assert r.status_code == 200 and r.json["total"] == 2
    assert [a["seq"] for a in r.json["items"]] == [2, 1]  # newest first
    assert all("expected" not in f for a in r.json["items"] for f in a["fields"])
    staff = client.get(f"/api/v1/problems/{p['id']}/attempts", headers=admin.headers).json
    assert all("expected" in f for a in staff["items"] for f in a["fields"])


def test_one_field_answer_as_json_object_or_text(client, student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    key = key_of(FAMILY, SEED)
    r = answer(client, student, p["id"], {"shape": key["shape"]})
    assert r.status_code == 201 and r.json["correct"] is True
