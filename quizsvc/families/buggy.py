"""Helpers for buggy solvers that give only some of a problem's fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Solver = Callable[[dict[str, Any]], "dict[str, Any] | None"]


def differs(solve: Solver, fn: Solver) -> Solver:
    """Return `fn`, answering None where every field it gives equals the key `solve` gives.

    A partial buggy key that agrees with the key on all its fields names no mistake: an answer
    with those values is right, so it must not be offered as a distractor or diagnosed.
    """
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        buggy = fn(p)
        if not buggy:
            return None
        key = solve(p)
        return None if all(key.get(f) == v for f, v in buggy.items()) else buggy
    return solve_buggy
