"""Wrappers the families share to build their buggy solvers (see `Misconception.solve`)."""

from __future__ import annotations

from typing import Any, Callable

Params = dict[str, Any]
Solver = Callable[[Params], "dict[str, Any] | None"]


def when(test: Callable[[Params], bool], fn: Solver) -> Solver:
    """Return a buggy solver that applies `fn` only where `test` holds (None elsewhere).

    A mistake about a setting the problem does not use (the stride when it is 1, the
    padding when there is none) explains nothing, so it answers None there.
    """
    def solve_buggy(params: Params) -> dict[str, Any] | None:
        return fn(params) if test(params) else None
    return solve_buggy
