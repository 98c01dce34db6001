"""concepts: the concept bank as a family; keys against the bank file read directly."""

import hashlib
import json

from quizsvc import families
from quizsvc.concepts import DEFAULT_PATH
from quizsvc.families import concepts as concept_family
from tests.families.harness import FamilySuite

RAW = {q["id"]: q for q in json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["questions"]}


class TestConcepts(FamilySuite):
    name = "concepts"
    bad_params = [
        ({"question": "no-such-question"}, "no concept question"),
        ({"question": "residual-zero-init", "options": [0, 0, 3]}, "distinct"),
        ({"question": "residual-zero-init", "options": [1, 2]}, "every correct option"),
        ({"question": "residual-zero-init", "options": [0]}, "at least one wrong"),
        ({"question": "residual-zero-init", "options": [0, 1, 9]}, "distinct options"),
        ({"question": "residual-zero-init", "options": "0,1"}, "list of option numbers"),
    ]

    def independent(self, params):
        q = RAW[params["question"]]
        shown = [q["options"][i] for i in params["options"]]
        if q.get("multiple"):
            return {f"s{k}": "yes" if o["correct"] else "no" for k, o in enumerate(shown, 1)}
        return {"choice": next(o["text"] for o in shown if o["correct"])}


def test_every_distractor_is_a_named_mistake_with_its_explanation():
    family = families.get("concepts")
    codes = {m.code: m for m in family.misconceptions}
    for qid, q in RAW.items():
        for i, o in enumerate(q["options"]):
            if not o["correct"]:
                assert codes[f"{qid}/{i + 1}"].explanation == o["explanation"]
            elif q.get("multiple"):
                assert codes[f"{qid}/{i + 1}-missed"].explanation == o["explanation"]
    assert all(len(code) <= 64 for code in codes)  # the attempts table's column


def test_a_wrong_pick_is_diagnosed_and_explained():
    family = families.get("concepts")
    params = {"question": "pooling-grows-receptive-field", "options": [2, 0, 1, 3]}
    grade = family.check(params, RAW["pooling-grows-receptive-field"]["options"][3]["text"])
    assert grade.misconception == "pooling-grows-receptive-field/4"
    assert "add" in grade.misconception_explanation and not grade.correct


def test_levels_show_one_two_and_all_distractors():
    family = families.get("concepts")
    for level, most in (("easy", 1), ("medium", 2), ("hard", 9)):
        for seed in range(40):
            p = family.generate(seed, level)
            q = RAW[p.params["question"]]
            wrong = [i for i in p.params["options"] if not q["options"][i]["correct"]]
            total_wrong = sum(not o["correct"] for o in q["options"])
            assert len(wrong) == min(most, total_wrong)


def test_the_bank_file_is_pinned_so_its_edits_bump_the_version():
    digest = hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()
    assert digest == concept_family.BANK_SHA256, (
        "seeds/concepts.json changed: bump quizsvc/families/concepts.py VERSION, set BANK_SHA256 to " + digest
        + " and regenerate the golden file (python -m tests.families.make_golden concepts)")


def test_every_question_is_a_variant():
    seen = {families.get("concepts").generate(s, "hard").params["question"] for s in range(600)}
    assert seen == set(RAW) and len(RAW) >= 36


def test_a_multiple_answer_question_asks_yes_or_no_per_statement():
    family = families.get("concepts")
    params = {"question": "pooling-why", "options": [3, 0, 1, 2]}
    assert family.solve(params) == {"s1": "no", "s2": "yes", "s3": "yes", "s4": "yes"}
    spec = family.answer_spec(params)
    assert [f.label for f in spec] == [RAW["pooling-why"]["options"][i]["text"] for i in (3, 0, 1, 2)]
    grade = family.check(params, {"s1": "yes", "s2": "yes", "s3": "yes", "s4": "yes"})
    assert grade.misconception == "pooling-why/4" and grade.score == 0.75
    grade = family.check(params, {"s1": "no", "s2": "yes", "s3": "no", "s4": "yes"})
    assert grade.misconception == "pooling-why/2-missed"


def test_the_new_topics_have_their_questions():
    for qid in ("equivariance-vs-invariance-shift", "inductive-bias-not-built-in",
                "pooling-grows-receptive-field", "three-3x3-vs-one-7x7",
                "cross-correlation-weights-swapped", "residual-zero-init"):
        q = RAW[qid]
        assert sum(not o["correct"] for o in q["options"]) >= 3
        assert all(len(o["explanation"]) >= 40 for o in q["options"])
