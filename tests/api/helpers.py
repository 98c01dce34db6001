"""Helpers for API tests: issue problems and read their keys from the database."""

from __future__ import annotations

from typing import Any

from quizsvc import families


def new_problem(client, account, family: str = "conv_output_shape", level: str = "easy",
                seed: int | None = 3) -> dict[str, Any]:
    """Create a practice problem as `account`; return its JSON."""
    body: dict[str, Any] = {"family": family, "level": level}
    if seed is not None:
        body["seed"] = seed
    r = client.post("/api/v1/problems", json=body, headers=account.headers)
    assert r.status_code == 201, r.json
    return r.json


def key_of(family: str, seed: int, level: str = "easy") -> dict[str, Any]:
    """Return the key of a variant, computed by the engine (not by the service)."""
    return families.get(family).generate(seed, level).answer


def wrong_answer(family: str, seed: int, code: str, level: str = "easy") -> dict[str, Any]:
    """Return the answer a student holding misconception `code` would give."""
    fam = families.get(family)
    problem = fam.generate(seed, level)
    m = next(m for m in fam.misconceptions if m.code == code)
    buggy = m.solve(problem.params)
    assert buggy and buggy != problem.answer, f"{code} gives the right answer for seed {seed}"
    return buggy


def answer(client, account, problem_id: int, value: Any, **headers: str):  # noqa: ANN201
    """Submit an answer; return the response."""
    return client.post(f"/api/v1/problems/{problem_id}/attempts", json={"answer": value},
                       headers={**account.headers, **headers})


def course_of(client, instructor) -> int:  # noqa: ANN001
    """Return the id of `instructor`'s first course, creating one if they teach none."""
    r = client.get("/api/v1/courses", headers=instructor.headers)
    assert r.status_code == 200, r.json
    taught = [c["id"] for c in r.json["items"] if c["your_role"] == "instructor"]
    if taught:
        return taught[0]
    r = client.post("/api/v1/courses", json={"title": "Deep learning", "term": "Fall"},
                    headers=instructor.headers)
    assert r.status_code == 201, r.json
    return r.json["id"]


def enroll(client, instructor, *students, course_id: int | None = None,  # noqa: ANN001
           role: str = "student") -> int:
    """Enrol `students` (accounts) by email in a course of `instructor`; return its id."""
    course_id = course_id or course_of(client, instructor)
    for s in students:
        r = client.post(f"/api/v1/courses/{course_id}/enrollments",
                        json={"email": s.email, "role": role}, headers=instructor.headers)
        assert r.status_code == 201, r.json
    return course_id
