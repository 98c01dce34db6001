"""Answer values (keys, what a student typed, as read) as HTML: matrices and vectors as MathML."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from quizsvc.families.render import bmatrix, num


def _is_matrix(value: Any) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(r, list) and all(_is_number(v) for v in r) for r in value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def value_text(kind: str, value: Any) -> str:
    """Return a value as a person would type it: ``(6, 217, 201)``, ``[[1, 2], [3, 4]]``, ``C, H``."""
    if value is None:
        return ""
    if kind == "shape" and isinstance(value, list):
        return "(" + ", ".join(num(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if _is_matrix(value):
        return "[" + ", ".join("[" + ", ".join(num(v) for v in r) + "]" for r in value) + "]"
    if isinstance(value, list):
        if all(_is_number(v) for v in value):
            return "[" + ", ".join(num(v) for v in value) + "]"
        return ", ".join(str(v) for v in value)
    return num(value) if _is_number(value) else str(value)


def render_value(kind: str, value: Any) -> Markup:
    """Return an answer value as HTML: a matrix or vector as a MathML bracketed table, else text."""
    from quizsvc.render import render_math  # the package imports this module

    if kind in ("matrix", "vector") and (_is_matrix(value) or
                                         (isinstance(value, list) and value
                                          and all(_is_number(v) for v in value))):
        return render_math(bmatrix(value))
    return Markup('<span class="value">') + escape(value_text(kind, value)) + Markup("</span>")


def value_size(value: Any) -> str:
    """Return the size of a matrix or vector as ``2x3`` (rows x columns), else ``""``."""
    if _is_matrix(value):
        return f"{len(value)}x{len(value[0])}"
    if isinstance(value, list) and value and all(_is_number(v) for v in value):
        return f"1x{len(value)}"
    return ""
