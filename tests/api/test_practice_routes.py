"""Families, /me, /me/attempts, /me/progress, /check, probes and the API docs."""

from __future__ import annotations

import pytest

from tests.api.helpers import answer, key_of, new_problem, wrong_answer

FAMILY, SEED = "conv_output_shape", 3
PARAMS = {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "bias": False}


def test_families_list_and_show(client, student, instructor):
    listed = client.get("/api/v1/families", headers=student.headers).json["items"]
    names = [f["name"] for f in listed]
    assert names[:1] == ["conv_output_shape"] and "conv_param_count" in names
    assert all(f["levels"] and f["topic"] and f["misconceptions"] for f in listed)
    shown = client.get(f"/api/v1/families/{FAMILY}", headers=student.headers).json
    assert shown["example"]["prompt"] and shown["example"]["answer_spec"]
    assert "answer" not in shown["example"] and "solution" not in shown["example"]
    staff = client.get(f"/api/v1/families/{FAMILY}", headers=instructor.headers).json
    assert staff["example"]["answer"] == key_of(FAMILY, 0, staff["levels"][0])
    r = client.get("/api/v1/families/no_such_family", headers=student.headers)
    assert r.status_code == 404 and "no_such_family" in r.json["message"]


def test_me_attempts_paginated_and_private(client, student, other_student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    q = new_problem(client, student, FAMILY, seed=SEED + 1)
    for pid, value in ((p["id"], "1,1,1"), (p["id"], "2,2,2"), (q["id"], "3,3,3")):
        assert answer(client, student, pid, value).status_code == 201
    page1 = client.get("/api/v1/me/attempts?page=1&page_size=2", headers=student.headers).json
    page2 = client.get("/api/v1/me/attempts?page=2&page_size=2", headers=student.headers).json
    assert (page1["total"], page1["pages"], len(page1["items"]), len(page2["items"])) == (3, 2, 2, 1)
    assert [a["answer_given"] for a in page1["items"] + page2["items"]] == ["3,3,3", "2,2,2", "1,1,1"]
    assert client.get("/api/v1/me/attempts", headers=other_student.headers).json["total"] == 0
    r = client.get("/api/v1/me/attempts?page_size=100000", headers=student.headers)
    assert r.status_code == 422 and "page_size" in str(r.json["errors"])


def test_me_progress(client, student):
    assert client.get("/api/v1/me/progress", headers=student.headers).json["families"] == []
    p = new_problem(client, student, FAMILY, seed=SEED)
    buggy = wrong_answer(FAMILY, SEED, "forgot_plus_one")
    answer(client, student, p["id"], buggy)
    answer(client, student, p["id"], buggy)
    answer(client, student, p["id"], key_of(FAMILY, SEED))
    q = new_problem(client, student, "conv_param_count", seed=1)
    answer(client, student, q["id"], key_of("conv_param_count", 1))
    fams = {f["family"]: f for f in client.get("/api/v1/me/progress",
                                               headers=student.headers).json["families"]}
    conv = fams[FAMILY]
    assert (conv["attempts"], conv["correct"], conv["problems"], conv["solved"]) == (3, 1, 1, 1)
    assert conv["accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    assert conv["top_misconception"] == "forgot_plus_one" and conv["top_misconception_count"] == 2
    assert 0 < conv["mastery"] < fams["conv_param_count"]["mastery"] < 1
    assert fams["conv_param_count"]["accuracy"] == 1.0


def test_check_for_instructors(client, instructor, student):
    body = {"family": "conv_param_count", "params": PARAMS,
            "answer": {"weights": 108, "biases": 0, "total": 108}}
    r = client.post("/api/v1/check", json=body, headers=instructor.headers)
    assert r.status_code == 200 and r.json["correct"] is True
    assert r.json["key"] == {"weights": 108, "biases": 0, "total": 108}
    wrong = client.post("/api/v1/check", json={**body, "answer": {"weights": 81, "biases": 0,
                                                                   "total": 81}},
                        headers=instructor.headers).json
    assert wrong["correct"] is False and wrong["fields"][0]["expected"] == 108
    bad = client.post("/api/v1/check", json={**body, "params": {"in_channels": -1}},
                      headers=instructor.headers)
    assert bad.status_code == 422
    assert client.post("/api/v1/check", json=body, headers=student.headers).status_code == 403


def test_probes_need_no_token(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ready"


def test_openapi_and_docs(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "quizsvc"
    for path in ("/api/v1/problems", "/api/v1/problems/{problem_id}/attempts", "/api/v1/me/progress",
                 "/api/v1/banks/{bank_id}/analytics", "/api/v1/users/roster", "/api/v1/check"):
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"/api/v1/docs/assets/swagger-ui-bundle.js" in page.data
    js = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.data) > 100_000
    assert client.get("/api/v1/docs/assets/../../secret").status_code == 404


@pytest.mark.parametrize("guess", ["/docs", "/docs/", "/api", "/api/v1", "/api/v1/", "/swagger"])
def test_where_people_guess_the_docs_are_leads_to_them(client, guess):
    r = client.get(guess)
    assert r.status_code == 302 and r.headers["Location"] == "/api/v1/docs"
    assert client.get(r.headers["Location"]).status_code == 200


def test_the_document_is_found_at_its_usual_guess(client):
    r = client.get("/openapi.json")
    assert r.status_code == 302 and client.get(r.headers["Location"]).json["openapi"].startswith("3")
