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

from fractions import Fraction
from functools import partial
from types import ModuleType
from typing import Any

from quizsvc.answers import compare_field, symbolic
from quizsvc.answers.compare import layout_of
from quizsvc.answers.diagnose import LAYOUT_MISTAKES, diagnoses, field_explanations
from quizsvc.answers.fields import parse_fields
from quizsvc.errors import AnswerError, ParamError
from quizsvc.families.problem import (
    AnswerField,
    FieldResult,
    Grade,
    Misconception,
    Problem,
)
from quizsvc.families.rng import SEED_MAX, SEED_MIN, Sampler
from quizsvc.figures import figures_for

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
            import difflib

            near = difflib.get_close_matches(str(level).strip().lower(), self.levels, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ParamError(f"level must be one of {', '.join(self.levels)}, got {level!r}{hint}",
                             errors={"level": "unknown level", "allowed": list(self.levels)})

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
        spec = m.answer_spec(params)
        return Problem(
            family=self.name, version=self.version, seed=seed, level=level, params=params,
            prompt=with_tolerance(m.prompt(params), spec),
            answer_spec=[f.to_dict() for f in spec],
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
    def find_misconception(self, code: str) -> Misconception | None:
        """Return the catalogued or layout mistake called `code`, or None."""
        return self._by_code.get(code) or _LAYOUT_BY_CODE.get(code)

    def parse_answer(self, spec: list[AnswerField], answer: Any,
                     layouts: dict[str, tuple[int, ...] | None] | None = None) -> dict[str, Any]:
        """Return the answer split into fields and parsed; `AnswerError` if unreadable.

        `layouts`, the key's layout per field, lets a flat list fill a matrix row by row.
        """
        return parse_fields(spec, answer, layouts)

    def check(self, params: dict[str, Any], answer: Any) -> Grade:
        """Grade `answer` (a dict of fields, or text for a one-field problem)."""
        params = self.validate(params)
        key = self.module.solve(params)
        spec = self.answer_spec(params)
        return self.grade(params, key, spec, answer)

    def _buggy(self, params: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        out = []
        for m in self.misconceptions:
            buggy = m.solve(params)
            if buggy:
                out.append((m.code, buggy))
        return out

    def grade(self, params: dict[str, Any], key: dict[str, Any], spec: list[AnswerField],
              answer: Any) -> Grade:
        """Grade against a known key (saves re-solving when the key is stored).

        A field whose layout (number of entries, rows, dimensions) differs from
        the key's is graded only when a mistake explains it (a catalogued one,
        or a layout mistake such as a batch dimension included); otherwise the
        answer is refused with `AnswerError`, saying how it was read.
        """
        layouts = {f.name: layout_of(f.kind, key[f.name]) for f in spec}
        parsed = self.parse_answer(spec, answer, layouts)
        results, given, wrong = [], {}, []
        for f in spec:
            if f.name not in parsed:
                results.append(FieldResult(f.name, 0.0, False, "left blank", key[f.name], None))
                continue
            score, ok, msg = compare_field(f.kind, parsed[f.name], key[f.name], f.tolerance)
            given[f.name] = (symbolic.to_text(parsed[f.name]) if f.kind == "expression"
                             else jsonable(parsed[f.name]))
            results.append(FieldResult(f.name, score, ok, msg, key[f.name], given[f.name]))
            if not ok:
                wrong.append(f)
        explained: dict[str, list[tuple[str, ...]]] = {}
        buggy: list[tuple[str, dict[str, Any]]] = []
        if wrong:
            buggy = self._buggy(params)
            explained = {f.name: field_explanations(f, parsed[f.name], key[f.name], buggy)
                         for f in wrong}
            refused = {f.name: read_as(f.kind, parsed[f.name]) for f in wrong
                       if layout_of(f.kind, parsed[f.name]) != layouts[f.name]
                       and not explained[f.name]}
            if refused:
                raise AnswerError(_refusal(spec, refused),
                                  errors={n: f"{how}, which does not fit this blank"
                                          for n, how in refused.items()})
        score = sum(r.score for r in results) / len(results)
        correct = all(r.correct for r in results)
        grade = Grade(score=round(score, 6), correct=correct, fields=results, feedback="",
                      parsed={k: given[k] for k in parsed})
        if correct:
            grade.feedback = "Correct."
            return grade
        found = diagnoses(spec, key, parsed, wrong, buggy, explained)
        for r in results:
            codes = sorted({c for d in found for c in d["fields"].get(r.name, ())},
                           key=[c for d in found for c in d["codes"]].index)
            r.misconceptions = codes
            if codes and len(spec) > 1:
                r.feedback += "; matches: " + ", or ".join(self._title(c) for c in codes)
        grade.diagnoses = [{"codes": d["codes"], "complete": d["complete"]} for d in found]
        if found:
            codes = list(dict.fromkeys(c for d in found for c in d["codes"]))
            first = self.find_misconception(codes[0])
            grade.misconception = first.code
            grade.misconception_title = first.title
            grade.misconception_explanation = first.explanation
            grade.alternatives = codes[1:]
            grade.feedback = self._diagnosis_text(found)
        else:
            grade.feedback = _summary(grade, results)
        return grade

    def _title(self, code: str) -> str:
        m = self.find_misconception(code)
        return m.title if m else code

    def _diagnosis_text(self, found: list[dict[str, Any]]) -> str:
        """Return the feedback naming the diagnoses: one, several that fit, or two together."""
        def said(code: str) -> str:
            m = self.find_misconception(code)
            return f"{m.title}: {m.explanation}" if m else code

        top = [d for d in found if d["complete"] == found[0]["complete"]]
        singles = [d["codes"][0] for d in top if len(d["codes"]) == 1]
        if len(top) == 1 and singles:
            m = self.find_misconception(singles[0])
            return f"{m.title}. {m.explanation}"
        if singles:
            names = ", or ".join(self._title(c) for c in singles)
            return (f"This answer matches more than one mistake: {names}. "
                    + " ".join(said(c) for c in singles))
        pair = top[0]["codes"]
        others = "" if len(top) == 1 else (
            " It also fits " + "; or ".join(" and ".join(self._title(c) for c in d["codes"])
                                           for d in top[1:]) + ".")
        return (f"Two mistakes together: {self._title(pair[0])}, and {self._title(pair[1])}."
                f"{others} " + " ".join(said(c) for c in pair))

    def diagnose(self, params: dict[str, Any], key: dict[str, Any], spec: list[AnswerField],
                 parsed: dict[str, Any], *, wrong: list[AnswerField] | None = None) -> list[str]:
        """Return the codes of the mistakes that explain a wrong answer, best first.

        See `quizsvc.answers.diagnose`: single mistakes that reproduce every
        wrong field (complete ones, agreeing with the right fields too, first),
        else pairs of mistakes. `wrong`, the answered fields that do not match
        the key, saves comparing again when the caller already knows them.
        """
        if wrong is None:
            wrong = [f for f in spec if f.name in parsed and not compare_field(
                f.kind, parsed[f.name], key[f.name], f.tolerance)[1]]
        found = diagnoses(spec, key, parsed, wrong, self._buggy(params))
        return list(dict.fromkeys(c for d in found for c in d["codes"]))

    def describe(self) -> dict[str, Any]:
        """Return what the API shows about this family: topic, levels, misconceptions."""
        return {
            "name": self.name, "version": self.version, "topic": self.topic,
            "levels": list(self.levels),
            "misconceptions": [{"code": m.code, "title": m.title, "explanation": m.explanation}
                               for m in self.misconceptions],
        }


_LAYOUT_BY_CODE = {m.code: m for m in LAYOUT_MISTAKES}


def with_tolerance(prompt: str, spec: list[AnswerField]) -> str:
    """Return `prompt` with the one sentence that states its fields' tolerances, if any.

    The sentence is derived from the answer spec (`AnswerField.tolerance`), so
    that what the prompt says and what the grading does cannot drift apart.
    """
    tolerated = [f for f in spec if f.tolerance is not None]
    if not tolerated:
        return prompt
    rules = list(dict.fromkeys(f.tolerance for f in tolerated))
    if len(rules) == 1:
        sentence = f"Values that are not whole numbers are graded {rules[0].describe()}"
        sig = rules[0].sig
        if sig and sig >= 2:
            third = 2 / 3
            sentence += (f": give at least {sig} (for 2/3, {third:.{sig}g} or "
                         f"{third:.{sig + 1}g}, not {third:.{sig - 1}g}).")
        else:
            sentence += "."
    else:
        sentence = "Graded " + "; ".join(f"`{f.name}` {f.tolerance.describe()}"
                                         for f in tolerated) + "."
    if any(f.kind == "number" for f in tolerated):
        sentence = sentence[:-1] + "; a fraction may be written as a percentage (72%)."
    return f"{prompt}\n\n{sentence}"


def read_as(kind: str, value: Any) -> str:
    """Return how a parsed field was read: ``a 6x9 matrix``, ``7 entries``, ``2 sizes (126x126)``."""
    if kind == "matrix":
        return f"read as a {len(value)}x{len(value[0]) if value else 0} matrix " \
               f"({len(value)} rows of {len(value[0]) if value else 0} entries)"
    if kind == "vector":
        shown = ", ".join(str(v) for v in jsonable(value[:6])) + (", ..." if len(value) > 6 else "")
        return f"read as {len(value)} entries [{shown}]"
    if kind == "shape":
        return f"read as {len(value)} sizes ({'x'.join(map(str, value))})"
    return f"read as {jsonable(value)!r}"


def _refusal(spec: list[AnswerField], refused: dict[str, str]) -> str:
    """Return the message of an answer whose layout fits no blank (no attempt is used)."""
    parts = []
    for f in spec:
        if f.name in refused:
            ask = ""
            if f.kind == "shape":
                ask = f"; the blank asks for {f.label}"
            parts.append(f"{f.name}: {refused[f.name]}, which does not fit this blank{ask}")
    return ("The answer was not graded and used no attempt: " + "; ".join(parts)
            + ". Check the number of entries, rows or dimensions and send it again.")


def _summary(grade: Grade, results: list[FieldResult]) -> str:
    """Return the feedback of a wrong answer no mistake explains; it states the score."""
    wrong = [r for r in results if not r.correct]
    if len(results) == 1:
        return f"Not quite (score {grade.score:.2f}): {results[0].feedback}."
    right = len(results) - len(wrong)
    details = "; ".join(f"{r.name}: {r.feedback}" for r in wrong)
    return (f"Not quite (score {grade.score:.2f}): {right} of {len(results)} parts right; "
            f"{details}. Recheck each step against the definitions in the prompt.")
