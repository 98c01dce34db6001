"""The landing page: the student's bank problems in the shared component, answered in the page.

Through the local test platform: a real launch, then the page's own forms (which carry
the launch token, no cookie) and the preview the page's script calls with that token.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.lti.conftest import (
    INSTRUCTOR,
    LAUNCH_URL,
    LEARNER,
    TOOL,
    Lms,
    bank_ref_for,
    make_bank,
)


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, Any]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, Any]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    def forms(self) -> list[dict[str, Any]]:
        """Each answer form: its action and hidden fields."""
        out, current = [], None
        for tag, a in self.tags:
            if tag == "form":
                current = {"action": a["action"], "hidden": {}}
                out.append(current)
            elif tag == "input" and a.get("type") == "hidden" and current is not None:
                current["hidden"][a["name"]] = a["value"]
        return out


def launch(app, lms: Lms, bank_id: int, sub: str = "s-1", roles=None):
    claims = lms.platform.resource_link_claims(
        sub=sub, roles=roles or [LEARNER], link_id="rl-9", target_link_uri=LAUNCH_URL,
        custom={"quizsvc_bank": bank_ref_for(app, lms.platform.issuer, bank_id)})
    resp = lms.launch(claims)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp


def keys_of(app, ids: list[int]) -> list[dict]:
    from quizsvc.extensions import db
    from quizsvc.store.models import Problem

    with app.app_context():
        return [dict(db.session.get(Problem, i).key) for i in ids]


def attempts(app) -> int:
    from quizsvc.extensions import db
    from quizsvc.store.models import Attempt

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attempt))


def post(lms: Lms, form: dict[str, Any], **answer: str):
    path = form["action"].removeprefix(TOOL)
    return lms.client.post(path, data={**form["hidden"], **answer}, base_url=TOOL)


@pytest.fixture
def bank_id(app, instructor) -> int:
    return make_bank(app, instructor.id, count=2, max_attempts=2)


def test_landing_renders_each_problem_with_math_and_no_raw_markup(app, lms: Lms, bank_id):
    page = Page(launch(app, lms, bank_id).get_data(as_text=True))
    forms = page.forms()
    assert len(forms) == 2
    assert all(re.fullmatch(TOOL + r"/lti/problems/\d+/answer", f["action"]) for f in forms)
    assert all(f["hidden"]["launch_token"].startswith("qz_") for f in forms)
    assert "math" in {t for t, _ in page.tags} and page.find("code")
    text = page.all_text
    assert "$" not in text and "`" not in text and "**" not in text
    assert "Problem 1 of 2" in text and "2 attempts left" in text
    assert len(page.find("input", name="shape")) == 2 and page.find("label")
    assert page.find("link", rel="stylesheet", href="/static/quizsvc.css")
    assert page.find("script", src="/static/answer.js")
    (form,) = [a for t, a in page.tags if t == "form"][:1]
    assert form["data-preview-url"].startswith(TOOL + "/api/v1/problems/")
    assert not page.find("section", **{"class": "solution"})


def test_answering_in_the_page_shows_per_field_feedback_once(app, lms: Lms, bank_id):
    page = Page(launch(app, lms, bank_id).get_data(as_text=True))
    forms = page.forms()
    ids = [int(re.search(r"/problems/(\d+)/", f["action"]).group(1)) for f in forms]
    key = keys_of(app, ids)[0]["shape"]
    # A wrong answer first: the result, the per-field feedback, attempts left, no key.
    wrong = post(lms, forms[0], shape="1, 1, 1")
    assert wrong.status_code == 200 and wrong.headers["Cache-Control"] == "no-store"
    shown = Page(wrong.get_data(as_text=True))
    text = shown.all_text
    assert "Not right yet" in text and "Wrong:" in text and "1 attempt left" in text
    assert "You gave (1, 1, 1)" in text
    assert "Expected" not in text and not shown.find("section", **{"class": "solution"})
    assert shown.find("body", **{"data-focus": f"p{ids[0]}-result"})
    # Then right: said once, and now the key and the rendered worked solution show.
    right = Page(post(lms, Page(wrong.get_data(as_text=True)).forms()[0],
                      shape=", ".join(map(str, key))).get_data(as_text=True))
    text = right.all_text
    assert text.count("Correct") == 1 and "Correct. Correct." not in text
    assert right.find("section", **{"class": "solution"}) and "Worked solution" in text
    assert "\\lfloor" not in text and "$" not in text
    assert attempts(app) == 2
    assert len(right.forms()) == 1  # the solved problem takes no more answers


def test_an_unreadable_answer_is_shown_back_and_costs_nothing(app, lms: Lms, bank_id):
    forms = Page(launch(app, lms, bank_id).get_data(as_text=True)).forms()
    r = post(lms, forms[1], shape="three by four")
    assert r.status_code == 422
    page = Page(r.get_data(as_text=True))
    assert page.find("div", role="alert") and "No attempt was used" in page.all_text
    assert page.find("input", name="shape", value="three by four", **{"aria-invalid": "true"})
    assert attempts(app) == 0
    empty = post(lms, forms[1])
    assert empty.status_code == 422 and attempts(app) == 0


def test_the_same_form_sent_twice_is_one_attempt(app, lms: Lms, bank_id):
    forms = Page(launch(app, lms, bank_id).get_data(as_text=True)).forms()
    post(lms, forms[0], shape="1, 1, 1")
    post(lms, forms[0], shape="1, 1, 1")
    assert attempts(app) == 1


def test_a_form_without_its_launch_token_is_refused_as_a_page(app, lms: Lms, bank_id):
    forms = Page(launch(app, lms, bank_id).get_data(as_text=True)).forms()
    form = {**forms[0], "hidden": {**forms[0]["hidden"], "launch_token": "qz_forged"}}
    r = post(lms, form, shape="1, 1, 1")
    assert r.status_code == 401 and r.mimetype == "text/html"
    assert "Open this activity again" in r.get_data(as_text=True)
    assert attempts(app) == 0


def test_another_students_token_cannot_answer(app, lms: Lms, bank_id):
    mine = Page(launch(app, lms, bank_id, sub="s-1").get_data(as_text=True)).forms()
    theirs = Page(launch(app, lms, bank_id, sub="s-2").get_data(as_text=True)).forms()
    form = {**mine[0], "hidden": {**mine[0]["hidden"],
                                  "launch_token": theirs[0]["hidden"]["launch_token"]}}
    r = post(lms, form, shape="1, 1, 1")
    assert r.status_code == 404 and attempts(app) == 0  # not theirs: as if it did not exist


def test_the_preview_works_with_the_launch_token(app, lms: Lms, bank_id):
    page = Page(launch(app, lms, bank_id).get_data(as_text=True))
    form = [a for t, a in page.tags if t == "form"][0]
    r = lms.client.post(form["data-preview-url"].removeprefix(TOOL), base_url=TOOL,
                        json={"answer": {"shape": "6x217x201"}},
                        headers={"Authorization": "Bearer " + form["data-preview-token"]})
    assert r.status_code == 200
    (field,) = r.get_json()["fields"]
    assert field["state"] == "read" and field["text"] == "(6, 217, 201)"
    assert attempts(app) == 0


def test_instructor_landing_describes_the_bank_without_forms(app, lms: Lms, bank_id):
    page = Page(launch(app, lms, bank_id, sub="t-1", roles=[INSTRUCTOR]).get_data(as_text=True))
    # No answer forms and no token: only the way to the course's passbacks, by frame session.
    (form,) = page.forms()
    assert form["action"] == "/lti/passbacks" and set(form["hidden"]) == {"lti_session"}
    assert "2 problems" in page.all_text and "viewing this as an instructor" in page.all_text


def test_landing_is_valid_html_with_unique_ids(app, lms: Lms, bank_id):  # noqa: ANN001
    html5lib = pytest.importorskip("html5lib")
    forms = Page(launch(app, lms, bank_id).get_data(as_text=True)).forms()
    post(lms, forms[0], shape="1, 1, 1")
    html = post(lms, forms[1], shape="three").get_data(as_text=True)  # a result and an error
    html5lib.HTMLParser(strict=True).parse(html)  # raises on any parse error
    page = Page(html)
    ids = [a["id"] for _, a in page.tags if "id" in a]
    assert len(ids) == len(set(ids))
    for _, a in page.tags:  # every aria reference names an element of the page
        for attr in ("aria-describedby", "aria-labelledby", "for"):
            for ref in (a.get(attr) or "").split():
                assert ref in ids, (attr, ref)
