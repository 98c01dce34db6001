"""How close a real-valued entry must be to its key: the one place that says it.

A field declares a `Tolerance` in its answer spec (`AnswerField.tolerance`); a
field without one is exact, except that a real (non-integer) key entry falls back
to `DEFAULT`. Integer key entries are always exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# Slack for binary floating point, so that "exactly half a unit away" counts as inside.
_SLACK = 1e-9
# A key entry this close to zero is zero computed in floating point (4.4e-16 for 0).
_NOISE = 1e-12


@dataclass(frozen=True)
class Tolerance:
    """A real entry's tolerance: `sig` significant figures, or `rel` relative error.

    ``Tolerance(sig=3)``: right when within half a unit of the key's third
    significant figure (0.449 accepts 0.4485 to 0.4495; 29/3 accepts 9.667
    and 9.67, not 9.6). ``Tolerance(rel=0.01)``: within 1% of the key.
    `floor` is the tolerance of a key entry of zero (see also `tolerance_for`'s scale).
    """

    sig: int | None = None
    rel: float | None = None
    floor: float = 1e-3

    def __post_init__(self) -> None:
        if (self.sig is None) == (self.rel is None):
            raise ValueError("a Tolerance has either sig or rel")

    def allowed(self, key: float) -> float:
        """Return the largest ``|given - key|`` accepted for this key entry."""
        k = abs(float(key))
        if k < _NOISE or not math.isfinite(k):  # zero, or floating-point noise around it
            return self.floor
        if self.sig is not None:
            unit = 10.0 ** (math.floor(math.log10(k)) - self.sig + 1)
            width = unit / 2
        else:
            width = self.rel * k
        return width * (1 + _SLACK)

    def bucket(self, key: float) -> Any:
        """Return a value shared by key entries a constant answer would match together."""
        k = float(key)
        if k.is_integer():
            return int(k)
        return float(f"{k:.{self.sig or 6}g}") if self.sig else round(k / max(self.rel, 1e-12))

    def describe(self) -> str:
        """Return the rule as the prompt states it: ``to 3 significant figures``."""
        if self.sig is not None:
            return f"to {self.sig} significant figures"
        return f"within {self.rel * 100:g}% of the exact value"

    def to_dict(self) -> dict[str, Any]:
        return {"sig": self.sig} if self.sig is not None else {"rel": self.rel}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Tolerance | None:
        """Return the tolerance an answer spec dict carries (``{"sig": 3}``), or None."""
        if not data:
            return None
        return cls(sig=data.get("sig"), rel=data.get("rel"))


DEFAULT = Tolerance(sig=3)


def tolerance_for(key: Any, tolerance: Tolerance | None = None, scale: float = 0.0) -> float:
    """Return the absolute tolerance of one key entry: 0 for an int, else the field's rule.

    `scale` is the largest magnitude among the real entries of the entry's vector or
    matrix: an entry is never held to more than that entry's accuracy, so a key entry
    of 0 (or 1e-16) beside 6.0 accepts what 6.0 does (3 s.f.: +-0.005).
    """
    if isinstance(key, int):
        return 0.0
    rule = tolerance or DEFAULT
    allowed = rule.allowed(key)
    return max(allowed, rule.allowed(scale)) if scale else allowed


def scale_of(entries: Any) -> float:
    """Return the largest magnitude of the real (non-int) entries of a flat key, or 0."""
    return max((abs(float(k)) for k in entries if not isinstance(k, int)), default=0.0)
