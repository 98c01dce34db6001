"""Turning service results into what templates show: fields, values, policies."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from quizsvc.render import render_inline, render_markdown
from quizsvc.store.models import Problem

__all__ = ["field_rows", "format_value", "policy_text", "render_inline", "render_markdown"]

_HINTS = {
    "integer": "A whole number, for example 42.",
    "number": "A number: 0.25, 1/4 or 2.5e-3.",
    "shape": "Sizes separated by commas, for example 64, 32, 32.",
    "vector": "Entries separated by commas or spaces, for example 1, -2, 3.",
    "matrix": "One row per line (or rows separated by ;), entries by spaces or commas.",
    "choice": "",
}

_SHOW_KEY = {
    "never": "the key is not shown",
    "after_correct": "the key and worked solution show once you answer correctly",
    "after_last_attempt": "the key and worked solution show after your last attempt",
    "after_correct_or_last_attempt": "the key and worked solution show after a correct answer "
                                     "or your last attempt",
    "always": "the worked solution is shown from the start",
}


def policy_text(problem: Problem) -> str:
    """Say the attempt policy in words."""
    n = problem.max_attempts
    tries = "unlimited attempts" if n is None else f"{n} attempt{'s' if n != 1 else ''}"
    return f"{tries}; {_SHOW_KEY[problem.show_key]}"


def format_value(value: Any) -> Markup:  # noqa: ANN401 - any answer value
    """Return an answer value as HTML: matrices as a small table, the rest as text."""
    if isinstance(value, list) and value and all(isinstance(r, list) for r in value):
        rows = "".join("<tr>" + "".join(f"<td>{escape(_num(v))}</td>" for v in row) + "</tr>"
                       for row in value)
        return Markup(f'<table class="matrix-value"><tbody>{rows}</tbody></table>')
    if isinstance(value, list):
        return escape("(" + ", ".join(_num(v) for v in value) + ")")
    return escape(_num(value))


def _num(v: Any) -> str:  # noqa: ANN401
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def field_rows(spec: list[dict[str, Any]], result: dict[str, Any] | None,
               values: dict[str, str], errors: dict[str, str]) -> list[dict[str, Any]]:
    """Return one row per answer field: its input, what was typed, and its result."""
    graded = {f["name"]: f for f in (result or {}).get("fields", [])}
    rows = []
    for f in spec:
        g = graded.get(f["name"])
        rows.append({
            **f, "hint": _HINTS.get(f["kind"], ""), "value": values.get(f["name"], ""),
            "error": errors.get(f["name"]),
            "result": None if g is None else {
                "correct": g["correct"], "score": g["score"], "feedback": g["feedback"],
                "given": None if g.get("given") is None else format_value(g["given"]),
                "expected": format_value(g["expected"]) if "expected" in g else None,
            },
        })
    return rows
