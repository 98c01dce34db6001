"""Instructor pages of a bank: build, show, assign, edit, delete, preview, export, results, analytics."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from lxml import etree
from sqlalchemy import func, select

from quizsvc import families
from quizsvc.store.models import Bank, Problem
from tests.web.helpers import check_html, csrf, form_answer, key_of

PASSWORD = "correct horse battery"
FAMILY = "conv_output_shape"


@pytest.fixture
def course(app, make_account):
    """A course with an instructor, a TA and two students; another course's instructor."""
    from quizsvc.extensions import db
    from quizsvc.services import accounts, courses
    from quizsvc.store.models import User

    people = {role: make_account(kind, email=f"{role}@example.edu")
              for role, kind in [("instructor", "instructor"), ("ta", "student"),
                                 ("student", "student"), ("student2", "student"),
                                 ("other", "instructor")]}
    with app.app_context():
        for acc in people.values():
            accounts.set_password(db.session, acc.email, PASSWORD)
        teacher = db.session.get(User, people["instructor"].id)
        c = courses.create_course(db.session, teacher, "Deep learning 101")
        courses.enroll(db.session, teacher, c, db.session.get(User, people["ta"].id), "ta")
        for s in ("student", "student2"):
            courses.enroll(db.session, teacher, c, db.session.get(User, people[s].id), "student")
        other = db.session.get(User, people["other"].id)
        courses.create_course(db.session, other, "Elsewhere")
        db.session.commit()
        people["course_id"] = c.id
    return people


class Db:
    """Database reads in their own app context: the `db` fixture's context would be shared
    with the test client's requests (and with it `g`, where Flask-WTF caches its token)."""

    def __init__(self, app) -> None:
        self.app = app

    def __getattr__(self, name: str):
        from quizsvc.extensions import db

        def call(*args, **kw):
            with self.app.app_context():
                result = getattr(db.session, name)(*args, **kw)
                if hasattr(result, "all"):
                    result = result.all()
                if isinstance(result, Bank):
                    _ = [(i.family, i.count, i.seeds) for i in result.items]
                db.session.expunge_all()
                return result
        return call

    def expire_all(self) -> None:
        pass


@pytest.fixture
def dbr(app):
    return Db(app)


def login(app, email: str):
    client = app.test_client()
    token = csrf(client.get("/login").text)
    r = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert r.status_code in (302, 303), r.text
    return client


def build(client, course_id: int, **fields: str):
    page = client.get(f"/banks/new?course={course_id}")
    data = {"csrf_token": csrf(page.text), "rows": "3", "title": "Week 3",
            "item-0-family": FAMILY, "item-0-level": "easy", "item-0-count": "2",
            "item-1-family": "conv_param_count", "item-1-level": "easy", "item-1-seeds": "5, 7",
            "max_attempts": "3", "show_key": "after_last_attempt", "action": "create", **fields}
    return client.post(f"/banks/new?course={course_id}", data=data)


def bank_id_of(response) -> int:
    match = re.search(r"/banks/(\d+)$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


@pytest.fixture
def bank(app, course):
    client = login(app, "instructor@example.edu")
    r = build(client, course["course_id"], whole_course="yes")
    assert r.status_code == 303, r.text
    return bank_id_of(r)


def test_the_form_builds_a_bank_through_the_service(app, dbr, course):
    client = login(app, "instructor@example.edu")
    page = client.get(f"/banks/new?course={course['course_id']}")
    assert page.status_code == 200
    check_html(page.text)
    r = build(client, course["course_id"])
    assert r.status_code == 303
    bank = dbr.get(Bank, bank_id_of(r))
    assert bank.course_id == course["course_id"] and bank.title == "Week 3"
    assert [(i.family, i.count, i.seeds) for i in bank.items] == \
        [(FAMILY, 2, None), ("conv_param_count", 2, [5, 7])]
    assert (bank.max_attempts, bank.show_key) == (3, "after_last_attempt")


def test_the_same_form_sent_twice_makes_one_bank(app, dbr, course):
    client = login(app, "instructor@example.edu")
    first, again = build(client, course["course_id"]), build(client, course["course_id"])
    assert bank_id_of(again) == bank_id_of(first)
    assert "already created" in client.get(again.headers["Location"]).text
    assert dbr.scalar(select(func.count()).select_from(Bank)) == 1
    # Anything different is another bank.
    other = build(client, course["course_id"], **{"item-0-count": "3"})
    assert bank_id_of(other) != bank_id_of(first)
    assert dbr.scalar(select(func.count()).select_from(Bank)) == 2


def test_add_row_keeps_what_was_typed(app, course):
    client = login(app, "instructor@example.edu")
    r = build(client, course["course_id"], action="add_row", title="Keep me")
    assert r.status_code == 200
    assert 'id="item-3-family"' in r.text and 'value="Keep me"' in r.text


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"title": ""}, "title", "title"),
    ({"item-0-count": "many"}, "item-0-count", "whole number"),
    ({"item-0-count": "500"}, "item-0-family", "count must be between"),
    ({"item-1-seeds": "5, x"}, "item-1-seeds", "whole numbers"),
    ({"item-0-level": "impossible"}, "item-0-family", "Item 1"),
    ({"max_attempts": "0"}, "max_attempts", "between 1 and 1000"),
    ({"item-0-family": "", "item-1-family": ""}, "item-0-family", "at least one item"),
])
def test_bad_input_is_reported_at_the_field_and_in_the_summary(app, dbr, course, fields, field,
                                                               words):
    client = login(app, "instructor@example.edu")
    r = build(client, course["course_id"], **fields)
    assert r.status_code == 422
    check_html(r.text)
    summary = r.text.split('class="error-summary"')[1].split("</div>")[0]
    assert f'href="#{field}"' in summary and words in summary
    assert f'id="{field}-error"' in r.text
    assert dbr.scalar(select(Bank.id)) is None


def test_only_the_course_instructor_builds_banks(app, course):
    for who, status in [("ta", 403), ("student", 403), ("other", 404)]:
        client = login(app, f"{who}@example.edu")
        assert client.get(f"/banks/new?course={course['course_id']}").status_code == status, who
        r = build(client, course["course_id"]) if who == "other" else None
        assert r is None or r.status_code in (400, 403, 404)


PAGES = ["", "/preview", "/results", "/analytics", "/results?format=csv",
         "/analytics/items.svg", "/analytics/scores.svg", "/grades.csv", "/attempts.csv"]


@pytest.mark.parametrize("page", PAGES)
def test_staff_see_every_page_students_and_other_courses_do_not(app, bank, page):
    for who in ("instructor", "ta"):
        r = login(app, f"{who}@example.edu").get(f"/banks/{bank}{page}")
        assert r.status_code == 200, (who, page)
    for who, status in [("student", 403), ("other", 404)]:
        r = login(app, f"{who}@example.edu").get(f"/banks/{bank}{page}")
        assert r.status_code == status, (who, page)
        assert r.mimetype == "text/html" and "<h1>" in r.text and "Traceback" not in r.text


def test_pages_are_valid_html(app, bank):
    client = login(app, "instructor@example.edu")
    for page in ("", "/preview", "/results", "/analytics"):
        r = client.get(f"/banks/{bank}{page}")
        check_html(r.text)


def test_a_ta_reads_but_does_not_edit_assign_or_export(app, dbr, bank):
    client = login(app, "ta@example.edu")
    page = client.get(f"/banks/{bank}")
    assert "Save</button>" not in page.text and "Moodle XML" not in page.text
    r = client.post(f"/banks/{bank}", data={"csrf_token": csrf(page.text), "action": "edit",
                                           "title": "Hijacked", "show_key": "always"})
    assert r.status_code == 403
    assert dbr.get(Bank, bank).title == "Week 3"
    assert client.get(f"/banks/{bank}/export/moodle").status_code == 403


def test_preview_shows_each_variant_with_its_key_and_rerolls(app, bank):
    client = login(app, "instructor@example.edu")
    r = client.get(f"/banks/{bank}/preview")
    # Item 2 has fixed seeds 5 and 7: the preview shows exactly their keys.
    fam = families.get("conv_param_count")
    for seed in (5, 7):
        for value in fam.generate(seed, "easy").answer.values():
            assert str(value) in r.text
    assert r.text.count('class="solution"') == 4 and "Worked solution" in r.text
    first = re.findall(r'class="prompt">(.*?)</div>', r.text, re.DOTALL)
    rolled = client.get(f"/banks/{bank}/preview?roll-0=1")
    again = re.findall(r'class="prompt">(.*?)</div>', rolled.text, re.DOTALL)
    assert first[:2] != again[:2] and first[2:] == again[2:]
    assert "roll-0=2" in rolled.text


def test_each_export_button_downloads_a_file_that_parses(app, bank):
    client = login(app, "instructor@example.edu")
    page = client.get(f"/banks/{bank}").text
    links = re.findall(rf'href="(/banks/{bank}/(?:export/\w+|grades\.csv|attempts\.csv))"', page)
    assert {f"/banks/{bank}/export/{fmt}" for fmt in ("moodle", "qti12", "gift", "json", "pdf")
            } | {f"/banks/{bank}/grades.csv", f"/banks/{bank}/attempts.csv"} <= set(links)
    for link in links:
        r = client.get(link)
        assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"], link
        if link.endswith("moodle"):
            root = etree.fromstring(r.data)
            assert root.tag == "quiz" and len(root.findall("question")) >= 4
        elif link.endswith("qti12"):
            assert zipfile.ZipFile(io.BytesIO(r.data)).namelist()
        elif link.endswith("json"):
            assert json.loads(r.data)["problems"]
        elif link.endswith("gift"):  # one "::title:: prompt {answer}" question per variant
            assert len(re.findall(r"^::[^:]+::.*\{", r.text, re.M)) >= 4, r.text[:300]
        elif link.endswith("pdf"):
            assert r.data.startswith(b"%PDF-") and b"%%EOF" in r.data[-1024:]
        elif link.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(r.text)))
            assert rows and rows[0]
    assert client.get(f"/banks/{bank}/export/nope").status_code == 422


def _answer(app, client, dbr, bank: int, right: bool) -> None:
    client.get("/banks")
    dbr.expire_all()
    problem = dbr.scalars(select(Problem).where(Problem.bank_id == bank,
                                               Problem.owner_id == _uid(dbr, client))
                         .order_by(Problem.id))[0]
    page = client.get(f"/problem/{problem.id}")
    key = key_of(problem.family, problem.seed, problem.level)
    if not right:  # the key's layout with every number off by one: read, graded wrong
        def off(value):  # noqa: ANN001, ANN202
            if isinstance(value, list):
                return [off(v) for v in value]
            return value + 1 if isinstance(value, (int, float)) and not isinstance(value, bool) else value
        key = {k: off(v) for k, v in key.items()}
    answer = form_answer(problem.family, problem.seed, problem.level, key)
    r = client.post(f"/problem/{problem.id}", data={"csrf_token": csrf(page.text), **answer})
    assert r.status_code == 303


def _uid(dbr, client) -> int:
    from quizsvc.store.models import User

    email = client._quizsvc_email
    return dbr.scalar(select(User.id).where(User.email == email))


def test_results_sort_and_csv_and_analytics_count_attempts(app, dbr, bank):
    for email, right in [("student@example.edu", True), ("student2@example.edu", False)]:
        client = login(app, email)
        client._quizsvc_email = email
        _answer(app, client, dbr, bank, right)
    staff = login(app, "ta@example.edu")
    up = staff.get(f"/banks/{bank}/results?sort=score").text
    down = staff.get(f"/banks/{bank}/results?sort=score&order=desc").text
    assert up.index("student2@example.edu") < up.index("student@example.edu<")
    assert down.index("student@example.edu<") < down.index("student2@example.edu")
    rows = list(csv.DictReader(io.StringIO(staff.get(f"/banks/{bank}/results?format=csv").text)))
    by_email = {r["email"]: r for r in rows}
    assert float(by_email["student@example.edu"]["score"]) == 1.0
    assert float(by_email["student2@example.edu"]["score"]) == 0.0
    analytics = staff.get(f"/banks/{bank}/analytics").text
    first_row = analytics.split("<tbody>")[1].split("</tr>")[0]
    assert "<td>2</td><td>2</td>" in first_row and "50%" in first_row
    svg = staff.get(f"/banks/{bank}/analytics/items.svg")
    assert svg.mimetype == "image/svg+xml" and "<script" not in svg.text
    etree.fromstring(svg.data)


def test_edit_policy_applies_to_issued_problems_and_delete_only_unanswered(app, dbr, bank):
    client = login(app, "instructor@example.edu")
    login(app, "student@example.edu").get("/banks")  # issues the student's problems
    page = client.get(f"/banks/{bank}")
    r = client.post(f"/banks/{bank}", data={"csrf_token": csrf(page.text), "action": "edit",
                                           "title": "Week 3 (fixed)", "description": "",
                                           "max_attempts": "", "show_key": "always"})
    assert r.status_code == 303
    dbr.expire_all()
    assert dbr.get(Bank, bank).title == "Week 3 (fixed)"
    assert {(p.max_attempts, p.show_key) for p in dbr.scalars(
        select(Problem).where(Problem.bank_id == bank))} == {(None, "always")}
    bad = client.post(f"/banks/{bank}", data={"csrf_token": csrf(page.text), "action": "edit",
                                             "title": " ", "show_key": "always"})
    assert bad.status_code == 422 and 'href="#title"' in bad.text
    student = login(app, "student@example.edu")
    student._quizsvc_email = "student@example.edu"
    _answer(app, student, dbr, bank, True)
    refused = client.post(f"/banks/{bank}", data={"csrf_token": csrf(page.text),
                                                 "action": "delete"})
    assert refused.status_code == 409 and dbr.get(Bank, bank) is not None


def test_delete_an_unanswered_bank(app, dbr, course):
    client = login(app, "instructor@example.edu")
    bank = bank_id_of(build(client, course["course_id"]))
    page = client.get(f"/banks/{bank}")
    assert client.post(f"/banks/{bank}", data={"csrf_token": csrf(page.text),
                                              "action": "delete"}).status_code == 303
    dbr.expire_all()
    assert dbr.get(Bank, bank) is None


def test_assign_to_chosen_students_and_unknown_emails(app, dbr, course):
    client = login(app, "instructor@example.edu")
    bank = bank_id_of(build(client, course["course_id"]))
    page = client.get(f"/banks/{bank}")
    bad = client.post(f"/banks/{bank}", data={"csrf_token": csrf(page.text), "action": "assign",
                                             "emails": "nobody@example.edu, ta@example.edu"})
    assert bad.status_code == 422 and 'href="#emails"' in bad.text
    assert "nobody@example.edu" in bad.text
    ok = client.post(f"/banks/{bank}", data={"csrf_token": csrf(page.text), "action": "assign",
                                            "emails": "student@example.edu"})
    assert ok.status_code == 303
    owners = set(dbr.scalars(select(Problem.owner_id).where(Problem.bank_id == bank)))
    assert owners == {course["student"].id}


def test_forms_need_the_csrf_token(app, bank):
    client = login(app, "instructor@example.edu")
    r = client.post(f"/banks/{bank}", data={"action": "delete"})
    assert r.status_code == 400
