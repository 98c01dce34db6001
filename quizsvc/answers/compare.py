"""Compare a parsed answer with a key: exact integers, per-field tolerances, credit for knowledge.

Tolerances come from `quizsvc.answers.tolerance` (the one place that computes
them). Partial credit of a vector or matrix field is `array_credit`: credit only
for what a constant answer would not get.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from quizsvc.answers import symbolic
from quizsvc.answers.tolerance import DEFAULT, Tolerance, scale_of, tolerance_for


def entry_ok(given: Fraction, key: Any, tolerance: Tolerance | None = None, *,
             exact: bool = False, scale: float = 0.0) -> bool:
    """Return whether one parsed entry matches one key entry (an int key is always exact)."""
    if isinstance(key, int):
        # A Fraction is kept in lowest terms: equal to an int iff it is that int over 1.
        return given.denominator == 1 and given.numerator == key
    if exact:
        return given == Fraction(key)
    # numerator / denominator is exactly float(Fraction), without numbers.Rational's detour.
    g = given.numerator / given.denominator if type(given) is Fraction else float(given)
    return abs(g - float(key)) <= tolerance_for(key, tolerance, scale)


def _buckets(key: Sequence[Any], tolerance: Tolerance | None) -> list[Any]:
    tol = tolerance or DEFAULT
    return [k if isinstance(k, int) else tol.bucket(k) for k in key]


def most_common(key: Sequence[Any], tolerance: Tolerance | None = None) -> tuple[list[bool], int]:
    """Return which entries of a flat `key` hold its most common value, and how many do.

    That value is what the best constant answer (all zeros, say) would fill in:
    it gets exactly these entries right.
    """
    buckets = _buckets(key, tolerance)
    if not buckets:
        return [], 0
    mode, count = Counter(buckets).most_common(1)[0]
    return [b == mode for b in buckets], count


def array_credit(right: Sequence[bool], key: Sequence[Any],
                 tolerance: Tolerance | None = None) -> float:
    """Return the credit of an array answer from which of its entries are right.

    The rule (README, "Partial credit"): of the n entries of the key, M hold
    its most common value (those a constant answer, all zeros included, gets
    right). Credit is ``max(0, 1 - the costs of the wrong entries)``, where a
    wrong entry costs 1/(n - M), or 1/max(M, n - M) where the key holds its
    most common value (`entry_costs`). When M <= n - M that is simply
    ``(right - M) / (n - M)``, the share of the rest a student got beyond the
    best constant answer; when most entries are zeros, a stray wrong zero costs
    1/M. Every constant answer earns 0; one wrong entry keeps most of the
    credit unless it is the key's only entry that differs from the rest. A key
    whose entries are all equal has nothing to discount: each entry is worth 1/n.
    `right[i]` says whether entry i is right; `key` is flat, in the same order.
    """
    if all(right):
        return 1.0
    cost = entry_costs(key, tolerance)
    return max(0.0, 1.0 - sum(c for c, ok in zip(cost, right) if not ok))


def entry_costs(key: Sequence[Any], tolerance: Tolerance | None = None) -> list[float]:
    """Return what getting each entry of a flat `key` wrong costs under `array_credit`.

    ``array_credit = max(0, 1 - sum of the costs of the wrong entries)``, so an
    exporter can rebuild the engine's credit entry by entry. (Weights alone
    cannot: weighting entries by these costs still pays a constant answer a
    share, since the rule subtracts what a constant answer gets.)
    """
    n = len(key)
    in_mode, m = most_common(key, tolerance)
    if m == n:
        return [1 / n] * n
    return [1 / max(m, n - m) if c else 1 / (n - m) for c in in_mode]


def costs(key: Sequence[Any], tolerance: Tolerance | None = None) -> str:
    """Return what a wrong entry costs under `array_credit`, as the feedback says it."""
    n = len(key)
    _, m = most_common(key, tolerance)
    if m == n:
        return f"each entry is worth 1/{n} of this part"
    if m <= n - m:
        return (f"each wrong entry costs 1/{n - m} of this part "
                "(an answer with every entry the same earns nothing)")
    return (f"a wrong entry costs 1/{n - m} of this part, or 1/{m} where the key holds its most "
            "common value (an answer with every entry the same earns nothing)")


def score_field(kind: str, given: Any, key: Any, tolerance: Tolerance | None = None) -> float:
    """Return the credit, 0 to 1, of one parsed field (the engine's rule, for exporters too).

    Numbers and choices: 1 or 0. Shapes: the share of sizes right. Vectors and
    matrices (entries as Fractions or numbers, matrices as rows): `array_credit`.
    A layout that differs from the key's scores 0.
    """
    return compare_field(kind, given, key, tolerance)[0]


def _dims(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape)


def _fmt(value: Any) -> str:
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"
    return str(value)


def _runs(numbers: list[int]) -> str:
    """Return ``1-3, 5`` for [1, 2, 3, 5]."""
    out, start = [], None
    for i, v in enumerate(numbers):
        if start is None:
            start = v
        if i + 1 == len(numbers) or numbers[i + 1] != v + 1:
            out.append(str(start) if start == v else f"{start}-{v}")
            start = None
    return ", ".join(out)


def where_wrong(wrong: list[tuple[int, int]] | list[int], *, matrix: bool, limit: int = 4) -> str:
    """Return where the wrong entries are: ``row 2, columns 1-3; row 4, column 2`` (1-based)."""
    if not matrix:
        cols = [i + 1 for i in wrong]  # type: ignore[operator]
        return ("entry " if len(cols) == 1 else "entries ") + _runs(cols)
    rows: dict[int, list[int]] = {}
    for r, c in wrong:  # type: ignore[misc]
        rows.setdefault(r + 1, []).append(c + 1)
    parts = [f"row {r}, column{'s' if len(cs) > 1 else ''} {_runs(cs)}"
             for r, cs in list(rows.items())[:limit]]
    if len(rows) > limit:
        parts.append(f"and {len(rows) - limit} more rows")
    return "; ".join(parts)


def layout_of(kind: str, value: Any) -> tuple[int, ...] | None:
    """Return the layout of a field's value: (n,) for vectors and shapes, (rows, cols), or None."""
    if kind in ("vector", "shape"):
        return (len(value),)
    if kind == "matrix":
        return (len(value), len(value[0]) if value else 0)
    return None


def compare_field(kind: str, given: Any, key: Any,
                  tolerance: Tolerance | None = None) -> tuple[float, bool, str]:
    """Return ``(score, correct, feedback)`` for one parsed field against its key."""
    if kind == "expression":
        return symbolic.compare(given, key)
    if kind in ("integer", "number"):
        ok = entry_ok(given, key, tolerance, exact=kind == "integer")
        return (1.0, True, "correct") if ok else (0.0, False, f"{_fmt(given)} is not right")
    if kind == "choice":
        ok = given == key
        return (1.0, True, "correct") if ok else (0.0, False, "not the right choice")
    if kind == "shape":
        if len(given) != len(key):
            return 0.0, False, (f"expected {len(key)} dimensions, got {len(given)} "
                                f"({_dims(tuple(given))})")
        hits = sum(int(g == k) for g, k in zip(given, key))
        if hits == len(key):
            return 1.0, True, "correct"
        return hits / len(key), False, f"{hits} of {len(key)} sizes are right"
    if kind == "vector":
        if len(given) != len(key):
            return 0.0, False, f"expected {len(key)} entries, got {len(given)}"
        flat = list(key)
        scale = scale_of(flat)
        wrong: list = [i for i, (g, k) in enumerate(zip(given, key))
                       if not entry_ok(g, k, tolerance, scale=scale)]
    elif kind == "matrix":
        want, got = layout_of(kind, key), layout_of(kind, given)
        if want != got:
            return 0.0, False, f"expected {_dims(want)}, got {_dims(got)}"
        flat = [k for row in key for k in row]
        scale = scale_of(flat)
        wrong = [(r, c) for r, (grow, krow) in enumerate(zip(given, key))
                 for c, (g, k) in enumerate(zip(grow, krow))
                 if not entry_ok(g, k, tolerance, scale=scale)]
    else:
        raise ValueError(f"unknown field kind {kind!r}")
    if not wrong:
        return 1.0, True, "correct"
    bad = set(wrong)
    if kind == "matrix":
        right = [(r, c) not in bad for r, row in enumerate(key) for c in range(len(row))]
    else:
        right = [i not in bad for i in range(len(flat))]
    score = array_credit(right, flat, tolerance)
    text = f"{len(wrong)} of {len(flat)} entries wrong: {where_wrong(wrong, matrix=kind == 'matrix')}"
    return score, False, f"{text}; {costs(flat, tolerance)}"


def field_matches(kind: str, given: Any, key: Any, tolerance: Tolerance | None = None) -> bool:
    """Return ``compare_field(kind, given, key)[1]``, stopping at the first wrong entry.

    Diagnosis compares an answer with every catalogued mistake's key and only
    needs yes or no, which for a large matrix is usually settled by its first
    entries.
    """
    if kind == "expression":
        return symbolic.matches(given, key)
    if kind in ("integer", "number"):
        return entry_ok(given, key, tolerance, exact=kind == "integer")
    if kind == "choice":
        return given == key
    if kind == "shape":
        return len(given) == len(key) and all(g == k for g, k in zip(given, key))
    if kind == "vector":
        if len(given) != len(key):
            return False
        scale = scale_of(key)
        return all(entry_ok(g, k, tolerance, scale=scale) for g, k in zip(given, key))
    if kind == "matrix":
        if layout_of(kind, given) != layout_of(kind, key):
            return False
        scale = max((scale_of(row) for row in key), default=0.0)
        for grow, krow in zip(given, key):
            if len(grow) != len(krow):
                return False
            for g, k in zip(grow, krow):
                if not entry_ok(g, k, tolerance, scale=scale):
                    return False
        return True
    raise ValueError(f"unknown field kind {kind!r}")
