"""Diagnosis: every fitting mistake listed, complete before partial, per field, two at once.

The expected mistakes are found here by comparing the buggy keys with each
other (`harness.same_key`), not by the engine's diagnosis.
"""

from __future__ import annotations

import re
import types
from itertools import combinations

import pytest

from quizsvc import families
from quizsvc.families.base import Family
from quizsvc.families.problem import AnswerField, Misconception
from tests.families.harness import same_key

SEEDS = range(60)


def codes_of(grade) -> list[str]:
    return [grade.misconception, *grade.alternatives] if grade.misconception else []


@pytest.mark.parametrize("name", families.names())
def test_an_ambiguous_answer_lists_every_mistake_that_gives_it(name):
    family = families.get(name)
    ambiguous = 0
    for level in family.levels:
        for seed in SEEDS:
            p = family.generate(seed, level)
            spec = family.answer_spec(p.params)
            buggy = {m.code: m.solve(p.params) for m in family.misconceptions}
            for code, b in buggy.items():
                if not b or same_key(b, p.answer):
                    continue
                answer = {f.name: b.get(f.name, p.answer[f.name]) for f in spec}
                fitting = [c for c, other in buggy.items() if other
                           and all(same_key(other.get(f.name, p.answer[f.name]), answer[f.name])
                                   for f in spec)]
                grade = family.grade(p.params, p.answer, spec, answer)
                if grade.correct:
                    continue  # within tolerance of the key: nothing to diagnose
                assert set(fitting) <= set(codes_of(grade)), (seed, level, code, fitting, codes_of(grade))
                flags = [d["complete"] for d in grade.diagnoses]
                assert flags == sorted(flags, reverse=True), (seed, level, grade.diagnoses)
                if len(fitting) > 1:
                    ambiguous += 1
                    assert "matches more than one mistake" in grade.feedback
                    for c in fitting:
                        assert family.find_misconception(c).title in grade.feedback
    assert ambiguous >= 0  # some families have none; the assertions above are per case


def test_conv_output_shape_says_which_mistakes_fit():
    """The issue's case: forgetting the +1 and counting the padding once give the same shape."""
    family = families.get("conv_output_shape")
    for level in family.levels:
        for seed in range(300):
            p = family.generate(seed, level)
            b = {m.code: m.solve(p.params) for m in family.misconceptions}
            if b["forgot_plus_one"] and b["forgot_plus_one"] == b.get("padding_once"):
                grade = family.check(p.params, b["forgot_plus_one"])
                assert grade.misconception == "forgot_plus_one"
                assert "padding_once" in grade.alternatives
                assert re.search(r"matches more than one mistake: Forgot the \+1, or .*", grade.feedback)
                return
    pytest.skip("no variant where the two mistakes coincide")


@pytest.mark.parametrize("name", ["fc_param_count", "backprop_shapes", "conv_flops"])
def test_two_mistakes_in_two_fields_are_named_together(name):
    """Families whose fields are independent (no field is the sum of two others)."""
    family = families.get(name)
    for level in family.levels:
        for seed in range(100):
            p = family.generate(seed, level)
            spec = family.answer_spec(p.params)
            buggy = [(m.code, m.solve(p.params)) for m in family.misconceptions]
            buggy = [(c, b) for c, b in buggy if b]
            for (c1, b1), (c2, b2) in combinations(buggy, 2):
                f1 = [f.name for f in spec if b1.get(f.name, p.answer[f.name]) != p.answer[f.name]]
                f2 = [f.name for f in spec if b2.get(f.name, p.answer[f.name]) != p.answer[f.name]]
                if not f1 or not f2 or set(f1) & set(f2):
                    continue
                answer = {**p.answer, **{f: b1[f] for f in f1}, **{f: b2[f] for f in f2}}
                single = [c for c, b in buggy
                          if all(same_key(b.get(k, p.answer[k]), answer[k]) for k in answer)]
                if single:
                    continue
                grade = family.grade(p.params, p.answer, spec, answer)
                assert {c1, c2} <= set(codes_of(grade)), (seed, level, c1, c2, grade.feedback)
                assert grade.feedback.startswith("Two mistakes together")
                by_field = {r.name: r.misconceptions for r in grade.fields}
                assert all(c1 in by_field[f] for f in f1) and all(c2 in by_field[f] for f in f2)
                return
    pytest.skip(f"{name}: no two mistakes that touch one different field each")


def test_each_wrong_field_names_its_own_mistake():
    family = families.get("conv_param_count")
    for seed in range(100):
        p = family.generate(seed, "medium")
        for m in family.misconceptions:
            b = m.solve(p.params)
            if not b or b == p.answer:
                continue
            grade = family.check(p.params, b)
            for r in grade.fields:
                assert (m.code in r.misconceptions) == (b[r.name] != p.answer[r.name]) \
                    or not r.correct, (seed, m.code, r)
            return


def _fake_family() -> Family:
    """A family whose first mistake explains the answer only in part, the second in full."""
    def solve(params):
        return {"a": 1, "b": 2}
    module = types.SimpleNamespace(
        NAME="fake", VERSION=1, TOPIC="test", sample=lambda rng, level: {},
        validate=lambda params: params, solve=solve,
        answer_spec=lambda params: [AnswerField("a", "integer", "A"), AnswerField("b", "integer", "B")],
        prompt=lambda params: "?", solution=lambda params, key: "!",
        MISCONCEPTIONS=(
            Misconception("partial", "Partial", "matches a, not b", lambda p: {"a": 5, "b": 3}),
            Misconception("complete", "Complete", "matches a and b", lambda p: {"a": 5, "b": 2}),
        ))
    return Family(module)


def test_complete_diagnoses_come_before_partial_ones():
    """The answer {a: 5, b: 2}: "complete" reproduces it all, "partial" contradicts b."""
    grade = _fake_family().check({}, {"a": 5, "b": 2})
    assert grade.misconception == "complete" and grade.alternatives == ["partial"]
    assert [d["complete"] for d in grade.diagnoses] == [True, False]
    assert grade.feedback.startswith("Complete.")


def test_the_summary_of_an_unexplained_answer_states_the_score():
    family = families.get("conv_param_count")
    p = family.generate(0, "easy")
    answer = {**p.answer, "total": p.answer["total"] + 12345}
    grade = family.check(p.params, answer)
    assert grade.misconception is None
    assert f"score {grade.score:.2f}" in grade.feedback
    right = sum(r.correct for r in grade.fields)
    assert f"{right} of {len(grade.fields)} parts right" in grade.feedback
    family = families.get("toeplitz_matrix")
    p = family.generate(0, "easy")
    zeros = [[0] * len(p.answer["matrix"][0]) for _ in p.answer["matrix"]]
    grade = family.check(p.params, {"matrix": zeros})
    assert grade.score == 0.0 and "score 0.00" in grade.feedback and "parts right" not in grade.feedback
