"""The problem component (components/problem.html) rendered through the app, without JavaScript."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import html5lib
import pytest
from flask import render_template_string

from quizsvc import families
from quizsvc.services.practice import problem_view

CARD = ('{% from "components/problem.html" import problem_card %}'
        "{{ problem_card(problem, result=result, values=values, errors=errors, form=form) }}")


class Page(HTMLParser):
    """Collect tags with attributes, text, and the ids of the page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, Any]]] = []
        self.text: list[str] = []
        self.html = html
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


def view_of(name: str, seed: int = 3, level: str = "hard", *, key: bool = False) -> dict[str, Any]:
    """A problem as problem_view shows it, built from the engine (no database needed)."""
    p = families.get(name).generate(seed, level)
    out = {"id": 7, "family": name, "prompt": p.prompt, "answer_spec": p.answer_spec,
           "attempts_left": 2, "solved": False, "key_visible": key}
    if key:
        out.update(answer=p.answer, solution=p.solution)
    return out


def card(app, problem, result=None, values=None, errors=None, **form: Any) -> Page:
    form = {"action": "/answer", "can_answer": True, **form}
    with app.test_request_context():
        html = render_template_string(CARD, problem=problem, result=result, values=values or {},
                                      errors=errors or {}, form=form)
    return Page(html)


def test_problem_view_and_component_agree_on_fields(app, db, make_account):
    """The component reads what problem_view returns (fields named as the answer fields)."""
    from quizsvc.services.policy import Policy
    from quizsvc.services.practice import create_practice_problem

    account = make_account("student")
    from quizsvc.store.models import User

    user = db.get(User, account.id)
    row = create_practice_problem(db, user, "conv_param_count", "easy", 5, Policy(3, "after_correct"))
    page = card(app, problem_view(row, user))
    names = [a["name"] for a in page.find("input") if a.get("type") == "text"]
    assert names == ["weights", "biases", "total"]


@pytest.mark.parametrize("name", families.names())
def test_every_family_has_one_labelled_input_per_field(app, name: str):
    problem = view_of(name)
    page = card(app, problem)
    for f in problem["answer_spec"]:
        fid = f"p7-{f['name']}"
        if f["kind"] == "choice":
            boxes = page.find("input", name=f["name"])
            assert len(boxes) == len(f["choices"])
            assert {b["type"] for b in boxes} == {"checkbox" if f.get("multiple") else "radio"}
        else:
            tag = "textarea" if f["kind"] in ("matrix", "vector") else "input"
            (inp,) = page.find(tag, name=f["name"])
            assert inp["id"] == fid and page.find("label", **{"for": fid})
            assert f"{fid}-hint" in inp["aria-describedby"]
            assert page.find("output", id=f"{fid}-preview")
    assert "$" not in page.all_text and "\\begin" not in page.all_text
    assert not page.find("section", **{"class": "solution"})  # the key is not visible
    html5lib.HTMLParser(strict=True).parseFragment(page.html)  # raises on a parse error


def test_matrix_field_gives_no_size_away(app):
    page = card(app, view_of("conv_forward"))
    (ta,) = page.find("textarea", name="output")
    assert ta["data-grid"] == "matrix" and ta["rows"] == "3"
    assert "cols" not in ta and "data-rows" not in ta and "data-cols" not in ta


def test_typed_values_and_unreadable_answers_are_shown_back(app):
    page = card(app, view_of("conv_param_count"), values={"weights": "12 apples", "biases": "8"},
                errors={"weights": "'12 apples' is not a number"})
    assert page.find("input", name="weights", value="12 apples", **{"aria-invalid": "true"})
    assert page.find("input", name="biases", value="8")
    assert page.find("div", role="alert")
    assert "No attempt was used" in page.all_text
    assert page.find("a", href="#p7-weights")
    assert page.find("p", id="p7-weights-error")


def test_result_shows_fields_misconception_and_no_key(app):
    problem = view_of("conv_param_count")
    result = {"score": 1 / 3, "correct": False, "seq": 1, "feedback": "Forgot the bias. Each...",
              "fields": [{"name": "weights", "score": 1.0, "correct": True, "feedback": "correct",
                          "given": 1920},
                         {"name": "biases", "score": 0.0, "correct": False,
                          "feedback": "expected a different number", "given": 0},
                         {"name": "total", "score": 0.0, "correct": False, "feedback": "left blank",
                          "given": None}],
              "misconception": {"code": "forgot_bias", "title": "Forgot the bias",
                                "explanation": "Each filter has **one** bias."},
              "alternatives": ["forgot_groups"]}
    page = card(app, problem, result=result)
    text = page.all_text
    assert "Partly right" in text and "33%" in text and "on attempt 1" in text
    assert "Likely mistake: Forgot the bias" in text and page.find("strong")
    assert "Forgot the bias. Each" not in text  # the feedback line repeats the misconception
    assert text.count("Forgot the bias") == 1
    assert "Right: Number of weights" in text and "Wrong: Number of biases" in text
    assert "2 attempts left" in text
    assert "Expected" not in text and not page.find("section", **{"class": "solution"})


def test_correct_answer_is_said_once(app):
    problem = view_of("conv_output_shape", key=True)
    result = {"score": 1.0, "correct": True, "seq": 2, "feedback": "Correct.",
              "fields": [{"name": "shape", "score": 1.0, "correct": True, "feedback": "correct",
                          "given": problem["answer"]["shape"], "expected": problem["answer"]["shape"]}],
              "misconception": None, "alternatives": []}
    text = card(app, {**problem, "solved": True}, result=result, can_answer=False).all_text
    assert text.count("Correct") == 1 and "Solved." in text


def test_key_and_rendered_solution_once_visible(app):
    problem = view_of("conv_forward", key=True)
    page = card(app, {**problem, "attempts_left": 0}, can_answer=False)
    assert page.find("section", **{"class": "solution"})
    assert not page.find("form")
    assert {"mtable", "math"} <= {t for t, _ in page.tags}
    assert "Worked solution" in page.all_text and "No attempts left." in page.all_text
    assert "\\begin" not in page.all_text and "**" not in page.all_text


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def test_figures_are_drawn_when_present(app):
    from quizsvc.families.problem import Figure

    fig = Figure("grid.svg", SVG, "A 3x3 input with the kernel over it")
    page = card(app, {**view_of("conv_forward"), "figures": [fig]})
    assert page.find("div", role="img", **{"aria-label": fig.alt}) and page.find("svg")


def test_solution_figures_go_with_the_solution_only(app):
    figures = [{"name": "in.svg", "svg": SVG, "alt": "the input", "part": "prompt"},
               {"name": "out.svg", "svg": SVG, "alt": "the output, worked", "part": "solution"}]
    hidden = card(app, {**view_of("conv_forward"), "figures": figures})
    assert hidden.find("div", **{"aria-label": "the input"})
    assert not hidden.find("div", **{"aria-label": "the output, worked"})
    shown = card(app, {**view_of("conv_forward", key=True), "figures": figures}, can_answer=False)
    labels = [a.get("aria-label") for t, a in shown.tags if t == "div" and a.get("role") == "img"]
    assert labels == ["the input", "the output, worked"]  # the second inside the solution


def test_preview_settings_reach_the_form(app):
    page = card(app, view_of("conv_forward"), preview_url="/api/v1/problems/7/preview",
                preview_token="qz_x", hidden={"launch_token": "qz_x"})
    (form,) = page.find("form")
    assert form["data-preview-url"] == "/api/v1/problems/7/preview"
    assert form["data-preview-token"] == "qz_x"
    assert page.find("input", type="hidden", name="launch_token", value="qz_x")


def test_static_files_are_served(client):
    for name, kind in (("quizsvc.css", "text/css"), ("answer.js", "javascript")):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.content_type


def test_an_expression_hint_names_its_symbols_as_ranges_with_a_fitting_example():
    from quizsvc.web.components import answer_hint

    long = {"kind": "expression", "symbols": [f"k{i}" for i in range(1, 6)]
            + [f"x{i}" for i in range(1, 20)]}
    assert answer_hint(long) == ("An expression in k1 to k5 and x1 to x19, "
                                 "for example k1*x1 + k2*x2.")
    short = {"kind": "expression", "symbols": ["a", "b"]}
    assert answer_hint(short) == "An expression in a and b, for example 2*a + 1."
    pair = {"kind": "expression", "symbols": ["k1", "k2", "x1", "x2"]}
    assert answer_hint(pair) == "An expression in k1, k2 and x1, x2, for example k1*x1 + k2*x2."
