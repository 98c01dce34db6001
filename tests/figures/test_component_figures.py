"""The problem component draws prompt figures under the prompt, solution figures in the solution."""

from quizsvc import families
from quizsvc.services.practice import figure_views
from tests.web.test_component import card, view_of


def test_prompt_figure_under_the_prompt(app):
    built = families.get("which_norm").generate(2, "medium")
    page = card(app, {**view_of("which_norm", 2, "medium"), "figures": figure_views(built, False)})
    (fig,) = page.find("div", **{"class": "figure-svg"})
    assert fig["aria-label"] == built.figures[0].alt
    assert page.find("svg", role="img")


def test_solution_figure_only_inside_the_shown_solution(app):
    built = families.get("toeplitz_matrix").generate(2, "medium")
    hidden = card(app, {**view_of("toeplitz_matrix", 2, "medium"), "figures": figure_views(built, False)})
    assert not hidden.find("svg")
    shown_view = {**view_of("toeplitz_matrix", 2, "medium", key=True),
                  "figures": figure_views(built, True)}
    with app.test_request_context():
        from flask import render_template_string

        from tests.web.test_component import CARD
        html = render_template_string(CARD, problem=shown_view, result=None, values={}, errors={},
                                      form={"action": "/answer", "can_answer": False})
    solution = html[html.index('class="solution"'):]
    assert "<svg" in solution and "<svg" not in html[:html.index('class="solution"')]
