"""The shared test suite of a problem family.

A family's test module subclasses `FamilySuite`, names the family and gives
`independent(params)`: the key computed a second, independent way (direct
convolution of random data, naive loops, unfold-and-matmul; never the same
formula again). Optionally `torch_key(params)` gives PyTorch's own answer; it
runs where torch is installed. `bad_params` lists (params, words expected in
the error message).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from quizsvc import families
from quizsvc.errors import ParamError
from quizsvc.families.base import jsonable

SEEDS = range(500)


def same_key(a: Any, b: Any, tol: float = 1e-9) -> bool:
    """Return whether two keys agree (numbers within `tol`, structures exactly)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_key(a[k], b[k], tol) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_key(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= tol * max(1.0, abs(a), abs(b))
    return a == b


def as_typed(value: Any) -> Any:
    """Return a key value the way a student would type it (text)."""
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return "; ".join(" ".join(repr(v) for v in row) for row in value)
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


class FamilySuite:
    name: str = ""
    seeds = SEEDS
    bad_params: list[tuple[dict[str, Any], str]] = []

    def independent(self, params: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    torch_key = None  # optional: def torch_key(self, params) -> dict

    @pytest.fixture(scope="class")
    @classmethod
    def family(cls):
        return families.get(cls.name)

    @pytest.fixture(scope="class")
    @classmethod
    def problems(cls, family):
        return [family.generate(seed, level) for level in family.levels for seed in cls.seeds]

    def test_registered(self, family):
        assert self.name in families.names()
        assert family.name == self.name and family.version >= 1
        assert family.misconceptions, "every family names its likely mistakes"

    def test_key_matches_independent(self, problems):
        for p in problems:
            other = self.independent(p.params)
            assert same_key(p.answer, other), (p.seed, p.level, p.params, p.answer, other)

    def test_key_matches_torch(self, problems):
        if self.torch_key is None:
            pytest.skip("no PyTorch counterpart for this family")
        pytest.importorskip("torch")
        for p in problems[:: max(1, len(problems) // 300)]:
            assert same_key(p.answer, self.torch_key(p.params), 1e-6), (p.seed, p.level, p.params)

    def test_key_scores_full(self, family, problems):
        for p in problems:
            grade = family.check(p.params, p.answer)
            assert grade.correct and grade.score == 1.0, (p.seed, p.level, grade.feedback)

    def test_typed_key_scores_full(self, family, problems):
        for p in problems[::7]:
            typed = {k: as_typed(v) for k, v in p.answer.items()}
            grade = family.check(p.params, typed)
            assert grade.correct, (p.seed, p.level, typed, grade.feedback)

    def test_each_misconception_diagnosed(self, family, problems):
        seen = {m.code: 0 for m in family.misconceptions}
        for p in problems:
            for m in family.misconceptions:
                buggy = m.solve(p.params)
                if buggy is None or family.check(p.params, buggy).correct:
                    continue
                grade = family.check(p.params, buggy)
                assert grade.score < 1.0
                assert m.code in [grade.misconception, *grade.alternatives], (
                    p.seed, p.level, m.code, buggy, grade.misconception)
                if grade.misconception == m.code:
                    assert m.title in grade.feedback
                seen[m.code] += 1
        missing = [code for code, n in seen.items() if n == 0]
        assert not missing, f"misconceptions never distinguishable from the key: {missing}"

    def test_deterministic_and_jsonable(self, family):
        for level in family.levels:
            for seed in (0, 1, 2**31, 2**53 - 1):
                a, b = family.generate(seed, level), family.generate(seed, level)
                assert a == b
                data = a.to_dict()
                assert json.loads(json.dumps(data)) == data
                assert a.prompt.strip() and a.solution.strip()
                assert family.solve(a.params) == a.answer
                assert family.validate(json.loads(json.dumps(a.params))) == a.params

    def test_levels_differ(self, family):
        for level in family.levels:
            params = {json.dumps(family.generate(s, level).params, sort_keys=True) for s in range(60)}
            assert len(params) >= 10, f"{level}: only {len(params)} distinct variants in 60 seeds"

    def test_bad_params_rejected(self, family):
        for params, words in self.bad_params:
            with pytest.raises(ParamError) as info:
                family.solve(params)
            assert words.lower() in info.value.message.lower(), (params, info.value.message)

    def test_unknown_and_missing_params_rejected(self, family):
        good = family.generate(0, family.levels[0]).params
        with pytest.raises(ParamError, match="unknown"):
            family.solve({**good, "bogus": 1})
        first = next(iter(good))
        with pytest.raises(ParamError, match="missing"):
            family.solve({k: v for k, v in good.items() if k != first})

    def test_wrong_answers_score_below_one(self, family, problems):
        for p in problems[::11]:
            spec = family.answer_spec(p.params)
            wrong = {f.name: _perturb(p.answer[f.name], f) for f in spec}
            grade = family.check(p.params, wrong)
            assert not grade.correct and grade.score < 1.0
            assert jsonable(grade.parsed) == grade.parsed


def _perturb(value: Any, field) -> Any:
    if field.kind == "choice":
        if field.multiple:
            rest = [c for c in field.choices if c not in value]
            return value[1:] if len(value) > 1 else (rest[:1] if rest else value[:0] or ["?"])
        return next(c for c in field.choices if c != value)
    if field.kind == "expression":  # one more k1*x1 always changes a coefficient
        return f"{value} + {field.choices[0]}*{field.choices[-1]}"
    if isinstance(value, list):
        return [_perturb(v, field) for v in value]
    if isinstance(value, bool):
        return not value
    return value + 1 + abs(value) if isinstance(value, int) else value + 1.0 + abs(value)
