"""The API shows a problem's figures: the prompt's always, the solution's only with the key."""

import xml.etree.ElementTree as ET

from tests.api.helpers import key_of, new_problem


def test_prompt_figures_are_shown_before_any_attempt(client, student):
    p = new_problem(client, student, "conv_forward", seed=4)
    assert p["key_visible"] is False
    (figure,) = p["figures"]
    assert figure["part"] == "prompt" and figure["name"] == "windows.svg" and figure["alt"]
    ET.fromstring(figure["svg"])


def test_solution_figures_wait_for_the_key(client, student):
    p = new_problem(client, student, "toeplitz_matrix", seed=4)
    assert p["key_visible"] is False and p["figures"] == []
    r = client.post(f"/api/v1/problems/{p['id']}/attempts", headers=student.headers,
                    json={"answer": key_of("toeplitz_matrix", 4)})
    assert r.status_code == 201 and r.json["score"] == 1.0
    shown = client.get(f"/api/v1/problems/{p['id']}", headers=student.headers).json
    assert shown["key_visible"] is True
    assert [f["part"] for f in shown["figures"]] == ["solution"]
    assert "<title>" in shown["figures"][0]["svg"]


def test_a_family_without_figures_lists_none(client, student):
    assert new_problem(client, student, "conv_output_shape")["figures"] == []


def test_the_family_example_hides_solution_figures_from_students(client, student, instructor):
    seen = client.get("/api/v1/families/toeplitz_matrix", headers=student.headers).json
    assert "figures" not in seen["example"]
    staff = client.get("/api/v1/families/toeplitz_matrix", headers=instructor.headers).json
    assert [f["part"] for f in staff["example"]["figures"]] == ["solution"]
