"""The multiple-choice bank of conceptual questions (`seeds/concepts.json`).

Each question has an id, a topic, a Markdown stem, options (each with its text, whether it is
correct and an explanation; a distractor's explanation says why it is wrong) and a source
reference. A question has exactly one correct option unless it declares ``"multiple": true``,
in which case it has at least one correct and at least one wrong option.

`load_concepts()` reads and validates the whole bank and raises `ConceptBankError`, naming the
question and field, on the first problem it finds; nothing half-valid is returned.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizsvc.errors import QuizError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "seeds" / "concepts.json"
BANK_FORMAT = 1
MIN_OPTIONS, MAX_OPTIONS = 2, 8
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_QUESTION_KEYS = {"id", "topic", "stem", "options", "source", "multiple"}
_OPTION_KEYS = {"text", "correct", "explanation"}


class ConceptBankError(QuizError):
    """A concept bank file that is missing, not JSON, or not shaped as documented."""

    status = 422


@dataclass(frozen=True)
class ConceptOption:
    """One answer option and why it is right or wrong."""

    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class ConceptQuestion:
    """A multiple-choice question; `multiple` allows more than one correct option."""

    id: str
    topic: str
    stem: str
    options: tuple[ConceptOption, ...]
    source: str
    multiple: bool = False

    @property
    def correct(self) -> list[int]:
        """Return the indices of the correct options."""
        return [i for i, o in enumerate(self.options) if o.correct]

    def to_dict(self, *, include_key: bool = True) -> dict[str, Any]:
        """Return a JSON-able dict; without correct flags and explanations unless asked."""
        options = [{"text": o.text, "correct": o.correct, "explanation": o.explanation}
                   if include_key else {"text": o.text} for o in self.options]
        return {"id": self.id, "topic": self.topic, "stem": self.stem, "options": options,
                "source": self.source, "multiple": self.multiple}


def _text(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConceptBankError(f"{where}: {key!r} must be a non-empty string",
                               errors={where: f"bad {key}"})
    return value.strip()


def _option(raw: Any, where: str) -> ConceptOption:
    if not isinstance(raw, dict):
        raise ConceptBankError(f"{where} must be an object with text, correct, explanation",
                               errors={where: "not an object"})
    unknown = set(raw) - _OPTION_KEYS
    if unknown:
        raise ConceptBankError(f"{where}: unknown keys {', '.join(sorted(unknown))}",
                               errors={where: "unknown keys"})
    if not isinstance(raw.get("correct"), bool):
        raise ConceptBankError(f"{where}: 'correct' must be true or false",
                               errors={where: "bad correct"})
    return ConceptOption(_text(raw, "text", where), raw["correct"], _text(raw, "explanation", where))


def _question(raw: Any, index: int) -> ConceptQuestion:
    where = f"question {index + 1}"
    if not isinstance(raw, dict):
        raise ConceptBankError(f"{where} must be an object", errors={where: "not an object"})
    if isinstance(raw.get("id"), str):
        where = f"question {index + 1} ({raw['id']})"
    unknown = set(raw) - _QUESTION_KEYS
    if unknown:
        raise ConceptBankError(f"{where}: unknown keys {', '.join(sorted(unknown))}",
                               errors={where: "unknown keys"})
    qid = _text(raw, "id", where)
    if not _ID.match(qid):
        raise ConceptBankError(f"{where}: id must be 2-64 lowercase letters, digits and dashes",
                               errors={where: "bad id"})
    multiple = raw.get("multiple", False)
    if not isinstance(multiple, bool):
        raise ConceptBankError(f"{where}: 'multiple' must be true or false", errors={where: "bad multiple"})
    options = raw.get("options")
    if not isinstance(options, list) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise ConceptBankError(f"{where}: 'options' must be a list of {MIN_OPTIONS} to {MAX_OPTIONS} options",
                               errors={where: "bad options"})
    parsed = tuple(_option(o, f"{where} option {i + 1}") for i, o in enumerate(options))
    if len({o.text for o in parsed}) != len(parsed):
        raise ConceptBankError(f"{where}: two options have the same text", errors={where: "duplicate option"})
    right = sum(o.correct for o in parsed)
    if not multiple and right != 1:
        raise ConceptBankError(f"{where}: exactly one option must be correct, found {right} "
                               '(set "multiple": true for a pick-all-that-apply question)',
                               errors={where: "correct options"})
    if multiple and not 1 <= right < len(parsed):
        raise ConceptBankError(f"{where}: a multiple-answer question needs at least one correct and "
                               f"one wrong option, found {right} of {len(parsed)} correct",
                               errors={where: "correct options"})
    return ConceptQuestion(qid, _text(raw, "topic", where), _text(raw, "stem", where), parsed,
                           _text(raw, "source", where), multiple)


def parse_concepts(data: Any) -> list[ConceptQuestion]:
    """Return the questions of an already-decoded bank, validated."""
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise ConceptBankError('a concept bank is an object {"format": 1, "questions": [...]}',
                               errors={"bank": "bad shape"})
    if data.get("format") != BANK_FORMAT:
        raise ConceptBankError(f"unsupported concept bank format {data.get('format')!r}; expected {BANK_FORMAT}",
                               errors={"format": "unsupported"})
    unknown = set(data) - {"format", "questions"}
    if unknown:
        raise ConceptBankError(f"unknown top-level keys {', '.join(sorted(unknown))}",
                               errors={"bank": "unknown keys"})
    questions = [_question(q, i) for i, q in enumerate(data["questions"])]
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise ConceptBankError(f"question id {q.id!r} appears twice", errors={q.id: "duplicate id"})
        seen.add(q.id)
    if not questions:
        raise ConceptBankError("the concept bank has no questions", errors={"questions": "empty"})
    return questions


def load_concepts(path: str | Path | None = None) -> list[ConceptQuestion]:
    """Read and validate a bank file (default `seeds/concepts.json`); `ConceptBankError` if malformed."""
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConceptBankError(f"cannot read the concept bank {path}: {exc.strerror or exc}",
                               errors={"path": str(path)}) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConceptBankError(f"{path} is not valid JSON: {exc}", errors={"path": str(path)}) from None
    return parse_concepts(data)


def list_questions(topic: str | None = None, path: str | Path | None = None) -> list[ConceptQuestion]:
    """Return the bank's questions, optionally only those of one topic (case-insensitive)."""
    questions = load_concepts(path)
    if topic is None:
        return questions
    return [q for q in questions if q.topic.lower() == topic.lower()]


def topics(path: str | Path | None = None) -> list[str]:
    """Return the topics of the bank, in order of first appearance."""
    return list(dict.fromkeys(q.topic for q in load_concepts(path)))
