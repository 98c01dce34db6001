"""Banks: create, list, show, assign, per-student variants, policy, results, analytics."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizsvc.services.variants import variant_seed
from quizsvc.store.models import Problem
from tests.api.helpers import answer, enroll, wrong_answer
from tests.conftest import SECRET

FAMILY = "conv_output_shape"
BANK = {"title": "Week 1", "description": "Shapes", "max_attempts": 2, "show_key": "after_last_attempt",
        "items": [{"family": FAMILY, "level": "easy", "count": 2},
                  {"family": "conv_param_count", "level": "easy", "seeds": [5, 6]}]}


def make_bank(client, owner, **overrides) -> dict:
    r = client.post("/api/v1/banks", json={**BANK, **overrides}, headers=owner.headers)
    assert r.status_code == 201, r.json
    return r.json


def assign(client, owner, bank_id: int, *accounts, enrol: bool = True, **extra):
    """Assign `accounts` (enrolled in the bank's course first, by `owner`, unless `enrol` is off)."""
    if enrol:
        course_id = client.get(f"/api/v1/banks/{bank_id}", headers=owner.headers).json["course_id"]
        enroll(client, owner, *accounts, course_id=course_id)
    return client.post(f"/api/v1/banks/{bank_id}/assign",
                       json={"user_ids": [a.id for a in accounts], **extra}, headers=owner.headers)


def seeds_of(db, bank_id: int, user_id: int) -> list[tuple[int, int, int]]:
    db.expire_all()
    return [(p.item_index, p.variant, p.seed) for p in db.scalars(
        select(Problem).where(Problem.bank_id == bank_id, Problem.owner_id == user_id)
        .order_by(Problem.item_index, Problem.variant))]


def test_create_and_show_bank(client, instructor):
    bank = make_bank(client, instructor)
    assert bank["size"] == 4 and bank["assigned"] == 0 and bank["owner_id"] == instructor.id
    assert [i["count"] for i in bank["items"]] == [2, 2] and bank["items"][1]["seeds"] == [5, 6]
    shown = client.get(f"/api/v1/banks/{bank['id']}", headers=instructor.headers).json
    assert shown["title"] == "Week 1" and "problems" not in shown


@pytest.mark.parametrize("change, where", [
    ({"items": []}, "items"),
    ({"items": [{"family": "nope"}]}, "items"),
    ({"items": [{"family": FAMILY, "level": "galactic"}]}, "items"),
    ({"items": [{"family": FAMILY, "seeds": [-5]}]}, "items"),
    ({"title": ""}, "title"),
    ({"show_key": "sometimes"}, "show_key"),
    ({"max_attempts": None, "show_key": "after_last_attempt"}, "show_key"),
])
def test_bad_banks_are_422(client, instructor, change, where):
    r = client.post("/api/v1/banks", json={**BANK, **change}, headers=instructor.headers)
    assert r.status_code == 422, r.json
    assert where in str(r.json["errors"])


def test_students_cannot_create_banks(client, student):
    assert client.post("/api/v1/banks", json=BANK, headers=student.headers).status_code == 403


def test_list_banks_by_role(client, instructor, other_instructor, admin, student):
    mine = make_bank(client, instructor)
    theirs = make_bank(client, other_instructor, title="Other")
    ids = lambda who: [b["id"] for b in client.get("/api/v1/banks", headers=who.headers).json["items"]]
    assert ids(instructor) == [mine["id"]]
    assert ids(other_instructor) == [theirs["id"]]
    assert ids(admin) == [mine["id"], theirs["id"]]
    assert ids(student) == []
    assign(client, instructor, mine["id"], student)
    assert ids(student) == [mine["id"]]


def test_assign_issues_private_stable_variants(client, db, instructor, student, other_student):
    bank = make_bank(client, instructor)
    r = assign(client, instructor, bank["id"], student, other_student)
    assert r.status_code == 200 and sorted(r.json["assigned"]) == sorted([student.id, other_student.id])
    mine, theirs = seeds_of(db, bank["id"], student.id), seeds_of(db, bank["id"], other_student.id)
    assert len(mine) == len(theirs) == 4
    # Random items: each student's seeds come from the server secret, and differ.
    for item_index, variant, seed in mine[:2]:
        assert seed == variant_seed(SECRET, bank["id"], item_index, variant, student.id)
    assert [s for *_, s in mine[:2]] != [s for *_, s in theirs[:2]]
    assert mine[0][2] != mine[1][2]
    # Fixed seeds: everyone gets exactly those.
    assert [s for *_, s in mine[2:]] == [s for *_, s in theirs[2:]] == [5, 6]
    # Assigning again changes nothing.
    again = assign(client, instructor, bank["id"], student).json
    assert again == {"assigned": [], "already": [student.id]}
    assert seeds_of(db, bank["id"], student.id) == mine


def test_assign_by_email_and_unknown_users(client, instructor, student, other_student):
    bank = make_bank(client, instructor)
    enroll(client, instructor, student, course_id=bank["course_id"])
    r = client.post(f"/api/v1/banks/{bank['id']}/assign",
                    json={"emails": [student.email.upper()]}, headers=instructor.headers)
    assert r.status_code == 200 and r.json["assigned"] == [student.id]
    r = client.post(f"/api/v1/banks/{bank['id']}/assign",
                    json={"emails": ["ghost@example.edu"]}, headers=instructor.headers)
    assert r.status_code == 422 and "ghost@example.edu" in r.json["message"]
    r = client.post(f"/api/v1/banks/{bank['id']}/assign", json={}, headers=instructor.headers)
    assert r.status_code == 422
    # Someone outside the course is reported exactly like someone who does not exist.
    r = client.post(f"/api/v1/banks/{bank['id']}/assign",
                    json={"user_ids": [other_student.id]}, headers=instructor.headers)
    assert r.status_code == 422 and str(other_student.id) in r.json["message"]


def test_only_the_course_instructors_assign_and_staff_read_results(client, instructor,
                                                                   other_instructor, student, admin):
    bank = make_bank(client, instructor)
    enroll(client, instructor, student, course_id=bank["course_id"])
    # Another course's instructor and an unassigned student cannot see the bank at all.
    for who, status in ((other_instructor, 404), (student, 404), (admin, 200)):
        assert assign(client, who, bank["id"], student, enrol=False).status_code == status
    for path in ("results", "analytics"):
        url = f"/api/v1/banks/{bank['id']}/{path}"
        assert client.get(url, headers=other_instructor.headers).status_code == 404
        assert client.get(url, headers=student.headers).status_code == 403  # assigned, not staff
        assert client.get(url, headers=admin.headers).status_code == 200
    assert client.get(f"/api/v1/banks/{bank['id']}", headers=other_instructor.headers).status_code == 404
    assert client.get("/api/v1/banks/999999999", headers=instructor.headers).status_code == 404


def test_student_sees_own_problems_without_keys(client, instructor, student, other_student):
    bank = make_bank(client, instructor)
    assert client.get(f"/api/v1/banks/{bank['id']}", headers=student.headers).status_code == 404
    assign(client, instructor, bank["id"], student)
    shown = client.get(f"/api/v1/banks/{bank['id']}", headers=student.headers).json
    assert len(shown["problems"]) == 4
    for p in shown["problems"]:
        assert p["owner_id"] == student.id and p["key_visible"] is False
        assert not {"answer", "solution", "seed", "params"} & set(p)
        assert p["policy"] == {"max_attempts": 2, "show_key": "after_last_attempt"}
    pid = shown["problems"][0]["id"]
    assert client.get(f"/api/v1/problems/{pid}", headers=other_student.headers).status_code == 404
    owner_view = client.get(f"/api/v1/problems/{pid}", headers=instructor.headers).json
    assert owner_view["key_visible"] is True and owner_view["answer"]


def test_bank_policy_applies(client, instructor, student):
    bank = make_bank(client, instructor, show_key="never", max_attempts=2)
    assign(client, instructor, bank["id"], student)
    pid = client.get(f"/api/v1/banks/{bank['id']}", headers=student.headers).json["problems"][0]["id"]
    for left in (1, 0):
        r = answer(client, student, pid, "1, 1, 1")
        assert r.status_code == 201 and r.json["attempts_left"] == left
        assert r.json["key_visible"] is False and "answer" not in r.json
    assert answer(client, student, pid, "1, 1, 1").status_code == 409
    assert "answer" not in client.get(f"/api/v1/problems/{pid}", headers=student.headers).json


def solve_bank_problem(client, instructor, student, pid: int, right: bool, code: str | None = None):
    key = client.get(f"/api/v1/problems/{pid}", headers=instructor.headers).json
    if right:
        value = key["answer"]
    elif code:
        value = wrong_answer(key["family"], key["seed"], code, key["level"])
    else:
        value = {k: ([0] * len(v) if isinstance(v, list) else 0) for k, v in key["answer"].items()}
    r = answer(client, student, pid, value)
    assert r.status_code == 201, r.json
    return r.json


def test_results_and_analytics(client, make_account, instructor):
    bank = make_bank(client, instructor, items=[{"family": FAMILY, "count": 1},
                                                {"family": "conv_param_count", "count": 1}],
                     max_attempts=3)
    students = [make_account("student") for _ in range(4)]
    assign(client, instructor, bank["id"], *students)
    problems = {s.id: client.get(f"/api/v1/banks/{bank['id']}", headers=s.headers).json["problems"]
                for s in students}
    # Student k answers item 0 right when k >= 1 and item 1 right when k >= 2: item scores
    # rise with the total, so both items discriminate positively.
    partial = []  # student 0's scores on item 0 (partial credit: some fields right)
    for k, s in enumerate(students):
        p0, p1 = problems[s.id]
        if k == 0:
            partial.append(solve_bank_problem(client, instructor, s, p0["id"], right=False,
                                              code="forgot_plus_one")["score"])
        a = solve_bank_problem(client, instructor, s, p0["id"], right=k >= 1)
        if k == 0:
            partial.append(a["score"])
        solve_bank_problem(client, instructor, s, p1["id"], right=k >= 2)
    best0 = max(partial)
    assert 0 <= best0 < 1

    results = {r["user_id"]: r for r in client.get(f"/api/v1/banks/{bank['id']}/results",
                                                   headers=instructor.headers).json["items"]}
    assert [results[s.id]["score"] for s in students] == pytest.approx([best0, 1.0, 2.0, 2.0], abs=1e-4)
    assert results[students[0].id]["attempts"] == 3 and results[students[0].id]["max_score"] == 2
    assert results[students[3].id]["items"] == [1.0, 1.0] and results[students[3].id]["percent"] == 100

    stats = client.get(f"/api/v1/banks/{bank['id']}/analytics", headers=instructor.headers).json["items"]
    item0, item1 = stats
    assert item0["attempts"] == 5 and item0["students"] == 4
    assert item0["fraction_correct"] == pytest.approx(3 / 5)
    assert item0["first_attempt_correct"] == pytest.approx(3 / 4)
    assert item0["mean_score"] == pytest.approx((best0 + 3) / 4, abs=1e-4)
    assert item0["misconceptions"]["forgot_plus_one"] == 1
    assert item1["fraction_correct"] == pytest.approx(0.5)
    assert item0["discrimination"] > 0 and item1["discrimination"] > 0
    assert item1["upper_lower"] == pytest.approx(1.0)


def test_analytics_of_an_untouched_bank(client, instructor):
    bank = make_bank(client, instructor)
    stats = client.get(f"/api/v1/banks/{bank['id']}/analytics", headers=instructor.headers).json["items"]
    assert [s["attempts"] for s in stats] == [0, 0]
    assert all(s["fraction_correct"] is None and s["discrimination"] is None for s in stats)
    assert client.get(f"/api/v1/banks/{bank['id']}/results", headers=instructor.headers).json["items"] == []


def test_the_bank_says_its_version_and_whether_it_is_archived(app, client, instructor, student):
    from quizsvc.extensions import db
    from quizsvc.services import bank_edit, banks
    from quizsvc.store.models import Bank, User

    bank = make_bank(client, instructor)
    assert (bank["version"], bank["archived"]) == (1, False)
    enroll(client, instructor, student)
    client.post(f"/api/v1/banks/{bank['id']}/assign", json={"user_ids": [student.id]},
                headers=instructor.headers)
    mine = client.get(f"/api/v1/banks/{bank['id']}", headers=student.headers).json
    answer(client, student, mine["problems"][0]["id"], {"shape": [1, 1, 1]})
    with app.app_context():
        row, actor = db.session.get(Bank, bank["id"]), db.session.get(User, instructor.id)
        items = [banks.ItemSpec(FAMILY, "hard", 1, None)]
        assert bank_edit.change_items(db.session, actor, row, items, mode="version")[0] == "version"
        bank_edit.set_archived(db.session, actor, row, True)
        db.session.commit()
    shown = client.get(f"/api/v1/banks/{bank['id']}", headers=instructor.headers).json
    assert (shown["version"], shown["archived"]) == (2, True)
    assert shown["items"][0]["level"] == "hard"


def test_archive_and_unarchive_through_the_api(client, instructor, other_instructor, student):
    bank = make_bank(client, instructor)
    assign(client, instructor, bank["id"], student)
    pid = client.get(f"/api/v1/banks/{bank['id']}", headers=student.headers).json["problems"][0]["id"]
    for who in (student, other_instructor):  # a student of it, another course's instructor
        assert client.post(f"/api/v1/banks/{bank['id']}/archive",
                           headers=who.headers).status_code in (403, 404)
    r = client.post(f"/api/v1/banks/{bank['id']}/archive", headers=instructor.headers)
    assert r.status_code == 200 and r.json["archived"] is True
    refused = answer(client, student, pid, {"shape": [1, 1, 1]})
    assert refused.status_code == 409 and "archived" in refused.json["message"]
    # Read-only while archived: no unassigning either, and the reason says so.
    locked = client.post(f"/api/v1/banks/{bank['id']}/unassign", json={"user_ids": [student.id]},
                         headers=instructor.headers)
    assert locked.status_code == 409 and "unarchive" in locked.json["message"]
    r = client.post(f"/api/v1/banks/{bank['id']}/unarchive", headers=instructor.headers)
    assert r.status_code == 200 and r.json["archived"] is False
    assert answer(client, student, pid, {"shape": [1, 1, 1]}).status_code == 201


def test_unassign_through_the_api_keeps_answered_results(client, instructor, student,
                                                         other_student):
    bank = make_bank(client, instructor)
    assign(client, instructor, bank["id"], student, other_student)
    pid = client.get(f"/api/v1/banks/{bank['id']}", headers=student.headers).json["problems"][0]["id"]
    assert answer(client, student, pid, {"shape": [1, 1, 1]}).status_code == 201
    bad = client.post(f"/api/v1/banks/{bank['id']}/unassign", json={}, headers=instructor.headers)
    assert bad.status_code == 422  # nobody named
    assert client.post(f"/api/v1/banks/{bank['id']}/unassign", json={"user_ids": [student.id]},
                       headers=student.headers).status_code in (403, 404)
    r = client.post(f"/api/v1/banks/{bank['id']}/unassign", json={"user_ids": [student.id]},
                    headers=instructor.headers)
    assert r.status_code == 200 and r.json == {"unassigned": 1}
    assert client.get(f"/api/v1/banks/{bank['id']}", headers=student.headers).status_code == 404
    results = client.get(f"/api/v1/banks/{bank['id']}/results", headers=instructor.headers).json
    answered = [row for row in results["items"] if row["user_id"] == student.id]
    assert answered and answered[0]["attempts"] >= 1  # the answered problem's result stays
    r = client.post(f"/api/v1/banks/{bank['id']}/unassign", json={"whole_course": True},
                    headers=instructor.headers)
    assert r.status_code == 200 and r.json == {"unassigned": 1}  # the other student
    assert client.get(f"/api/v1/banks/{bank['id']}",
                      headers=other_student.headers).status_code == 404
