"""What the page templates show beside the problem component: policies in words."""

from __future__ import annotations

from quizsvc.render import render_inline, render_markdown
from quizsvc.store.models import Problem

__all__ = ["policy_text", "render_inline", "render_markdown"]

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
