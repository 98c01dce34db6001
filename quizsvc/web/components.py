"""The problem component shared by every page that shows a problem, and its static files.

`components/problem.html` is a Jinja macro (a problem's prompt, figures, one
input per answer field, the result of the last attempt, the key and worked
solution once the policy allows); `static/quizsvc.css` is the one stylesheet and
`static/answer.js` the enhancement (answer grids, live preview). The blueprint
serves both and gives templates the filters the component uses.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from markupsafe import Markup

from quizsvc.render import render_inline, render_markdown, render_value

bp = Blueprint("components", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")
blp = bp  # quizsvc.api.register_blueprints reads `blp`

# What each kind of field reads, said once, for every page.
HINTS: dict[str, str] = {
    "integer": "A whole number, for example 1928.",
    "number": "A number, for example 0.25, 1/4 or 2.5e-3.",
    "shape": "Sizes separated by commas or x, for example 16, 32, 32 or 16x32x32.",
    "vector": "Numbers separated by commas or spaces, for example 1, -2, 0.5.",
    "matrix": "One row per line, or rows separated by ;. Entries separated by spaces or "
              "commas, for example 1 2; 3 4.",
    "choice": "Pick one.",
    "expression": "An expression, for example 2*a - b.",
}


@bp.app_template_global()
def answer_hint(field: dict[str, Any]) -> str:
    """Say what notation an answer field reads."""
    kind = field.get("kind", "")
    if kind == "choice" and field.get("multiple"):
        return "Tick every one that applies."
    if kind == "expression" and field.get("symbols"):
        return _expression_hint(list(field["symbols"]))
    return HINTS.get(kind, "")


def _expression_hint(symbols: list[str]) -> str:
    """Say which symbols an expression may use (``k1 to k5 and x1 to x19``), with an example."""
    groups: dict[str, list[str]] = {}
    for name in symbols:
        groups.setdefault(name.rstrip("0123456789"), []).append(name)
    # A run of three or more numbered symbols reads as a range; a 20-name list does not read.
    names = " and ".join(f"{g[0]} to {g[-1]}" if len(g) > 2 else ", ".join(g)
                         for g in groups.values())
    two = [g for g in groups.values() if len(g) >= 2]
    example = (f"{two[0][0]}*{two[1][0]} + {two[0][1]}*{two[1][1]}" if len(two) >= 2
               else f"2*{symbols[0]} + 1")
    return f"An expression in {names}, for example {example}."


@bp.app_template_global()
def misconception_titles(family: str, codes: list[str]) -> list[str]:
    """Return the titles of a family's catalogued mistakes, by code (unknown codes as given)."""
    from quizsvc import families

    try:
        by_code = {m.code: m.title for m in families.get(family).misconceptions}
    except Exception:  # noqa: BLE001 - an unknown or uninstalled family: show the codes
        by_code = {}
    return [by_code.get(c, c) for c in codes]


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None) -> Markup:
    return render_markdown(text or "")


@bp.app_template_filter("markdown_inline")
def markdown_inline_filter(text: str | None) -> Markup:
    return render_inline(text or "")


@bp.app_template_filter("answer_value")
def answer_value_filter(value: Any, kind: str = "") -> Markup:
    return render_value(kind, value)
