"""Compare a parsed answer with a key, with partial credit per entry.

The one tolerance of the service lives here: a real-valued entry is right when
``|given - key| <= max(ATOL, RTOL * |key|)``. Integer entries (an ``int`` in
the key, or any entry of an ``integer`` or ``shape`` field) must be exact.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

RTOL = 0.01
ATOL = 0.01


def tolerance_for(key: float) -> float:
    """Return the absolute tolerance that applies to a real-valued key entry."""
    return max(ATOL, RTOL * abs(float(key)))


def entry_ok(given: Fraction, key: Any, *, exact: bool = False) -> bool:
    """Return whether one parsed entry matches one key entry."""
    if isinstance(key, int):
        # A Fraction is kept in lowest terms: equal to an int iff it is that int over 1.
        return given.denominator == 1 and given.numerator == key
    if exact:
        return given == Fraction(key)
    # numerator / denominator is exactly float(Fraction), without numbers.Rational's detour.
    g = given.numerator / given.denominator if type(given) is Fraction else float(given)
    k = float(key)
    return abs(g - k) <= max(ATOL, RTOL * abs(k))


def _dims(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape)


def _fmt(value: Any) -> str:
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"
    return str(value)


def compare_field(kind: str, given: Any, key: Any) -> tuple[float, bool, str]:
    """Return ``(score, correct, feedback)`` for one parsed field against its key."""
    if kind in ("integer", "number"):
        ok = entry_ok(given, key, exact=kind == "integer")
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
        hits = sum(int(entry_ok(g, k)) for g, k in zip(given, key))
    elif kind == "matrix":
        want = (len(key), len(key[0]) if key else 0)
        got = (len(given), len(given[0]) if given else 0)
        if want != got:
            return 0.0, False, f"expected {_dims(want)}, got {_dims(got)}"
        hits = sum(int(entry_ok(g, k)) for grow, krow in zip(given, key)
                   for g, k in zip(grow, krow))
        key = [k for row in key for k in row]
    else:
        raise ValueError(f"unknown field kind {kind!r}")
    if hits == len(key):
        return 1.0, True, "correct"
    return hits / len(key), False, f"{hits} of {len(key)} entries are right"


def field_matches(kind: str, given: Any, key: Any) -> bool:
    """Return ``compare_field(kind, given, key)[1]``, stopping at the first wrong entry.

    Diagnosis compares an answer with every catalogued mistake's key and only
    needs yes or no, which for a large matrix is usually settled by its first
    entries.
    """
    if kind in ("integer", "number"):
        return entry_ok(given, key, exact=kind == "integer")
    if kind == "choice":
        return given == key
    if kind == "shape":
        return len(given) == len(key) and all(g == k for g, k in zip(given, key))
    if kind == "vector":
        return len(given) == len(key) and all(entry_ok(g, k) for g, k in zip(given, key))
    if kind == "matrix":
        want = (len(key), len(key[0]) if key else 0)
        got = (len(given), len(given[0]) if given else 0)
        if want != got:
            return False
        seen = 0
        for grow, krow in zip(given, key):
            for g, k in zip(grow, krow):
                if not entry_ok(g, k):
                    return False
                seen += 1
        return seen == sum(len(row) for row in key)
    raise ValueError(f"unknown field kind {kind!r}")
