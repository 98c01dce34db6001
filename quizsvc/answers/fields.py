"""Split a whole answer into its fields: JSON, an ordered list, or plain text in the order shown.

A one-field answer is the value itself. A several-field answer is a JSON object,
a JSON list in the order of the fields, or plain text: one line per field
(``name: value`` allowed), or, when every field is a number, the numbers
separated by commas, semicolons or spaces (``64, 2, 66``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from quizsvc.answers.parse import _clean, parse_field
from quizsvc.errors import AnswerError

_SCALAR = ("integer", "number")
_LABELLED = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*[:=]\s*(.*)$", re.DOTALL)


def _show(values: Sequence[str]) -> str:
    shown = ", ".join(repr(v.strip()[:30]) for v in values[:8])
    return shown + (", ..." if len(values) > 8 else "")


def _labelled(parts: list[str], names: list[str]) -> dict[str, str] | None:
    """Return ``{name: value}`` when every part is ``name: value`` for a field name, else None."""
    lookup = {n.lower(): n for n in names}
    out: dict[str, str] = {}
    for part in parts:
        match = _LABELLED.match(part)
        if not match or match.group(1).strip().lower() not in lookup:
            return None
        out[lookup[match.group(1).strip().lower()]] = match.group(2)
    return out


def _scalar_parts(text: str, count: int) -> list[str]:
    """Return the numbers of ``64, 2, 66``; bare commas only when nothing else separates them.

    ``2,432, 25,770,328,064`` is two numbers with thousands separators (a comma
    followed by a space separates fields, a bare comma groups digits), unless
    splitting that way does not give `count` parts.
    """
    if ";" in text:
        return [p for p in text.split(";") if p.strip()]
    parts = [p for p in re.split(r",\s+|\s+", text.strip().strip(",")) if p]
    if len(parts) != count and len(parts) == 1:
        parts = [p for p in text.split(",") if p.strip()]
    return parts


def split_answer(kinds: dict[str, str], answer: Any) -> dict[str, Any]:
    """Return the raw value of each field of `answer` (`kinds`: field name -> kind, in order)."""
    names = list(kinds)
    if isinstance(answer, str):
        text = _clean(answer)
        if text.startswith("{"):
            try:
                answer = json.loads(text)
            except ValueError:
                raise AnswerError("the answer looks like JSON but is not valid JSON") from None
        elif len(names) == 1:
            return {names[0]: answer}
        else:
            return _split_text(kinds, text)
    if isinstance(answer, list) and len(names) > 1:
        if len(answer) != len(names):
            raise AnswerError(f"read a list of {len(answer)} values, but this problem has "
                              f"{len(names)} blanks ({', '.join(names)}), in that order",
                              errors={"answer": "one value per field"})
        return dict(zip(names, answer))
    if not isinstance(answer, dict):
        if len(names) == 1:
            return {names[0]: answer}
        raise AnswerError(f"expected an object with the fields {', '.join(names)}")
    unknown = sorted(map(str, set(answer) - set(names)))
    if unknown:
        raise AnswerError(f"unknown answer fields {', '.join(unknown)}; "
                          f"this problem asks for {', '.join(names)}",
                          errors={k: "unknown field" for k in unknown})
    return answer


def _split_text(kinds: dict[str, str], text: str) -> dict[str, Any]:
    names = list(kinds)
    how = (f"this problem has {len(names)} blanks ({', '.join(names)}): write them in that "
           "order, one per line" + (" or separated by commas" if all(k in _SCALAR for k in
                                                                      kinds.values()) else "")
           + ', or as JSON like {"' + names[0] + '": ...}')
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        parts = lines
    elif all(k in _SCALAR for k in kinds.values()):
        parts = _scalar_parts(text, len(names))
        labelled = _labelled([p for p in re.split(r"[,;]\s*(?=[A-Za-z_])", text) if p.strip()],
                             names)
        if labelled is not None:
            return labelled
    else:
        raise AnswerError(f"read one line ({text[:40]!r}); {how}",
                          errors={"answer": "expected one value per field"})
    labelled = _labelled(parts, names)
    if labelled is not None:
        return labelled
    if len(parts) != len(names):
        raise AnswerError(f"read {len(parts)} values ({_show(parts)}); {how}",
                          errors={"answer": "expected one value per field"})
    return dict(zip(names, parts))


def parse_fields(spec: Sequence[Any], answer: Any,
                 layouts: dict[str, tuple[int, ...] | None] | None = None) -> dict[str, Any]:
    """Return each answered field of `answer` parsed; `AnswerError` if any is unreadable.

    `spec` holds `AnswerField`s; `layouts` the key's layout per field (see
    `compare.layout_of`), which lets a flat list fill a matrix row by row.
    """
    raw = split_answer({f.name: f.kind for f in spec}, answer)
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in spec:
        if f.name not in raw or raw[f.name] in (None, ""):
            continue  # a blank left empty scores 0 but is not an error
        try:
            parsed[f.name] = parse_field(f.kind, raw[f.name], choices=f.choices,
                                         multiple=f.multiple,
                                         shape=(layouts or {}).get(f.name),
                                         symmetric=getattr(f, "symmetric", False))
        except AnswerError as exc:
            errors[f.name] = exc.message
    if errors:
        detail = "; ".join(f"{k}: {v}" for k, v in errors.items())
        raise AnswerError(f"could not read the answer ({detail})", errors=errors)
    if not parsed:
        raise AnswerError("the answer is empty", errors={"answer": "empty"})
    return parsed
