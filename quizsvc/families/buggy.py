"""Helpers for buggy solvers whose mistake touches only some of a problem's fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Solver = Callable[[dict[str, Any]], "dict[str, Any] | None"]


def differs(solve: Solver, fn: Solver) -> Solver:
    """Return a buggy solver giving the whole answer of a student who makes `fn`'s mistake.

    `fn` gives only the fields the mistake changes; the student gets the other fields right, so
    they come from the key `solve` gives (a buggy solver returns a whole answer, as every
    family's do). Where every field `fn` gives equals the key, the answer is right and names no
    mistake, so it must not be offered as a distractor or diagnosed: the solver answers None.
    """
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        buggy = fn(p)
        if not buggy:
            return None
        key = solve(p)
        return None if all(key.get(f) == v for f, v in buggy.items()) else {**key, **buggy}
    return solve_buggy
