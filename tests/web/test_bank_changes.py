"""Changing a bank in the browser: items (in place, new version, copy), archive, copy to another
course, unassign; analytics drill-down and charts; who may do each."""

from __future__ import annotations

import csv
import io
import re

import pytest
from lxml import etree
from sqlalchemy import func, select

from quizsvc.store.courses import Course
from quizsvc.store.models import Attempt, Bank, BankAssignment, BankVersion, Problem, User
from tests.web.helpers import a_mistake, check_html, csrf, form_answer, key_of, same_answer_titles
from tests.web import test_bank_pages as base
from tests.web.test_bank_pages import FAMILY, bank_id_of, build, login

# The fixtures of the bank pages' tests: a course with its people, a bank, database reads.
course, bank, dbr = base.course, base.bank, base.dbr


def _student(app, email: str):
    client = login(app, email)
    client._quizsvc_email = email
    return client


def _uid(dbr, email: str) -> int:
    return dbr.scalar(select(User.id).where(User.email == email))


def _problems(dbr, bank: int, email: str, version: int | None = None) -> list[Problem]:
    query = select(Problem).where(Problem.bank_id == bank, Problem.owner_id == _uid(dbr, email))
    if version is not None:
        query = query.where(Problem.bank_version == version)
    return list(dbr.scalars(query.order_by(Problem.item_index, Problem.variant)))


def _answer(client, problem: Problem, right: bool = True, key: dict | None = None):
    page = client.get(f"/problem/{problem.id}")
    key = key or key_of(problem.family, problem.seed, problem.level)
    if not right:
        key = {k: (v + 1 if isinstance(v, int) and not isinstance(v, bool) else v)
               for k, v in key.items()}
    answer = form_answer(problem.family, problem.seed, problem.level, key)
    return client.post(f"/problem/{problem.id}", data={"csrf_token": csrf(page.text), **answer})


def _items_form(client, bank: int, **fields: str):
    page = client.get(f"/banks/{bank}/items")
    data = {"csrf_token": csrf(page.text), "rows": "3", "action": "save",
            "item-0-family": FAMILY, "item-0-level": "easy", "item-0-count": "2",
            "item-1-family": "conv_param_count", "item-1-level": "easy",
            "item-1-seeds": "5, 7", **fields}
    return page, client.post(f"/banks/{bank}/items", data=data)


def test_before_any_attempt_the_items_change_in_place(app, dbr, bank):
    student = _student(app, "student@example.edu")
    student.get("/banks")
    before = [p.id for p in _problems(dbr, bank, "student@example.edu")]
    assert len(before) == 4
    client = login(app, "instructor@example.edu")
    page, r = _items_form(client, bank, **{"item-0-count": "1"})
    assert page.status_code == 200 and "in place" in page.text and 'name="mode"' not in page.text
    check_html(page.text)
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/banks/{bank}")
    saved = dbr.get(Bank, bank)
    assert saved.version == 1
    assert [(i.family, i.count, i.seeds) for i in saved.items] == \
        [(FAMILY, 1, None), ("conv_param_count", 2, [5, 7])]
    assert dbr.scalar(select(BankVersion.id)) is None
    student.get("/banks")
    after = _problems(dbr, bank, "student@example.edu")
    assert [(p.item_index, p.variant) for p in after] == [(0, 0), (1, 0), (1, 1)]


def test_an_answer_while_editing_asks_again_instead_of_versioning_silently(app, dbr, bank):
    client = login(app, "instructor@example.edu")
    page = client.get(f"/banks/{bank}/items")
    assert 'name="does" value="in_place"' in page.text
    student = _student(app, "student@example.edu")
    student.get("/banks")
    assert _answer(student, _problems(dbr, bank, "student@example.edu")[0]).status_code == 303
    r = client.post(f"/banks/{bank}/items", data={
        "csrf_token": csrf(page.text), "rows": "3", "action": "save", "does": "in_place",
        "item-0-family": FAMILY, "item-0-level": "easy", "item-0-count": "1"})
    assert r.status_code == 409 and "answered this bank while you were editing" in r.text
    assert 'name="mode"' in r.text  # now the choice is offered, and what was typed kept:
    assert 'name="item-0-count" type="text" value="1"' in r.text
    saved = dbr.get(Bank, bank)
    assert saved.version == 1 and [i.count for i in saved.items] == [2, 2]


def test_unchanged_items_change_nothing(app, dbr, bank):
    client = login(app, "instructor@example.edu")
    _, r = _items_form(client, bank)
    assert r.status_code == 303
    assert "nothing changed" in client.get(f"/banks/{bank}").text
    assert dbr.get(Bank, bank).version == 1


def test_after_an_attempt_a_change_to_the_items_makes_a_new_version(app, dbr, bank):
    student = _student(app, "student@example.edu")
    student.get("/banks")
    old = _problems(dbr, bank, "student@example.edu")
    assert _answer(student, old[0]).status_code == 303
    client = login(app, "instructor@example.edu")
    # Title and policy stay editable without a version.
    page = client.get(f"/banks/{bank}")
    assert client.post(f"/banks/{bank}", data={
        "csrf_token": csrf(page.text), "action": "edit", "title": "Week 3 (renamed)",
        "description": "", "max_attempts": "5", "show_key": "after_last_attempt"}
    ).status_code == 303
    assert dbr.get(Bank, bank).version == 1
    form, r = _items_form(client, bank, **{"item-0-level": "medium", "mode": "version"})
    assert "Make version 2 of this bank" in form.text and "Make a copy" in form.text
    check_html(form.text)
    assert r.status_code == 303
    saved = dbr.get(Bank, bank)
    assert saved.version == 2 and saved.items[0].level == "medium"
    kept = dbr.scalar(select(BankVersion).where(BankVersion.bank_id == bank))
    assert kept.version == 1 and kept.items[0]["level"] == "easy"
    # The answered problem and its attempt stay with version 1; the unanswered ones are gone.
    answered = dbr.get(Problem, old[0].id)
    assert answered.bank_version == 1 and answered.level == "easy"
    assert dbr.scalar(select(Attempt.problem_id).where(Attempt.problem_id == old[0].id))
    assert [p.id for p in _problems(dbr, bank, "student@example.edu", 1)] == [old[0].id]
    # The student now gets version 2's problems, new variants, and cannot answer version 1.
    listing = student.get("/banks").text
    new = _problems(dbr, bank, "student@example.edu", 2)
    assert [(p.item_index, p.level) for p in new] == \
        [(0, "medium"), (0, "medium"), (1, "easy"), (1, "easy")]
    assert f"/problem/{new[0].id}" in listing and f"/problem/{old[0].id}\"" not in listing
    shown = student.get(f"/problem/{answered.id}").text
    assert "changed this bank" in shown and 'class="answer-form"' not in shown
    refused = _answer(student, answered)
    assert "earlier version" in student.get(refused.headers["Location"]).text
    assert dbr.scalar(select(func.count()).select_from(Attempt)
                      .where(Attempt.problem_id == answered.id)) == 1
    # Results: version 2 starts from nothing; version 1 is still readable.
    staff = login(app, "ta@example.edu")
    now = {r["email"]: r for r in csv.DictReader(io.StringIO(
        staff.get(f"/banks/{bank}/results?format=csv").text))}
    then = {r["email"]: r for r in csv.DictReader(io.StringIO(
        staff.get(f"/banks/{bank}/results?format=csv&version=1").text))}
    assert float(now["student@example.edu"]["score"]) == 0.0
    assert float(then["student@example.edu"]["score"]) == 1.0
    v1 = staff.get(f"/banks/{bank}/analytics?version=1")
    assert v1.status_code == 200 and "results of version 1" in v1.text
    assert staff.get(f"/banks/{bank}/analytics?version=7").status_code == 404
    assert "version 1 (replaced" in client.get(f"/banks/{bank}").text
    # The attempts CSV says which version each attempt answered.
    attempts = list(csv.DictReader(io.StringIO(staff.get(f"/banks/{bank}/attempts.csv").text)))
    assert [(int(a["problem_id"]), a["bank_version"]) for a in attempts] == [(answered.id, "1")]


def test_or_a_copy_leaves_the_bank_as_it_was(app, dbr, bank):
    student = _student(app, "student@example.edu")
    student.get("/banks")
    assert _answer(student, _problems(dbr, bank, "student@example.edu")[0]).status_code == 303
    client = login(app, "instructor@example.edu")
    _, r = _items_form(client, bank, **{"item-0-count": "4", "mode": "copy"})
    assert r.status_code == 303
    copy = dbr.get(Bank, bank_id_of(r))
    original = dbr.get(Bank, bank)
    assert copy.id != bank and copy.title == "Week 3 (copy)"
    assert copy.course_id == original.course_id and copy.version == 1
    assert [i.count for i in copy.items] == [4, 2] and [i.count for i in original.items] == [2, 2]
    assert original.version == 1
    assert dbr.scalar(select(BankAssignment.id).where(BankAssignment.bank_id == copy.id)) is None


def test_a_bad_item_is_reported_and_nothing_changes(app, dbr, bank):
    client = login(app, "instructor@example.edu")
    _, r = _items_form(client, bank, **{"item-0-count": "500"})
    assert r.status_code == 422 and 'href="#item-0-family"' in r.text
    check_html(r.text)
    assert [i.count for i in dbr.get(Bank, bank).items] == [2, 2]


def test_archive_hides_the_bank_from_students_and_makes_it_read_only(app, dbr, bank, course):
    student = _student(app, "student@example.edu")
    student.get("/banks")
    problem = _problems(dbr, bank, "student@example.edu")[0]
    client = login(app, "instructor@example.edu")
    page = client.get(f"/banks/{bank}")
    r = client.post(f"/banks/{bank}/archive", data={"csrf_token": csrf(page.text),
                                                   "archived": "yes"})
    assert r.status_code == 303 and dbr.get(Bank, bank).archived
    shown = client.get(f"/banks/{bank}").text
    assert "Unarchive this bank" in shown and "Change the items" not in shown
    check_html(shown)
    assert f'id="bank-{bank}"' not in student.get("/banks").text
    api = app.test_client().get("/api/v1/banks", headers={
        "Authorization": f"Bearer {course['student'].token}"}).json
    assert bank not in [b["id"] for b in api["items"]]
    shown = student.get(f"/problem/{problem.id}").text
    assert "archived" in shown and 'class="answer-form"' not in shown
    refused = _answer(student, problem)
    assert "archived" in student.get(refused.headers["Location"]).text
    assert dbr.scalar(select(Attempt.id).where(Attempt.problem_id == problem.id)) is None
    edit = client.post(f"/banks/{bank}", data={"csrf_token": csrf(page.text), "action": "edit",
                                              "title": "No", "show_key": "always"})
    assert edit.status_code == 409 and dbr.get(Bank, bank).title == "Week 3"
    _, items = _items_form(client, bank, **{"item-0-count": "1"})
    assert items.status_code == 409 and dbr.get(Bank, bank).items[0].count == 2
    assign = client.post(f"/banks/{bank}", data={"csrf_token": csrf(page.text),
                                                "action": "assign", "emails": "student2@example.edu"})
    assert assign.status_code == 409
    assert client.post(f"/banks/{bank}/archive", data={"csrf_token": csrf(page.text),
                                                      "archived": "no"}).status_code == 303
    assert f'id="bank-{bank}"' in student.get("/banks").text
    assert _answer(student, problem).status_code == 303


def test_copy_to_another_course_the_instructor_teaches(app, dbr, bank, course):
    from quizsvc.extensions import db
    from quizsvc.services import courses

    with app.app_context():
        teacher = db.session.get(User, course["instructor"].id)
        second = courses.create_course(db.session, teacher, "Deep learning 102").id
        db.session.commit()
    elsewhere = dbr.scalar(select(Bank.course_id).where(Bank.id == bank))  # the bank's own
    client = login(app, "instructor@example.edu")
    page = client.get(f"/banks/{bank}")
    assert f'<option value="{second}"' in page.text
    assert "Elsewhere" not in page.text and f'<option value="{elsewhere}"' not in page.text
    theirs = dbr.scalar(select(Course.id).where(Course.title == "Elsewhere"))
    r = client.post(f"/banks/{bank}/copy", data={"csrf_token": csrf(page.text),
                                                "course_id": str(theirs)})
    assert r.status_code == 404
    assert dbr.scalar(select(Bank.id).where(Bank.course_id == theirs)) is None
    r = client.post(f"/banks/{bank}/copy", data={"csrf_token": csrf(page.text),
                                                "course_id": str(second)})
    assert r.status_code == 303
    copy = dbr.get(Bank, bank_id_of(r))
    assert copy.course_id == second and [(i.family, i.count, i.seeds) for i in copy.items] == \
        [(FAMILY, 2, None), ("conv_param_count", 2, [5, 7])]
    missing = client.post(f"/banks/{bank}/copy", data={"csrf_token": csrf(page.text)})
    assert missing.status_code == 422 and 'href="#course_id"' in missing.text


def test_unassign_chosen_students_then_the_whole_course(app, dbr, bank, course):
    one, two = _student(app, "student@example.edu"), _student(app, "student2@example.edu")
    one.get("/banks")
    two.get("/banks")
    answered = _problems(dbr, bank, "student2@example.edu")[0]
    assert _answer(two, answered).status_code == 303
    client = login(app, "instructor@example.edu")
    page = client.get(f"/banks/{bank}")
    check_html(page.text)
    none = client.post(f"/banks/{bank}/unassign", data={"csrf_token": csrf(page.text)})
    assert none.status_code == 422 and 'href="#unassign"' in none.text
    r = client.post(f"/banks/{bank}/unassign", data={"csrf_token": csrf(page.text),
                                                    "user_id": str(course["student"].id)})
    assert r.status_code == 303
    assigned = set(dbr.scalars(select(BankAssignment.user_id).where(BankAssignment.bank_id == bank)))
    assert assigned == {course["student2"].id}
    assert _problems(dbr, bank, "student@example.edu") == []
    assert f'id="bank-{bank}"' not in one.get("/banks").text
    r = client.post(f"/banks/{bank}/unassign", data={"csrf_token": csrf(page.text),
                                                    "whole_course": "yes"})
    assert r.status_code == 303
    assert not dbr.get(Bank, bank).whole_course
    assert dbr.scalar(select(BankAssignment.id).where(BankAssignment.bank_id == bank)) is None
    # The answered problem stays, and so its student's result.
    assert [p.id for p in _problems(dbr, bank, "student2@example.edu")] == [answered.id]
    results = login(app, "ta@example.edu").get(f"/banks/{bank}/results").text
    assert "student2@example.edu" in results


ACTIONS = [("get", "/items"), ("post", "/items"), ("post", "/archive"), ("post", "/copy"),
           ("post", "/unassign")]


@pytest.mark.parametrize(("method", "page"), ACTIONS)
def test_only_the_course_instructors_change_a_bank(app, dbr, bank, course, method, page):
    for who, status in [("ta", 403), ("student", 403), ("other", 404)]:
        client = login(app, f"{who}@example.edu")
        token = csrf(client.get("/login").text)
        data = {"csrf_token": token, "archived": "yes", "whole_course": "yes",
                "course_id": str(course["course_id"]), "item-0-family": FAMILY, "rows": "1"}
        r = client.get(f"/banks/{bank}{page}") if method == "get" else \
            client.post(f"/banks/{bank}{page}", data=data)
        assert r.status_code == status, (who, page)
        assert r.mimetype == "text/html" and "Traceback" not in r.text
    saved = dbr.get(Bank, bank)
    assert not saved.archived and saved.whole_course and len(saved.items) == 2
    assert dbr.scalar(select(Bank.id).where(Bank.id != bank)) is None


def test_changes_need_the_csrf_token(app, dbr, bank):
    client = login(app, "instructor@example.edu")
    for page in ("/archive", "/unassign", "/copy", "/items"):
        assert client.post(f"/banks/{bank}{page}", data={"archived": "yes",
                                                         "whole_course": "yes"}).status_code == 400
    assert not dbr.get(Bank, bank).archived


READ_PAGES = ["/analytics/items/1", "/analytics/difficulty.svg", "/analytics/mistakes.svg",
              "/analytics?format=csv"]


@pytest.mark.parametrize("page", READ_PAGES)
def test_staff_read_the_drill_down_and_charts_students_and_others_do_not(app, bank, page):
    for who in ("instructor", "ta"):
        assert login(app, f"{who}@example.edu").get(f"/banks/{bank}{page}").status_code == 200
    for who, status in [("student", 403), ("other", 404)]:
        r = login(app, f"{who}@example.edu").get(f"/banks/{bank}{page}")
        assert r.status_code == status, (who, page)


def test_drill_down_groups_the_answers_with_their_mistake(app, dbr, course, make_account):
    from quizsvc.extensions import db
    from quizsvc.services import accounts, courses

    seed, _, buggy = a_mistake(FAMILY, "easy")
    with app.app_context():
        teacher = db.session.get(User, course["instructor"].id)
        c = db.session.get(Course, course["course_id"])
        third = make_account("student", email="student3@example.edu")
        accounts.set_password(db.session, third.email, "correct horse battery")
        courses.enroll(db.session, teacher, c, db.session.get(User, third.id), "student")
        db.session.commit()
    client = login(app, "instructor@example.edu")
    bank = bank_id_of(build(client, course["course_id"], whole_course="yes",
                            **{"item-0-seeds": str(seed), "item-0-count": ""}))
    # Two students make the same catalogued mistake on item 1; one gets it right.
    for email, key in [("student@example.edu", buggy), ("student2@example.edu", buggy),
                       ("student3@example.edu", None)]:
        s = _student(app, email)
        s.get("/banks")
        problems = _problems(dbr, bank, email)
        assert _answer(s, problems[0], key=key).status_code == 303
        if email != "student@example.edu":  # item 2 right for two of them, to spread the totals
            assert _answer(s, problems[1]).status_code == 303
    staff = login(app, "ta@example.edu")
    page = staff.get(f"/banks/{bank}/analytics/items/1")
    check_html(page.text)
    body = re.sub(r">\s+<", "><", page.text.split("<tbody>")[1].split("</tbody>")[0])
    rows = body.split("</tr>")[:-1]
    assert len(rows) == 2
    titles = same_answer_titles(FAMILY, seed, "easy", buggy)
    assert "<td>2</td><td>2</td>" in rows[0] and any(t in rows[0] for t in titles)
    assert "correct</span>" not in rows[0]
    assert "<td>1</td><td>1</td><td>100% <span" in rows[1] and "correct" in rows[1]
    assert staff.get(f"/banks/{bank}/analytics/items/3").status_code == 404
    analytics = staff.get(f"/banks/{bank}/analytics")
    check_html(analytics.text)
    assert f"/banks/{bank}/analytics/items/1" in analytics.text
    mistakes = analytics.text.split("<caption>Misconceptions diagnosed</caption>")[1]
    assert any(f"{t}</th><td>2</td><td>1</td>" in mistakes for t in titles)
    for chart in ("difficulty", "mistakes", "scores"):
        svg = staff.get(f"/banks/{bank}/analytics/{chart}.svg")
        assert svg.mimetype == "image/svg+xml" and "<script" not in svg.text
        etree.fromstring(svg.data)
    assert any(t in staff.get(f"/banks/{bank}/analytics/mistakes.svg").text for t in titles)
    assert "item 1" in staff.get(f"/banks/{bank}/analytics/difficulty.svg").text
    rows = {r["item"]: r for r in csv.DictReader(io.StringIO(
        staff.get(f"/banks/{bank}/analytics?format=csv").text))}
    assert rows["1"]["attempts"] == "3" and float(rows["1"]["fraction_correct"]) == pytest.approx(1 / 3, abs=1e-4)
    assert rows["1"]["discrimination"] != ""
