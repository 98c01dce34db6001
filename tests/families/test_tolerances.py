"""Tolerances per field: declared in the answer spec, applied per field, stated in the prompt."""

from __future__ import annotations

import types

from quizsvc import families
from quizsvc.answers import Tolerance
from quizsvc.families.base import Family
from quizsvc.families.problem import AnswerField


def _reals(value) -> bool:
    if isinstance(value, list):
        return any(_reals(v) for v in value)
    return isinstance(value, float) and not value.is_integer()


def test_every_real_field_declares_its_tolerance_and_the_prompt_states_it():
    for family in families.all_families():
        for level in family.levels:
            for seed in range(40):
                p = family.generate(seed, level)
                spec = family.answer_spec(p.params)
                for f in spec:
                    if _reals(p.answer[f.name]):
                        assert f.tolerance is not None, (family.name, level, seed, f.name)
                        assert f"graded {f.tolerance.describe()}" in p.prompt
                        assert p.answer_spec[spec.index(f)]["tolerance"] == f.tolerance.to_dict()
                if all(f.tolerance is None for f in spec):
                    assert "significant figures" not in p.prompt.split("\n\n")[-1]


def _two_field_family() -> Family:
    module = types.SimpleNamespace(
        NAME="fake", VERSION=1, TOPIC="test", sample=lambda rng, level: {},
        validate=lambda params: params, solve=lambda params: {"a": 29 / 3, "b": 100.5},
        answer_spec=lambda params: [AnswerField("a", "number", "A", tolerance=Tolerance(sig=3)),
                                    AnswerField("b", "number", "B", tolerance=Tolerance(rel=0.05))],
        prompt=lambda params: "Compute a and b.", solution=lambda params, key: "!",
        MISCONCEPTIONS=())
    return Family(module)


def test_each_field_is_graded_by_its_own_tolerance():
    fam = _two_field_family()
    assert fam.check({}, {"a": "9.67", "b": "96"}).correct          # b within 5%
    grade = fam.check({}, {"a": "9.6", "b": "96"})                  # a not to 3 s.f.
    assert [r.correct for r in grade.fields] == [False, True]
    grade = fam.check({}, {"a": "9.667", "b": "95"})                # b off by 5.5%
    assert [r.correct for r in grade.fields] == [True, False]


def test_the_prompt_sentence_comes_from_the_spec():
    prompt = _two_field_family().build({}).prompt
    assert prompt.startswith("Compute a and b.\n\n")
    assert "`a` to 3 significant figures" in prompt and "`b` within 5% of the exact value" in prompt
    assert prompt.count("\n\n") == 1  # one sentence added, after the family's text
