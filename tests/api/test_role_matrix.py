"""Every route for every role: who is served, who is refused (401/403), with one fixture world.

The world: an instructor owns a bank assigned to `student`; `student` also has a practice
problem; `other_student` and `other_instructor` have nothing to do with either.
"""

from __future__ import annotations

import pytest

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")
FAMILY = "conv_output_shape"


@pytest.fixture
def world(client, student, other_student, instructor, other_instructor, admin):
    bank = client.post("/api/v1/banks", json={"title": "B", "items": [{"family": FAMILY}]},
                       headers=instructor.headers).json
    client.post(f"/api/v1/banks/{bank['id']}/assign", json={"user_ids": [student.id]},
                headers=instructor.headers)
    bank_problem = client.get(f"/api/v1/banks/{bank['id']}", headers=student.headers).json["problems"][0]
    practice = client.post("/api/v1/problems", json={"family": FAMILY, "seed": 1},
                           headers=student.headers).json
    accounts = {"student": student, "other_student": other_student, "instructor": instructor,
                "other_instructor": other_instructor, "admin": admin}
    return {"bank": bank["id"], "bank_problem": bank_problem["id"], "practice": practice["id"],
            "student": student.id, "accounts": accounts}


# (method, path template, body) -> expected status per role, in ROLES order.
CASES = [
    ("GET", "/api/v1/families", None, (401, 200, 200, 200, 200, 200)),
    ("GET", f"/api/v1/families/{FAMILY}", None, (401, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/problems", {"family": FAMILY}, (401, 201, 201, 201, 201, 201)),
    ("GET", "/api/v1/problems/{practice}", None, (401, 200, 403, 403, 403, 200)),
    ("GET", "/api/v1/problems/{bank_problem}", None, (401, 200, 403, 200, 403, 200)),
    ("POST", "/api/v1/problems/{practice}/attempts", {"answer": "1,1,1"},
     (401, 201, 403, 403, 403, 403)),
    ("GET", "/api/v1/problems/{bank_problem}/attempts", None, (401, 200, 403, 200, 403, 200)),
    ("GET", "/api/v1/me", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/me/attempts", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/me/progress", None, (401, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/check", {"family": FAMILY, "params": {"in_channels": 1, "out_channels": 1,
                                                             "in_size": [5], "kernel_size": [3]},
                               "answer": "1, 3"}, (401, 403, 403, 200, 200, 200)),
    ("POST", "/api/v1/banks", {"title": "T", "items": [{"family": FAMILY}]},
     (401, 403, 403, 201, 201, 201)),
    ("GET", "/api/v1/banks", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/banks/{bank}", None, (401, 200, 403, 200, 403, 200)),
    ("POST", "/api/v1/banks/{bank}/assign", {"user_ids": ["{student}"]},
     (401, 403, 403, 200, 403, 200)),
    ("GET", "/api/v1/banks/{bank}/results", None, (401, 403, 403, 200, 403, 200)),
    ("GET", "/api/v1/banks/{bank}/analytics", None, (401, 403, 403, 200, 403, 200)),
    ("POST", "/api/v1/users", {"name": "N"}, (401, 403, 403, 201, 201, 201)),
    ("GET", "/api/v1/users", None, (401, 403, 403, 200, 200, 200)),
    ("GET", "/api/v1/users/{student}", None, (401, 200, 403, 200, 200, 200)),
    ("POST", "/api/v1/users/{student}/tokens", {}, (401, 201, 403, 201, 201, 201)),
    ("GET", "/api/v1/users/{student}/tokens", None, (401, 200, 403, 200, 200, 200)),
]


def fill(value, world):  # noqa: ANN001, ANN201
    if isinstance(value, str):
        if value == "{student}":
            return world["student"]
        return value.format(**{k: v for k, v in world.items() if k != "accounts"})
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize("method, path, body, expected", CASES,
                         ids=[f"{m} {p}" for m, p, _, _ in CASES])
def test_route_for_every_role(client, world, method, path, body, expected):
    url = fill(path, world)
    got = []
    for role in ROLES:
        headers = {} if role == "anonymous" else world["accounts"][role].headers
        r = client.open(url, method=method, json=fill(body, world) if body is not None else None,
                        headers=headers)
        got.append(r.status_code)
        if r.status_code >= 400:
            assert set(r.json) == {"code", "status", "message", "errors"}
    assert tuple(got) == expected, dict(zip(ROLES, got))


def test_student_never_sees_key_material_of_a_fresh_bank_problem(client, world):
    student = world["accounts"]["student"]
    for url in (f"/api/v1/problems/{world['bank_problem']}", f"/api/v1/banks/{world['bank']}"):
        body = client.get(url, headers=student.headers).get_data(as_text=True)
        for word in ('"answer"', '"solution"', '"seed"', '"params"', '"expected"'):
            assert word not in body, (url, word)
