"""POST /problems/<id>/preview: how an answer reads, without grading, counting or the key."""

from __future__ import annotations

from sqlalchemy import func, select

from quizsvc.store.models import Attempt
from tests.api.helpers import key_of, new_problem

KEY_WORDS = ("answer", "solution", "expected", "correct", "score", "key", "params", "seed")


def preview(client, account, problem_id: int, answer):
    return client.post(f"/api/v1/problems/{problem_id}/preview", json={"answer": answer},
                       headers=account.headers)


def test_preview_reads_each_field_and_records_nothing(client, db, student):
    p = new_problem(client, student, "conv_param_count", seed=3)
    r = preview(client, student, p["id"], {"weights": "twelve", "biases": "8", "total": ""})
    assert r.status_code == 200, r.json
    by_name = {f["name"]: f for f in r.json["fields"]}
    assert by_name["weights"]["state"] == "unreadable" and "not a number" in by_name["weights"]["message"]
    assert by_name["biases"] == {**by_name["biases"], "state": "read", "value": 8, "text": "8"}
    assert by_name["total"]["state"] == "blank"
    assert r.json["readable"] is False
    assert not any(w in f for f in r.json["fields"] for w in KEY_WORDS)
    assert db.scalar(select(func.count()).select_from(Attempt)) == 0
    shown = client.get(f"/api/v1/problems/{p['id']}", headers=student.headers).json
    assert shown["attempts_used"] == 0 and shown["attempts_left"] == 3


def test_preview_shows_a_matrix_as_read_whatever_its_shape(client, student):
    p = new_problem(client, student, "conv_forward", "hard", seed=3)
    right_shape = key_of("conv_forward", 3, "hard")["output"]
    for typed, size in (("1 2 3; 4 5 6", "2x3"), ("[[1], [2], [3]]", "3x1"), ("7", "1x1")):
        f = preview(client, student, p["id"], {"output": typed}).json["fields"][0]
        assert f["state"] == "read" and f["size"] == size, f
        assert "<mtable>" in f["html"]
    # The same reply for a wrong and a right shape: the preview does not grade.
    wrong = preview(client, student, p["id"], "1 2; 3 4").json["fields"][0]
    right = preview(client, student, p["id"], right_shape).json["fields"][0]
    assert set(wrong) == set(right) and wrong["message"].startswith("read as")
    assert right["message"].startswith("read as")


def test_preview_reports_ragged_rows_and_unknown_fields(client, student):
    p = new_problem(client, student, "conv_forward", "hard", seed=3)
    r = preview(client, student, p["id"], {"output": "1 2; 3", "colour": "red"}).json
    assert r["fields"][0]["state"] == "unreadable" and "row 2" in r["fields"][0]["message"]
    assert r["unknown"] == ["colour"] and r["readable"] is False


def test_preview_of_someone_elses_problem_is_refused(client, student, other_student):
    p = new_problem(client, student, "conv_output_shape", seed=3)
    assert preview(client, other_student, p["id"], "1, 2, 3").status_code == 404  # not theirs: as if it did not exist
    assert client.post(f"/api/v1/problems/{p['id']}/preview",
                       json={"answer": "1"}).status_code == 401


def test_preview_is_in_the_api_document(client):
    doc = client.get("/api/v1/openapi.json").json
    op = doc["paths"]["/api/v1/problems/{problem_id}/preview"]["post"]
    assert "without grading" in op["summary"]
    assert "PreviewOut" in str(op["responses"]["200"])
