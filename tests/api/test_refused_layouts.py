"""A layout that fits no blank is refused (422) with how it was read, and uses no attempt."""

from __future__ import annotations

from sqlalchemy import func, select

from quizsvc.store.models import Attempt
from tests.api.helpers import answer, key_of, new_problem

FAMILY, SEED = "conv_output_shape", 3


def attempts_at(db, problem_id: int) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Attempt).where(Attempt.problem_id == problem_id))


def test_a_layout_no_mistake_explains_is_refused_without_using_an_attempt(client, db, student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    shape = key_of(FAMILY, SEED)["shape"]
    odd = "x".join(map(str, [7, 7, 7, *shape]))
    r = answer(client, student, p["id"], odd)
    assert r.status_code == 422, r.json
    assert f"read as {len(shape) + 3} sizes ({odd})" in r.json["message"]
    assert r.json["errors"] == {"shape": f"read as {len(shape) + 3} sizes ({odd}), "
                                         "which does not fit this blank"}
    assert attempts_at(db, p["id"]) == 0
    shown = client.get(f"/api/v1/problems/{p['id']}", headers=student.headers).json
    assert shown["attempts_left"] == 3


def test_a_layout_a_mistake_explains_is_graded_and_named(client, db, student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    shape = key_of(FAMILY, SEED)["shape"]
    r = answer(client, student, p["id"], "x".join(map(str, [1, *shape])))
    assert r.status_code == 201, r.json
    assert r.json["misconception"]["code"] == "extra_leading_dimension"
    assert r.json["misconception"]["title"] == "An extra leading dimension"
    assert r.json["attempts_left"] == 2 and attempts_at(db, p["id"]) == 1


def test_the_right_answer_in_another_notation_is_correct(client, student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    shape = key_of(FAMILY, SEED)["shape"]
    r = answer(client, student, p["id"], f"torch.Size([{', '.join(map(str, shape))}])")
    assert r.status_code == 201 and r.json["correct"] is True, r.json
