"""The API gives prompts and worked solutions as rendered HTML beside their Markdown."""

from __future__ import annotations

from quizsvc.render import render_markdown
from tests.api.helpers import answer, key_of, new_problem

FAMILY, SEED = "conv_forward", 3


def test_prompt_html_is_the_rendered_prompt(client, student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    assert p["prompt_html"] == str(render_markdown(p["prompt"]))
    assert "<mtable>" in p["prompt_html"] and "$" not in p["prompt_html"]
    assert "solution_html" not in p


def test_solution_html_only_once_the_key_is_visible(client, student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    key = key_of(FAMILY, SEED)["output"]
    zeros = [[0] * len(row) for row in key] if isinstance(key[0], list) else [0] * len(key)
    wrong = client.post(f"/api/v1/problems/{p['id']}/attempts", json={"answer": {"output": zeros}},
                        headers=student.headers).json
    assert wrong["key_visible"] is False and "solution_html" not in wrong
    right = answer(client, student, p["id"], key_of(FAMILY, SEED)).json
    assert right["key_visible"] is True
    assert right["solution_html"] == str(render_markdown(right["solution"]))
    assert "<math" in right["solution_html"]
    shown = client.get(f"/api/v1/problems/{p['id']}", headers=student.headers).json
    assert shown["solution_html"] == right["solution_html"]


def test_family_example_is_rendered_and_its_solution_only_for_staff(client, student, instructor):
    mine = client.get("/api/v1/families/conv_forward", headers=student.headers).json["example"]
    assert mine["prompt_html"] == str(render_markdown(mine["prompt"]))
    assert "solution_html" not in mine and "solution" not in mine
    staff = client.get("/api/v1/families/conv_forward", headers=instructor.headers).json["example"]
    assert staff["solution_html"] == str(render_markdown(staff["solution"]))
