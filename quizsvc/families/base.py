"""The glue every family shares: generate, solve and check from a family module.

A family is a plain module that defines::

    NAME: str; VERSION: int; TOPIC: str; LEVELS (optional, default easy/medium/hard)
    sample(rng: Sampler, level: str) -> dict          parameters for a level
    validate(params: dict) -> dict                    canonical params or ParamError
    solve(params: dict) -> dict                       the key (params already valid)
    answer_spec(params: dict) -> list[AnswerField]
    prompt(params: dict) -> str                       Markdown, math as $...$
    solution(params: dict, key: dict) -> str          worked steps, Markdown
    MISCONCEPTIONS: tuple[Misconception, ...]

`Family` wraps such a module with the public API (`generate`, `solve`,
`check`) so that the modules hold only what differs between families.
"""

from __future__ import annotations

import json
from functools import partial
from fractions import Fraction
from types import ModuleType
from typing import Any

from quizsvc.answers import compare_field, parse_field
from quizsvc.answers import symbolic
from quizsvc.answers.compare import field_matches
from quizsvc.errors import AnswerError, ParamError
from quizsvc.figures import figures_for
from quizsvc.families.rng import SEED_MAX, SEED_MIN, Sampler
from quizsvc.families.problem import AnswerField, FieldResult, Grade, Misconception, Problem

LEVELS = ("easy", "medium", "hard")


def jsonable(value: Any) -> Any:
    """Return parsed answer values (Fractions, nested lists) as JSON-able values."""
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, (list, tuple)):
        # Entries of vectors and matrices are Fractions: convert them inline (n/d is float(f)).
        return [(v.numerator if v.denominator == 1 else v.numerator / v.denominator)
                if type(v) is Fraction else jsonable(v) for v in value]
    return value


def _parse(f: AnswerField, value: Any) -> Any:
    if f.kind == "expression":  # linear expressions in symbols: quizsvc.answers.symbolic
        return symbolic.parse_expression(value, f.choices)
    return parse_field(f.kind, value, choices=f.choices, multiple=f.multiple)


def _compare(kind: str, given: Any, key: Any) -> tuple[float, bool, str]:
    return symbolic.compare(given, key) if kind == "expression" else compare_field(kind, given, key)


def _matches(kind: str, given: Any, key: Any) -> bool:
    return symbolic.matches(given, key) if kind == "expression" else field_matches(kind, given, key)


class Family:
    """A problem family: a module of pure functions plus the shared glue."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.name: str = module.NAME
        self.version: int = module.VERSION
        self.topic: str = module.TOPIC
        self.levels: tuple[str, ...] = tuple(getattr(module, "LEVELS", LEVELS))
        self.misconceptions: tuple[Misconception, ...] = tuple(module.MISCONCEPTIONS)
        self._by_code = {m.code: m for m in self.misconceptions}

    def __repr__(self) -> str:
        return f"<Family {self.name} v{self.version}>"

    # -- generation ---------------------------------------------------------
    def check_seed_level(self, seed: Any, level: Any) -> None:
        """Refuse a seed or level this family cannot generate from."""
        if isinstance(seed, bool) or not isinstance(seed, int) or not SEED_MIN <= seed <= SEED_MAX:
            raise ParamError(f"seed must be an integer between {SEED_MIN} and {SEED_MAX}",
                             errors={"seed": "out of range"})
        if level not in self.levels:
            raise ParamError(f"level must be one of {', '.join(self.levels)}, got {level!r}",
                             errors={"level": "unknown level"})

    def sample(self, seed: int, level: str) -> dict[str, Any]:
        """Return the canonical parameters of variant (seed, level)."""
        self.check_seed_level(seed, level)
        return self.module.validate(self.module.sample(Sampler(self.name, level, seed), level))

    def generate(self, seed: int, level: str) -> Problem:
        """Return the problem of variant (seed, level), with its key and worked solution."""
        params = self.sample(seed, level)
        return self.build(params, seed=seed, level=level)

    def build(self, params: dict[str, Any], *, seed: int = 0, level: str = "custom") -> Problem:
        """Return a problem for already-valid parameters (generated or an instructor's own)."""
        m = self.module
        key = m.solve(params)
        return Problem(
            family=self.name, version=self.version, seed=seed, level=level, params=params,
            prompt=m.prompt(params),
            answer_spec=[f.to_dict() for f in m.answer_spec(params)],
            answer=key, solution=m.solution(params, key), topic=self.topic,
            figure_source=partial(figures_for, self.name, params, key),
        )

    def validate(self, params: Any) -> dict[str, Any]:
        """Return canonical parameters, or raise `ParamError` saying what is wrong."""
        if not isinstance(params, dict):
            raise ParamError("params must be a JSON object")
        return self.module.validate(params)

    def solve(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return the answer key for parameters an instructor states."""
        return self.module.solve(self.validate(params))

    def answer_spec(self, params: dict[str, Any]) -> list[AnswerField]:
        return list(self.module.answer_spec(params))

    # -- grading ------------------------------------------------------------
    def parse_answer(self, spec: list[AnswerField], answer: Any) -> dict[str, Any]:
        """Return the answer split into fields and parsed; `AnswerError` if unreadable."""
        names = [f.name for f in spec]
        if isinstance(answer, str):
            text = answer.strip()
            if text.startswith("{"):
                try:
                    answer = json.loads(text)
                except ValueError:
                    raise AnswerError("the answer looks like JSON but is not valid JSON") from None
            elif len(spec) == 1:
                answer = {names[0]: answer}
            else:
                raise AnswerError(f"this problem has {len(spec)} blanks ({', '.join(names)}); "
                                  'send a JSON object like {"' + names[0] + '": ...}',
                                  errors={"answer": "expected one value per field"})
        elif not isinstance(answer, dict):
            if len(spec) == 1:
                answer = {names[0]: answer}
            else:
                raise AnswerError(f"expected an object with the fields {', '.join(names)}")
        unknown = sorted(set(answer) - set(names))
        if unknown:
            raise AnswerError(f"unknown answer fields {', '.join(map(str, unknown))}; "
                              f"this problem asks for {', '.join(names)}",
                              errors={k: "unknown field" for k in unknown})
        parsed: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for f in spec:
            if f.name not in answer or answer[f.name] in (None, ""):
                continue  # a blank left empty scores 0 but is not an error
            try:
                parsed[f.name] = _parse(f, answer[f.name])
            except AnswerError as exc:
                errors[f.name] = exc.message
        if errors:
            detail = "; ".join(f"{k}: {v}" for k, v in errors.items())
            raise AnswerError(f"could not read the answer ({detail})", errors=errors)
        if not parsed:
            raise AnswerError("the answer is empty", errors={"answer": "empty"})
        return parsed

    def check(self, params: dict[str, Any], answer: Any) -> Grade:
        """Grade `answer` (a dict of fields, or text for a one-field problem)."""
        params = self.validate(params)
        key = self.module.solve(params)
        spec = self.answer_spec(params)
        return self.grade(params, key, spec, answer)

    def grade(self, params: dict[str, Any], key: dict[str, Any], spec: list[AnswerField],
              answer: Any) -> Grade:
        """Grade against a known key (saves re-solving when the key is stored)."""
        parsed = self.parse_answer(spec, answer)
        results, given, wrong = [], {}, []
        for f in spec:
            if f.name not in parsed:
                results.append(FieldResult(f.name, 0.0, False, "left blank", key[f.name], None))
                continue
            score, ok, msg = _compare(f.kind, parsed[f.name], key[f.name])
            given[f.name] = (symbolic.to_text(parsed[f.name]) if f.kind == "expression"
                             else jsonable(parsed[f.name]))
            results.append(FieldResult(f.name, score, ok, msg, key[f.name], given[f.name]))
            if not ok:
                wrong.append(f)
        score = sum(r.score for r in results) / len(results)
        correct = all(r.correct for r in results)
        grade = Grade(score=round(score, 6), correct=correct, fields=results, feedback="",
                      parsed={k: given[k] for k in parsed})
        if correct:
            grade.feedback = "Correct."
            return grade
        matches = self.diagnose(params, key, spec, parsed, wrong=wrong)
        if matches:
            first = self._by_code[matches[0]]
            grade.misconception = first.code
            grade.misconception_title = first.title
            grade.misconception_explanation = first.explanation
            grade.alternatives = matches[1:]
            grade.feedback = f"{first.title}. {first.explanation}"
        else:
            right = sum(r.correct for r in results)
            grade.feedback = (f"Not quite: {right} of {len(results)} parts right. "
                              "Recheck each step against the definitions in the prompt.")
        return grade

    def diagnose(self, params: dict[str, Any], key: dict[str, Any], spec: list[AnswerField],
                 parsed: dict[str, Any], *, wrong: list[AnswerField] | None = None) -> list[str]:
        """Return the codes of catalogued mistakes that explain a wrong answer, best first.

        A mistake explains the answer when its buggy key differs from the true
        key and every field the student got wrong equals the buggy key's
        value. Mistakes that reproduce the whole answer come first. `wrong`,
        the answered fields that do not match the key, saves comparing again
        when the caller already knows them.
        """
        if wrong is None:
            wrong = [f for f in spec if f.name in parsed
                     and not _compare(f.kind, parsed[f.name], key[f.name])[1]]
        if not wrong:
            return []
        # Fields answered right: a mistake reproduces the whole answer if it matches these too.
        rest = [f for f in spec if f.name in parsed and f not in wrong]
        full, partial = [], []
        for m in self.misconceptions:
            buggy = m.solve(params)
            if not buggy:
                continue
            if not all(f.name in buggy and _matches(f.kind, parsed[f.name], buggy[f.name])
                       for f in wrong):
                continue
            if all(f.name not in buggy or _matches(f.kind, parsed[f.name], buggy[f.name])
                   for f in rest):
                full.append(m.code)
            else:
                partial.append(m.code)
        return full + partial

    def describe(self) -> dict[str, Any]:
        """Return what the API shows about this family: topic, levels, misconceptions."""
        return {
            "name": self.name, "version": self.version, "topic": self.topic,
            "levels": list(self.levels),
            "misconceptions": [{"code": m.code, "title": m.title, "explanation": m.explanation}
                               for m in self.misconceptions],
        }
