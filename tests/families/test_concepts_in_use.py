"""Concept questions in use: practised, banked, analysed by distractor, exported."""

import io
import xml.etree.ElementTree as ET
import zipfile

from quizsvc import families
from quizsvc.exporters import export
from tests.api.helpers import enroll


def single_answer_seed(level: str, start: int = 0) -> int:
    """Return the first seed from `start` whose question has one answer field."""
    fam = families.get("concepts")
    return next(s for s in range(start, start + 200) if len(fam.generate(s, level).answer_spec) == 1)


def test_practise_a_concept_question_and_get_the_distractor_explained(client, student):
    seed = single_answer_seed("easy")
    r = client.post("/api/v1/problems", headers=student.headers,
                    json={"family": "concepts", "level": "easy", "seed": seed})
    assert r.status_code == 201, r.json
    p = r.json
    (spec,) = p["answer_spec"]
    # Easy: the right option and one distractor.
    assert spec["kind"] == "choice" and len(spec["choices"]) == 2 and not spec["multiple"]
    fam = families.get("concepts")
    params = fam.generate(seed, "easy").params  # the engine's own copy: the API hides params
    key = fam.solve(params)["choice"]
    wrong = next(c for c in spec["choices"] if c != key)
    r = client.post(f"/api/v1/problems/{p['id']}/attempts", headers=student.headers,
                    json={"answer": wrong})
    assert r.status_code == 201 and r.json["score"] == 0
    m = r.json["misconception"]
    assert m["code"].startswith(params["question"] + "/") and m["title"].startswith("Picked")
    assert m["explanation"]


def test_a_bank_of_concept_questions_is_analysed_by_distractor(client, instructor, student):
    r = client.post("/api/v1/banks", headers=instructor.headers,
                    json={"title": "Concepts", "max_attempts": 2, "show_key": "after_last_attempt",
                          "items": [{"family": "concepts", "level": "hard",
                                     "seeds": [single_answer_seed("hard")]}]})
    assert r.status_code == 201, r.json
    bank = r.json
    enroll(client, instructor, student, course_id=bank["course_id"])  # only her course's banks
    r = client.post(f"/api/v1/banks/{bank['id']}/assign", headers=instructor.headers,
                    json={"user_ids": [student.id]})
    assert r.status_code == 200, r.json
    (problem,) = client.get(f"/api/v1/banks/{bank['id']}", headers=student.headers).json["problems"]
    fam = families.get("concepts")
    params = fam.generate(single_answer_seed("hard"), "hard").params
    key = fam.solve(params)["choice"]
    wrong = next(c for c in problem["answer_spec"][0]["choices"] if c != key)
    r = client.post(f"/api/v1/problems/{problem['id']}/attempts", headers=student.headers,
                    json={"answer": wrong})
    assert r.status_code == 201, r.json
    code = r.json["misconception"]["code"]
    (item,) = client.get(f"/api/v1/banks/{bank['id']}/analytics",
                       headers=instructor.headers).json["items"]
    assert item["misconceptions"] == {code: 1} and item["fraction_correct"] == 0


def test_concept_questions_export_as_multiple_choice_with_explained_distractors():
    fam = families.get("concepts")
    problems = [fam.generate(s, "medium") for s in range(12)]
    single = [p for p in problems if len(p.answer_spec) == 1]
    root = ET.fromstring(export(problems, "moodle").data)
    questions = [q for q in root.iter("question") if q.get("type") == "multichoice"]
    assert len(questions) == len(single) >= 6
    for q in questions:
        answers = q.findall("answer")
        # Medium: the right option and two distractors.
        assert len(answers) == 3 and sum(a.get("fraction") == "100" for a in answers) == 1
        assert all(a.find("feedback/text").text for a in answers if a.get("fraction") != "100")
    # A multiple-answer question is a cloze of yes/no boxes, one per statement.
    cloze = [q for q in root.iter("question") if q.get("type") == "cloze"]
    assert len(cloze) == len(problems) - len(single)
    with zipfile.ZipFile(io.BytesIO(export(problems, "qti12").data)) as z:
        assert any(n.endswith(".xml") for n in z.namelist())
