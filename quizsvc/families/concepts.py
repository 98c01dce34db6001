"""The concept questions of `seeds/concepts.json` as a family: practised, banked, analysed, exported.

A multiple-answer ("select all that apply") question asks yes or no for each option shown, one
field per option: a set of sentences cannot be typed back as one answer (commas and spaces
separate choices), and each statement is then marked, exported and analysed on its own. Its
mistakes are a distractor answered yes and a right option answered no (code ``.../n-missed``).

A variant is one question with some of its options in a shuffled order: the correct option(s)
and one distractor at the easy level, two at the medium level, every option at the hard level
(most questions have three distractors, so each level shows one option more). Each distractor of each question is a catalogued mistake (code ``<question id>/<n>``,
n counting the question's options from 1), so a wrong pick is diagnosed and analysed like any
other mistake, and explained by the distractor's own explanation.

The variants are drawn from the bank file: editing it changes the problems, so VERSION must be
bumped with it (`BANK_SHA256` pins the file; a test compares them).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from quizsvc.concepts import DEFAULT_PATH, ConceptQuestion, load_concepts
from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.families.rng import Sampler

NAME = "concepts"
VERSION = 2
TOPIC = "Concepts"
BANK_SHA256 = "bfa3acb0eecda58b55c6568b812cf3627439a7d3dd874159786ece3a7c07dbfd"

_DISTRACTORS = {"easy": 1, "medium": 2}


@lru_cache(maxsize=1)
def bank() -> dict[str, ConceptQuestion]:
    """Return the shipped questions by id, in bank order."""
    return {q.id: q for q in load_concepts()}


def bank_digest() -> str:
    return hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw a question, keep its correct options and some distractors, shuffle them."""
    q = rng.choice(list(bank().values()))
    right = [i for i, o in enumerate(q.options) if o.correct]
    wrong = rng.shuffle([i for i, o in enumerate(q.options) if not o.correct])
    keep = wrong[:_DISTRACTORS[level]] if level in _DISTRACTORS else wrong
    return {"question": q.id, "options": rng.shuffle(right + keep)}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params: a known question and a valid order of some of its options."""
    P.only_keys(params, ("question",), ("options",))
    qid = params["question"]
    if not isinstance(qid, str) or qid not in bank():
        raise ParamError(f"no concept question {str(qid)[:64]!r}; see seeds/concepts.json",
                         errors={"question": "unknown"})
    q = bank()[qid]
    options = params.get("options", list(range(len(q.options))))
    if not isinstance(options, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                for i in options):
        raise ParamError("options must be a list of option numbers (0-based)",
                         errors={"options": "not a list of integers"})
    if len(set(options)) != len(options) or not all(0 <= i < len(q.options) for i in options):
        raise ParamError(f"options must name distinct options 0 to {len(q.options) - 1}",
                         errors={"options": "out of range or repeated"})
    if not set(q.correct) <= set(options):
        raise ParamError("options must include every correct option", errors={"options": "no key"})
    if set(options) == set(q.correct):
        raise ParamError("options must include at least one wrong option",
                         errors={"options": "no distractor"})
    return {"question": qid, "options": list(options)}


def _texts(p: dict[str, Any]) -> list[str]:
    q = bank()[p["question"]]
    return [q.options[i].text for i in p["options"]]


YES_NO = ("yes", "no")


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"choice": the correct text}``, or ``{"s1": "yes" | "no", ...}`` per option shown."""
    q = bank()[params["question"]]
    if q.multiple:
        return {f"s{k + 1}": "yes" if q.options[i].correct else "no"
                for k, i in enumerate(params["options"])}
    return {"choice": next(q.options[i].text for i in params["options"] if q.options[i].correct)}


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    q = bank()[params["question"]]
    if q.multiple:
        return [AnswerField(f"s{k + 1}", "choice", text, YES_NO)
                for k, text in enumerate(_texts(params))]
    return [AnswerField("choice", "choice", "Your answer", tuple(_texts(params)))]


def prompt(params: dict[str, Any]) -> str:
    q = bank()[params["question"]]
    if q.multiple:
        return (f"{q.stem}\n\nFor each statement below, answer **yes** if it applies and "
                "**no** if it does not.")
    return f"{q.stem}\n\n*Pick one.*"


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    q = bank()[params["question"]]
    lines = []
    for i in params["options"]:
        o = q.options[i]
        lines.append(f"- {'**Right**' if o.correct else 'Wrong'}: {o.text} {o.explanation}")
    return "\n".join(lines) + f"\n\n*Source: {q.source}.*"


def _picked(qid: str, index: int):
    """A buggy solver: the student picks option `index` (a distractor), or with a multiple-answer
    question answers it the wrong way round (yes to a distractor, no to a right option)."""
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        if p["question"] != qid or index not in p["options"]:
            return None
        q = bank()[qid]
        if not q.multiple:
            return {"choice": q.options[index].text}
        flipped = "no" if q.options[index].correct else "yes"
        return {**solve(p), f"s{p['options'].index(index) + 1}": flipped}  # the rest answered right
    return solve_buggy


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 3].rsplit(" ", 1)[0] + "..."


MISCONCEPTIONS = tuple(
    Misconception(f"{q.id}/{i + 1}-missed" if o.correct else f"{q.id}/{i + 1}",
                  f"{'Left out' if o.correct else 'Picked'} \u201c{_short(o.text)}\u201d",
                  o.explanation, _picked(q.id, i))
    for q in bank().values() for i, o in enumerate(q.options) if q.multiple or not o.correct)
