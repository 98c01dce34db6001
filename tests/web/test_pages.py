"""Student pages through the test client, without JavaScript."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from quizsvc import families
from quizsvc.store.models import Attempt, Problem
from tests.web.helpers import (
    a_mistake,
    check_html,
    csrf,
    form_answer,
    key_of,
    same_answer_titles,
)

FAMILIES = families.names()


def _count(app, model) -> int:  # noqa: ANN001
    from quizsvc.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_home_lists_every_family_by_topic_with_levels(client):
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    check_html(r.text)
    for name in FAMILIES:
        fam = families.get(name)
        assert f'href="/practice/{name}"' in r.text
        assert html.escape(fam.topic) in r.text
        for level in fam.levels:
            assert f'href="/practice/{name}?level={level}"' in r.text
    assert 'href="/login"' in r.text and 'href="/signup"' in r.text
    assert "$" not in re.sub(r"<[^>]+>", "", r.text), "raw LaTeX left on the home page"


@pytest.mark.parametrize("family", FAMILIES)
def test_practice_round_trip(app, client, family):
    """Unreadable answer (no attempt), a catalogued mistake named, then the right answer."""
    level = families.get(family).levels[0]
    seed, _code, buggy = a_mistake(family, level)
    r = client.get(f"/practice/{family}?level={level}&seed={seed}")
    assert r.status_code == 303
    page = client.get(r.headers["Location"])
    assert page.status_code == 200
    check_html(page.text)
    assert "Worked solution" not in page.text and 'class="key"' not in page.text
    token = csrf(page.text)
    url = r.headers["Location"]
    fam = families.get(family)
    spec = fam.answer_spec(fam.generate(seed, level).params)
    typed = next((f for f in spec if f.kind != "choice"), spec[0])

    bad = client.post(url, data={"csrf_token": token, typed.name: "banana ??"})
    assert bad.status_code == 422
    assert "could not be read" in bad.text and "No attempt was used" in bad.text
    if typed.kind != "choice":
        assert 'value="banana ??"' in bad.text or ">banana ??</textarea>" in bad.text, \
            "the unreadable answer is shown back in its field"
    check_html(bad.text)
    assert _count(app, Attempt) == 0

    wrong = client.post(url, data={"csrf_token": token, **form_answer(family, seed, level, buggy)},
                        follow_redirects=True)
    assert wrong.status_code == 200
    named = re.search(r'<div class="misconception">\s*<h4>Likely mistake: (.*?)</h4>', wrong.text,
                      re.DOTALL)
    assert named, "the mistake is named"
    assert html.unescape(named.group(1)) in same_answer_titles(family, seed, level, buggy)
    assert "2 attempts left." in wrong.text
    assert "Worked solution" not in wrong.text

    right = client.post(url, data={"csrf_token": token,
                                   **form_answer(family, seed, level, key_of(family, seed, level))},
                        follow_redirects=True)
    assert right.status_code == 200
    assert re.search(r'class="result-title">Correct</h3>\s*<p class="score">Score <strong>100%',
                     right.text)
    assert "Worked solution" in right.text and '<dl class="key">' in right.text
    check_html(right.text)
    assert _count(app, Attempt) == 2
    # The answer form is gone once solved; "another" and "next" are offered.
    assert 'class="answer-form"' not in right.text
    assert f'href="/practice/{family}?level={level}"' in right.text
    assert 'href="/practice"' in right.text


def test_key_shows_after_the_last_attempt(client):
    seed, _, buggy = a_mistake("conv_output_shape", "easy")
    url = client.get(f"/practice/conv_output_shape?seed={seed}").headers["Location"]
    token = csrf(client.get(url).text)
    answer = form_answer("conv_output_shape", seed, "easy", buggy)
    for n in (1, 2):
        page = client.post(url, data={"csrf_token": token, **answer}, follow_redirects=True)
        assert "Worked solution" not in page.text
    page = client.post(url, data={"csrf_token": token, **answer}, follow_redirects=True)
    assert "No attempts left." in page.text and "Worked solution" in page.text
    assert "Expected" in page.text, "the wrong fields show what was expected"
    assert 'class="answer-form"' not in page.text


def test_same_attempt_token_records_one_attempt(app, client):
    """Sending the form twice (a double click, a reload) uses one attempt."""
    url = client.get("/practice/conv_output_shape?seed=5").headers["Location"]
    page = client.get(url).text
    token = re.search(r'name="attempt_token" value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf(page), "attempt_token": token, "shape": "1, 2, 3"}
    client.post(url, data=data)
    client.post(url, data=data)
    assert _count(app, Attempt) == 1


def test_another_students_problem_is_refused(app, client):
    url = client.get("/practice/conv_output_shape?seed=5").headers["Location"]
    other = app.test_client()
    other.get("/practice/conv_output_shape?seed=6")
    r = other.get(url)
    # Not theirs: a 404 page, as if it did not exist (no hint that it does).
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "no problem with id" in r.text and 'name="shape"' not in r.text


def test_bad_level_and_seed_are_html_errors(client):
    r = client.get("/practice/conv_output_shape?level=impossible")
    assert r.status_code == 422 and r.mimetype == "text/html"
    assert "easy, medium, hard" in r.text
    r = client.get("/practice/conv_output_shape?seed=-4")
    assert r.status_code == 422 and "whole number" in r.text
    r = client.get("/practice/no_such_family")
    assert r.status_code == 404 and r.mimetype == "text/html"
    check_html(r.text)


def test_errors_are_pages_for_people_and_json_for_the_api(client):
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = client.get("/no/such/page", headers=browser)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Traceback" not in page.text and '"code"' not in page.text
    check_html(page.text)
    api = client.get("/api/v1/no/such/route", headers=browser)
    assert api.status_code == 404 and api.json["code"] == 404
    assert client.get("/no/such/page", headers={"Accept": "*/*"}).is_json, "curl gets JSON"


def test_pages_send_a_csp_that_allows_only_our_files(client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["Cache-Control"] == "no-store"


def test_progress_per_family_and_topic(app, client):
    assert "No attempts yet" in client.get("/progress").text
    seed, code, buggy = a_mistake("conv_output_shape", "easy")
    url = client.get(f"/practice/conv_output_shape?seed={seed}").headers["Location"]
    token = csrf(client.get(url).text)
    client.post(url, data={"csrf_token": token,
                           **form_answer("conv_output_shape", seed, "easy", buggy)})
    client.post(url, data={"csrf_token": token, **form_answer(
        "conv_output_shape", seed, "easy", key_of("conv_output_shape", seed, "easy"))})
    r = client.get("/progress")
    assert r.status_code == 200
    check_html(r.text)
    row = re.search(r"<code>conv_output_shape</code></a></th>(.*?)</tr>", r.text, re.DOTALL).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.DOTALL)
    assert cells[0] == "2" and cells[1] == "50%"  # two attempts, one right
    assert "1 of 1" in cells[3]
    assert f"aim={code}" in row, "each mistake links to practice aimed at it"
    assert "Convolution arithmetic" in r.text  # the per-topic table
    chart = client.get("/progress/chart.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert b"<svg" in chart.data and b"conv_output_shape" in chart.data
    assert b"<script" not in chart.data, "no scripts (pygal's tooltips off)"


def test_aimed_practice_link_issues_a_variant_that_shows_the_mistake(app, client):
    fam = families.get("conv_output_shape")
    r = client.get("/practice/conv_output_shape?level=easy&aim=forgot_plus_one")
    assert r.status_code == 303
    from quizsvc.extensions import db

    with app.app_context():
        problem = db.session.scalars(select(Problem)).one()
        buggy = next(m for m in fam.misconceptions if m.code == "forgot_plus_one").solve(problem.params)
        assert buggy and buggy != problem.key


def test_banks_page_lists_assigned_problems(app, client, instructor):
    from quizsvc.extensions import db
    from quizsvc.services import accounts

    with app.app_context():
        accounts.sign_up(db.session, "ada@example.edu", "a long password")
        db.session.commit()
    r = client.post("/api/v1/banks", headers=instructor.headers, json={
        "title": "Week 3", "items": [{"family": "conv_output_shape", "level": "easy", "count": 2}],
        "max_attempts": 2, "show_key": "after_last_attempt"})
    assert r.status_code == 201, r.json
    bank = r.json["id"]
    # Banks belong to a course: Ada (who signed up on her own) is enrolled in it first.
    r = client.post(f"/api/v1/courses/{r.json['course_id']}/enrollments",
                    headers=instructor.headers, json={"email": "ada@example.edu"})
    assert r.status_code == 201, r.json
    r = client.post(f"/api/v1/banks/{bank}/assign", headers=instructor.headers,
                    json={"emails": ["ada@example.edu"]})
    assert r.status_code == 200, r.json
    assert client.get("/banks").status_code == 302  # signed out: to the sign-in page
    page = client.get("/login").text
    client.post("/login", data={"csrf_token": csrf(page), "email": "ada@example.edu",
                                "password": "a long password"})
    r = client.get("/banks")
    assert r.status_code == 200
    check_html(r.text)
    assert "Week 3" in r.text and r.text.count('href="/problem/') == 2
    assert "2 attempts; the key and worked solution show after your last attempt" in r.text
    first = re.search(r'href="(/problem/\d+)"', r.text).group(1)
    problem = client.get(first)
    assert problem.status_code == 200 and "Next problem of the bank" in problem.text


def test_practise_what_i_need_aims_at_the_students_mistake(app, client):
    fam = families.get("conv_output_shape")
    seed, code, buggy = a_mistake("conv_output_shape", "easy")
    url = client.get(f"/practice/conv_output_shape?seed={seed}").headers["Location"]
    token = csrf(client.get(url).text)
    client.post(url, data={"csrf_token": token, **form_answer("conv_output_shape", seed, "easy",
                                                             buggy)})
    r = client.get("/practice")
    assert r.status_code == 303
    page = client.get(r.headers["Location"])
    assert "conv_output_shape" in page.text and "Chosen for you" in page.text
    title = next(m.title for m in fam.misconceptions if m.code == code)
    assert html.escape(title) in page.text or title in html.unescape(page.text)
    from quizsvc.extensions import db

    with app.app_context():
        newest = db.session.scalars(select(Problem).order_by(Problem.id.desc())).first()
        assert newest.family == "conv_output_shape" and newest.id != int(url.rsplit("/", 1)[1])
        mistake = next(m for m in fam.misconceptions if m.code == code)
        assert mistake.solve(newest.params) != newest.key, "the variant shows the mistake"
    assert str(newest.seed) not in page.text.replace(url, ""), "no seed on the page"
