"""Every route for every role, with two courses: who is served, who is refused, and how.

The world:

- course A: instructor `instructor`, TA `ta` (a student account, TA in A only), students
  `student` (A only, an unclaimed account: provisioned, not yet claimed) and `both` (in A
  and B, unclaimed too);
- course B: instructor `other_instructor`, student `other_student` (B only), and `both`;
- bank A (of course A) assigned to `student` and `both`; bank B (of course B) assigned to
  `other_student` and `both`; `student` also has a practice problem.

Every case is about course A and its people. Course B's staff and students get 404 for
all of it (nothing of A exists for them), a member of A who lacks the role gets 403, and
`test_other_courses_lists_never_show_course_a` checks that B's lists never show A's things.
"""

from __future__ import annotations

import pytest

from tests.api.helpers import enroll

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "ta",
         "admin")
FAMILY = "conv_output_shape"


def unclaim(app, *accounts) -> None:  # noqa: ANN001
    """Make `accounts` provisioned accounts their owners have not claimed yet."""
    from quizsvc.extensions import db
    from quizsvc.store.models import User

    with app.app_context():
        for a in accounts:
            db.session.get(User, a.id).claimed_at = None
        db.session.commit()


@pytest.fixture
def world(app, client, make_account, student, other_student, instructor, other_instructor,
          admin):
    ta, both = make_account("student", name="TA"), make_account("student", name="Both")
    course_a = enroll(client, instructor, student, both)
    enroll(client, instructor, ta, course_id=course_a, role="ta")
    course_b = enroll(client, other_instructor, other_student, both)
    unclaim(app, student, both)
    banks = {}
    for name, owner, course, members in (("A", instructor, course_a, [student.id, both.id]),
                                         ("B", other_instructor, course_b,
                                          [other_student.id, both.id])):
        r = client.post("/api/v1/banks", json={"title": name, "course_id": course,
                                               "items": [{"family": FAMILY}]},
                        headers=owner.headers)
        assert r.status_code == 201, r.json
        banks[name] = r.json["id"]
        r = client.post(f"/api/v1/banks/{banks[name]}/assign", json={"user_ids": members},
                        headers=owner.headers)
        assert r.status_code == 200, r.json
    bank_problem = client.get(f"/api/v1/banks/{banks['A']}",
                              headers=student.headers).json["problems"][0]
    both_b = client.get(f"/api/v1/banks/{banks['B']}", headers=both.headers).json["problems"][0]
    practice = client.post("/api/v1/problems", json={"family": FAMILY, "seed": 1},
                           headers=student.headers).json
    accounts = {"student": student, "other_student": other_student, "instructor": instructor,
                "other_instructor": other_instructor, "ta": ta, "admin": admin, "both": both}
    return {"bank": banks["A"], "bank_b": banks["B"], "bank_problem": bank_problem["id"],
            "both_b_problem": both_b["id"], "practice": practice["id"], "student": student.id,
            "both": both.id, "course": course_a, "course_b": course_b, "accounts": accounts}


# (method, path template, body) -> expected status per role, in ROLES order:
# anonymous, student, other_student, instructor, other_instructor, ta, admin.
CASES = [
    ("GET", "/api/v1/families", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", f"/api/v1/families/{FAMILY}", None, (401, 200, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/problems", {"family": FAMILY}, (401, 201, 201, 201, 201, 201, 201)),
    ("GET", "/api/v1/problems/{practice}", None, (401, 200, 404, 404, 404, 404, 200)),
    ("GET", "/api/v1/problems/{bank_problem}", None, (401, 200, 404, 200, 404, 200, 200)),
    ("POST", "/api/v1/problems/{practice}/attempts", {"answer": "1,1,1"},
     (401, 201, 404, 404, 404, 404, 403)),
    ("POST", "/api/v1/problems/{bank_problem}/attempts", {"answer": "1,1,1"},
     (401, 201, 404, 403, 404, 403, 403)),
    ("GET", "/api/v1/problems/{bank_problem}/attempts", None, (401, 200, 404, 200, 404, 200, 200)),
    ("GET", "/api/v1/me", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/me/attempts", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/me/progress", None, (401, 200, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/check", {"family": FAMILY, "params": {"in_channels": 1, "out_channels": 1,
                                                             "in_size": [5], "kernel_size": [3]},
                               "answer": "1, 3"}, (401, 403, 403, 200, 200, 403, 200)),
    ("POST", "/api/v1/banks", {"title": "T", "course_id": "{course}", "items": [{"family": FAMILY}]},
     (401, 403, 404, 201, 404, 403, 201)),
    ("GET", "/api/v1/banks", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/banks/{bank}", None, (401, 200, 404, 200, 404, 200, 200)),
    ("POST", "/api/v1/banks/{bank}/assign", {"user_ids": ["{student}"]},
     (401, 403, 404, 200, 404, 403, 200)),
    ("POST", "/api/v1/banks/{bank}/copy", {"course_id": "{course}"},
     (401, 403, 404, 201, 404, 403, 201)),
    ("GET", "/api/v1/banks/{bank}/results", None, (401, 403, 404, 200, 404, 200, 200)),
    ("GET", "/api/v1/banks/{bank}/analytics", None, (401, 403, 404, 200, 404, 200, 200)),
    ("GET", "/api/v1/banks/{bank}/export?format=gift", None, (401, 403, 404, 200, 404, 403, 200)),
    ("GET", "/api/v1/banks/{bank}/grades.csv", None, (401, 403, 404, 200, 404, 200, 200)),
    ("GET", "/api/v1/banks/{bank}/attempts.csv", None, (401, 403, 404, 200, 404, 200, 200)),
    ("POST", "/api/v1/users", {"name": "N", "course_id": "{course}"},
     (401, 403, 403, 201, 404, 403, 201)),
    ("GET", "/api/v1/users", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/users/{student}", None, (401, 200, 404, 200, 404, 200, 200)),
    ("POST", "/api/v1/users/{student}/tokens", {}, (401, 201, 404, 201, 404, 201, 201)),
    ("POST", "/api/v1/users/{student}/claim-code", None, (401, 201, 404, 201, 404, 201, 201)),
    ("GET", "/api/v1/users/{student}/tokens", None, (401, 200, 404, 200, 404, 200, 200)),
    # `both` is in A and B: staff of either course could act in the other, so neither may.
    ("POST", "/api/v1/users/{both}/tokens", {}, (401, 404, 404, 403, 403, 403, 201)),
    ("POST", "/api/v1/users/{both}/claim-code", None, (401, 404, 404, 403, 403, 403, 201)),
    ("GET", "/api/v1/problems/{both_b_problem}", None, (401, 404, 404, 404, 200, 404, 200)),
    ("GET", "/api/v1/courses", None, (401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/courses/{course}", None, (401, 200, 404, 200, 404, 200, 200)),
    ("PATCH", "/api/v1/courses/{course}", {"term": "Spring"}, (401, 403, 404, 200, 404, 403, 200)),
    ("POST", "/api/v1/courses/{course}/join-code", None, (401, 403, 404, 201, 404, 201, 201)),
    ("GET", "/api/v1/courses/{course}/enrollments", None, (401, 403, 404, 200, 404, 200, 200)),
    ("POST", "/api/v1/courses/{course}/enrollments", {"email": "new@example.edu"},
     (401, 403, 404, 201, 404, 201, 201)),
    ("POST", "/api/v1/courses/{course}/enrollments", {"email": "new-ta@example.edu",
                                                      "role": "ta"},
     (401, 403, 404, 201, 404, 403, 201)),
    ("POST", "/api/v1/courses/{course}/enrollments/roster", "email\nroster@example.edu\n",
     (401, 403, 404, 201, 404, 201, 201)),
    ("GET", "/api/v1/courses/{course}/banks", None, (401, 200, 404, 200, 404, 200, 200)),
    ("POST", "/api/v1/courses/{course}/banks", {"title": "T", "items": [{"family": FAMILY}]},
     (401, 403, 404, 201, 404, 403, 201)),
    ("GET", "/api/v1/courses/{course}/results", None, (401, 403, 404, 200, 404, 200, 200)),
    ("GET", "/api/v1/courses/{course}/analytics", None, (401, 403, 404, 200, 404, 200, 200)),
    ("GET", "/api/v1/audit", None, (401, 200, 200, 200, 200, 200, 200)),
]


def fill(value, world):  # noqa: ANN001, ANN201
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in world:
            return world[value[1:-1]]
        return value.format(**{k: v for k, v in world.items() if k != "accounts"})
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    return value


def send(client, method, url, body, headers):  # noqa: ANN001, ANN201
    if isinstance(body, str):  # a CSV roster
        return client.open(url, method=method, data=body,
                           headers={**headers, "Content-Type": "text/csv"})
    return client.open(url, method=method, json=body, headers=headers)


@pytest.mark.parametrize("method, path, body, expected", CASES,
                         ids=[f"{m} {p}" + (f" {b.get('role', '')}" if isinstance(b, dict) else "")
                              for m, p, b, _ in CASES])
def test_route_for_every_role(client, world, method, path, body, expected):
    url = fill(path, world)
    got = []
    for role in ROLES:
        headers = {} if role == "anonymous" else world["accounts"][role].headers
        r = send(client, method, url, fill(body, world), headers)
        got.append(r.status_code)
        if r.status_code >= 400:
            assert set(r.json) == {"code", "status", "message", "errors"}
        if r.status_code == 404:  # out of scope looks exactly like missing: nothing to learn
            assert "permission" not in r.json["message"] and "another" not in r.json["message"]
    assert tuple(got) == expected, dict(zip(ROLES, got))


def test_other_courses_lists_never_show_course_a(client, world):
    """Course B's instructor and student list only B's things; course A's see only A's."""
    acc = world["accounts"]
    a_only_users = {acc["student"].id, acc["instructor"].id, acc["ta"].id}

    def items(who, url):  # noqa: ANN001, ANN202
        r = client.get(url, headers=acc[who].headers)
        assert r.status_code == 200, r.json
        return r.json["items"]

    for who in ("other_instructor", "other_student"):
        assert not a_only_users & {u["id"] for u in items(who, "/api/v1/users?page_size=500")}
        assert [b["id"] for b in items(who, "/api/v1/banks")] == [world["bank_b"]]
        assert [c["id"] for c in items(who, "/api/v1/courses")] == [world["course_b"]]
        assert all(e["course_id"] != world["course"]
                   for e in items(who, "/api/v1/audit?page_size=500"))
        assert client.get(f"/api/v1/users?course_id={world['course']}",
                          headers=acc[who].headers).status_code == 404
    assert {u["id"] for u in items("other_instructor", "/api/v1/users")} == {
        acc["other_instructor"].id, acc["other_student"].id, acc["both"].id}
    assert [b["id"] for b in items("instructor", "/api/v1/banks")] == [world["bank"]]
    assert [b["id"] for b in items("ta", "/api/v1/banks")] == [world["bank"]]
    # A's staff read A's audit entries, whoever wrote them; B's staff none of them.
    actions = {e["action"] for e in items("ta", "/api/v1/audit?page_size=500")}
    assert {"bank.create", "bank.assign", "enrollment.add"} <= actions
    # A student sees their own bank problems and nothing of their classmates.
    assert [u["id"] for u in items("student", "/api/v1/users")] == [acc["student"].id]


def test_the_join_code_is_for_staff_eyes(client, world):
    acc = world["accounts"]
    url = f"/api/v1/courses/{world['course']}"
    for who, shown in (("instructor", True), ("ta", True), ("student", False)):
        body = client.get(url, headers=acc[who].headers).json
        assert ("join_code" in body) is shown, who
        assert body["your_role"] == {"instructor": "instructor", "ta": "ta",
                                     "student": "student"}[who]


def test_student_never_sees_key_material_of_a_fresh_bank_problem(client, world):
    student = world["accounts"]["student"]
    for url in (f"/api/v1/problems/{world['bank_problem']}", f"/api/v1/banks/{world['bank']}",
                f"/api/v1/courses/{world['course']}/banks"):
        body = client.get(url, headers=student.headers).get_data(as_text=True)
        for word in ('"answer"', '"solution"', '"seed"', '"params"', '"expected"'):
            assert word not in body, (url, word)


def test_a_ta_sees_keys_of_their_course_problems_only(client, world):
    ta = world["accounts"]["ta"]
    shown = client.get(f"/api/v1/problems/{world['bank_problem']}", headers=ta.headers).json
    assert shown["key_visible"] is True and shown["answer"]
    # Their own practice problem follows the policy, like any student's.
    mine = client.post("/api/v1/problems", json={"family": FAMILY, "seed": 2},
                       headers=ta.headers).json
    assert mine["key_visible"] is False and "answer" not in mine
