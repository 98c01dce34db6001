"""How an answer was read, before it is graded (as STACK shows it): parse only, record nothing.

A preview never compares with the key, never counts an attempt and never says
whether a value is right, so it can be called on every keystroke.
"""

from __future__ import annotations

from typing import Any, TypedDict

from quizsvc.errors import AnswerError
from quizsvc.families import Family
from quizsvc.families.base import jsonable
from quizsvc.families.problem import AnswerField
from quizsvc.render import render_value, value_size, value_text
from quizsvc.services.practice import get_family
from quizsvc.store.models import Problem


class FieldPreview(TypedDict):
    """One answer field as read: `state` is "read", "blank" or "unreadable"."""

    name: str
    kind: str
    state: str
    message: str
    value: Any
    text: str
    size: str
    html: str


def spec_fields(spec: list[dict[str, Any]]) -> list[AnswerField]:
    """Return the answer fields of a problem's JSON answer spec."""
    return [AnswerField(f["name"], f["kind"], f.get("label", f["name"]),
                        tuple(f.get("choices") or f.get("symbols") or ()) or None,
                        bool(f.get("multiple", False)))
            for f in spec]


def _as_json(value: Any) -> Any:
    value = jsonable(value)
    return value if isinstance(value, (int, float, str, list, type(None))) else str(value)


def read_field(family: Family, field: AnswerField, raw: Any) -> FieldPreview:
    """Parse one field's raw answer; say how it was read or why it could not be."""
    out = FieldPreview(name=field.name, kind=field.kind, state="blank", message="not answered yet",
                       value=None, text="", size="", html="")
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return out
    try:
        parsed = family.parse_answer([field], {field.name: raw})[field.name]
    except AnswerError as exc:
        out.update(state="unreadable", message=(exc.errors or {}).get(field.name) or exc.message)
        return out
    value = _as_json(parsed)
    size = value_size(value) if field.kind in ("matrix", "vector") else ""
    out.update(state="read", value=value, text=value_text(field.kind, value), size=size,
               html=str(render_value(field.kind, value)),
               message=f"read as a {size} {field.kind}" if size else "read as")
    return out


def preview_answer(family: Family, fields: list[AnswerField], answer: Any) -> dict[str, Any]:
    """Return how each field of `answer` reads, without grading it.

    `answer` is what an attempt takes: one object with an entry per field (or
    bare text for a one-field problem). Unknown fields are reported, not dropped.
    """
    if not isinstance(answer, dict):
        answer = {fields[0].name: answer} if len(fields) == 1 else {}
    names = {f.name for f in fields}
    unknown = sorted(str(k) for k in answer if k not in names)
    results = [read_field(family, f, answer.get(f.name)) for f in fields]
    return {"fields": results, "unknown": unknown,
            "readable": all(r["state"] != "unreadable" for r in results) and not unknown}


def preview_problem(problem: Problem, answer: Any) -> dict[str, Any]:
    """Return how `answer` to a stored problem reads (the caller checked it may be read)."""
    family = get_family(problem.family)
    return preview_answer(family, family.answer_spec(problem.params), answer)
