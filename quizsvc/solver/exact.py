"""Exact linear algebra over the rationals for small integer systems (no rounding anywhere)."""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence


class NoUniqueSolution(ValueError):
    """The system's matrix does not have full column rank: many solutions, or none."""


class Inconsistent(ValueError):
    """The system has no solution at all."""


def solve_exact(a: Sequence[Sequence[int]], b: Sequence[int]) -> list[Fraction]:
    """Return the unique `x` with ``a @ x == b`` for `a`: (m, n) and `b`: (m,) integers, m >= n.

    Fraction-free (Bareiss) elimination keeps every intermediate value an integer minor
    of ``[a | b]``, so the rank test is exact. Raises `NoUniqueSolution` when `a` has rank
    below n and `Inconsistent` when ``b`` is not in the column space of `a`.
    """
    m, n = len(a), len(a[0]) if a else 0
    rows = [[int(v) for v in row] + [int(rhs)] for row, rhs in zip(a, b)]
    prev = 1
    for c in range(n):
        pivot = next((r for r in range(c, m) if rows[r][c]), None)
        if pivot is None:
            raise NoUniqueSolution(f"column {c} depends on the columns before it")
        rows[c], rows[pivot] = rows[pivot], rows[c]
        top = rows[c]
        p = top[c]
        rest = top[c + 1:]
        for r in range(c + 1, m):
            row = rows[r]
            f = row[c]
            if f:
                row[c + 1:] = [(v * p - f * t) // prev for v, t in zip(row[c + 1:], rest)]
            elif p != prev:
                row[c + 1:] = [v * p // prev for v in row[c + 1:]]
            row[c] = 0
        prev = p
    if any(rows[r][n] for r in range(n, m)):
        raise Inconsistent("the right-hand side is not a combination of the columns")
    if n == 0:
        return []
    # Cramer: every x_c is an integer over the last pivot d (the determinant of the pivot rows),
    # so back-substitute the integers x_c * d exactly and divide once at the end.
    d = rows[n - 1][n - 1]
    scaled = [0] * n
    for c in range(n - 1, -1, -1):
        row = rows[c]
        scaled[c] = (row[n] * d - sum(row[j] * scaled[j] for j in range(c + 1, n))) // row[c]
    return [Fraction(v, d) for v in scaled]
