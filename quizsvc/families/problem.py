"""Typed values that cross module borders: problems, answer fields and grades."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from quizsvc.answers.tolerance import Tolerance

FieldKind = Literal["integer", "number", "shape", "vector", "matrix", "choice", "expression"]


@dataclass(frozen=True)
class AnswerField:
    """One blank a student fills in.

    `choices` lists the options of a `choice` field; `multiple` lets a student
    pick a set of them (for example the axes ``N, H, W``). For an `expression`
    field `choices` lists the symbols the expression may use (``k1, x1, ...``).
    `tolerance` says how
    close a real entry must be (None: exact; a real key entry then falls back to
    `quizsvc.answers.DEFAULT`); the prompt states it in one sentence the engine
    adds. `symmetric` marks a matrix of ``[before, after]`` rows that may also be
    answered with one number per row (``1``, or ``[1, 2]`` for ``[[1, 1], [2, 2]]``).
    """

    name: str
    kind: FieldKind
    label: str
    choices: tuple[str, ...] | None = None
    multiple: bool = False
    tolerance: Tolerance | None = None
    symmetric: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "label": self.label}
        if self.kind == "expression":
            out["symbols"] = list(self.choices or ())
        elif self.choices is not None:
            out["choices"] = list(self.choices)
            out["multiple"] = self.multiple
        if self.tolerance is not None:
            out["tolerance"] = self.tolerance.to_dict()
        return out


@dataclass(frozen=True)
class Misconception:
    """A named mistake, with the "buggy solver" that reproduces it.

    `solve` returns the key a student holding this misconception would give,
    or ``None`` when the mistake makes no sense for these parameters.
    """

    code: str
    title: str
    explanation: str
    solve: Callable[[dict[str, Any]], dict[str, Any] | None]


@dataclass
class Problem:
    """A generated problem: everything needed to show, grade and regenerate it."""

    family: str
    version: int
    seed: int
    level: str
    params: dict[str, Any]
    prompt: str
    answer_spec: list[dict[str, Any]]
    answer: dict[str, Any]
    solution: str
    topic: str = ""
    # Draws the figures on first use: SVG costs far more than generating the problem itself.
    figure_source: Callable[[], list[Figure]] | None = field(default=None, compare=False,
                                                             repr=False)

    @property
    def figures(self) -> list[Figure]:
        """Return the problem's figures (prompt and solution), drawn once, when first asked for."""
        drawn = self.__dict__.get("_figures")
        if drawn is None:
            drawn = self.__dict__["_figures"] = (list(self.figure_source())
                                                 if self.figure_source else [])
        return drawn

    @figures.setter
    def figures(self, value: list[Figure]) -> None:
        self.__dict__["_figures"] = list(value)

    def to_dict(self, *, include_key: bool = True) -> dict[str, Any]:
        """Return a JSON-able dict; without the key, solution and solution figures unless asked."""
        out = asdict(self)
        out.pop("figure_source")
        if not include_key:
            out.pop("answer")
            out.pop("solution")
        figures = self.visible_figures(include_key=include_key)
        if figures:  # families without figures keep their published form
            out["figures"] = [asdict(f) for f in figures]
        return out

    def visible_figures(self, *, include_key: bool) -> list[Figure]:
        """Return the prompt figures, and the solution figures too when the key may be shown."""
        return [f for f in self.figures if include_key or f.part == "prompt"]


@dataclass
class FieldResult:
    """The grade of one answer field."""

    name: str
    score: float
    correct: bool
    feedback: str
    expected: Any = None
    given: Any = None
    misconceptions: list[str] = field(default_factory=list)  # the mistakes this field matches

    def to_dict(self, *, include_key: bool = False) -> dict[str, Any]:
        out = {"name": self.name, "score": self.score, "correct": self.correct,
               "feedback": self.feedback, "given": self.given,
               "misconceptions": list(self.misconceptions)}
        if include_key:
            out["expected"] = self.expected
        return out


@dataclass
class Grade:
    """The grade of a whole answer.

    `misconception` is the first catalogued mistake the answer matches;
    `alternatives` lists every other mistake named in `diagnoses`: those that
    would give the same answer, and the second of two mistakes made together.
    `diagnoses` are the explanations found, complete ones (reproducing every
    answered field) first: ``{"codes": [...], "complete": bool}``.
    """

    score: float
    correct: bool
    fields: list[FieldResult]
    feedback: str
    misconception: str | None = None
    misconception_title: str | None = None
    misconception_explanation: str | None = None
    alternatives: list[str] = field(default_factory=list)
    parsed: dict[str, Any] = field(default_factory=dict)
    diagnoses: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self, *, include_key: bool = False) -> dict[str, Any]:
        return {
            "score": self.score,
            "correct": self.correct,
            "feedback": self.feedback,
            "fields": [f.to_dict(include_key=include_key) for f in self.fields],
            "misconception": self.misconception,
            "misconception_title": self.misconception_title,
            "misconception_explanation": self.misconception_explanation,
            "alternatives": list(self.alternatives),
            "diagnoses": [dict(d) for d in self.diagnoses],
        }


@dataclass(frozen=True)
class Figure:
    """A picture drawn from a problem's parameters: SVG text and its text alternative.

    A family that draws figures gives a problem a list of these (`Problem.figures`);
    pages inline the SVG, exports embed it as a file named `name` (ending in .svg).
    """

    name: str
    svg: str
    alt: str
    part: Literal["prompt", "solution"] = "prompt"  # a solution figure shows only with the key
