"""concepts: the concept bank as a family; keys against the bank file read directly."""

import hashlib
import json

from quizsvc import families
from quizsvc.concepts import DEFAULT_PATH
from quizsvc.families import concept_bank
from tests.families.harness import FamilySuite

ALL = {q["id"]: q for q in json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["questions"]}
RAW = {k: q for k, q in ALL.items() if not q.get("multiple")}


class TestConcepts(FamilySuite):
    name = "concepts"
    bad_params = [
        ({"question": "no-such-question"}, "no concept question"),
        ({"question": "pooling-why"}, "no concept question"),  # multiple-answer: not a variant
        ({"question": "residual-zero-init", "options": [0, 0, 3]}, "distinct"),
        ({"question": "residual-zero-init", "options": [1, 2]}, "every correct option"),
        ({"question": "residual-zero-init", "options": [0]}, "at least one wrong"),
        ({"question": "residual-zero-init", "options": [0, 1, 9]}, "distinct options"),
        ({"question": "residual-zero-init", "options": "0,1"}, "list of option numbers"),
    ]

    def independent(self, params):
        q = RAW[params["question"]]
        right = [q["options"][i]["text"] for i in params["options"] if q["options"][i]["correct"]]
        return {"choice": right if q.get("multiple") else right[0]}

    def test_typed_key_scores_full(self, family, problems):
        # A page submits the option's text, or the list of ticked texts.
        for p in problems[::7]:
            assert family.check(p.params, {"choice": p.answer["choice"]}).correct


def test_every_distractor_is_a_named_mistake_with_its_explanation():
    family = families.get("concepts")
    codes = {m.code: m for m in family.misconceptions}
    for qid, q in RAW.items():
        for i, o in enumerate(q["options"]):
            if not o["correct"]:
                assert codes[f"{qid}/{i + 1}"].explanation == o["explanation"]
    assert all(len(code) <= 64 for code in codes)  # the attempts table's column


def test_a_wrong_pick_is_diagnosed_and_explained():
    family = families.get("concepts")
    params = {"question": "pooling-grows-receptive-field", "options": [2, 0, 1, 3]}
    grade = family.check(params, RAW["pooling-grows-receptive-field"]["options"][3]["text"])
    assert grade.misconception == "pooling-grows-receptive-field/4"
    assert "add" in grade.misconception_explanation and not grade.correct


def test_levels_show_two_three_and_all_distractors():
    family = families.get("concepts")
    for level, most in (("easy", 2), ("medium", 3), ("hard", 9)):
        for seed in range(40):
            p = family.generate(seed, level)
            q = RAW[p.params["question"]]
            wrong = [i for i in p.params["options"] if not q["options"][i]["correct"]]
            total_wrong = sum(not o["correct"] for o in q["options"])
            assert len(wrong) == min(most, total_wrong)


def test_the_bank_file_is_pinned_so_its_edits_bump_the_version():
    digest = hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()
    assert digest == concept_bank.BANK_SHA256, (
        "seeds/concepts.json changed: bump concept_bank.VERSION, set BANK_SHA256 to " + digest
        + " and regenerate the golden file (python -m tests.families.make_golden concepts)")


def test_every_single_answer_question_is_a_variant():
    seen = {families.get("concepts").generate(s, "hard").params["question"] for s in range(600)}
    assert seen == set(RAW) and len(RAW) >= 30


def test_the_new_topics_have_their_questions():
    for qid in ("equivariance-vs-invariance-shift", "inductive-bias-not-built-in",
                "pooling-grows-receptive-field", "three-3x3-vs-one-7x7",
                "cross-correlation-weights-swapped", "residual-zero-init"):
        q = RAW[qid]
        assert sum(not o["correct"] for o in q["options"]) >= 3
        assert all(len(o["explanation"]) >= 40 for o in q["options"])
