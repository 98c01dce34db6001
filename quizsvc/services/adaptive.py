"""Adaptive practice: which family, level and variant a student should try next.

The rule (also in the README, "Practise what I need"):

1. **Family.** Among the families the student has attempted, the one with the
   lowest mastery, if it is below `MASTERED`; otherwise the first family, in
   teaching order, they have not tried; otherwise (everything mastered) the
   one with the lowest mastery. Ties go to teaching order.
2. **Level.** From that family's mastery: below `MEDIUM_FROM` easy, below
   `HARD_FROM` medium, else hard (a family with no attempts starts easy).
3. **Variant.** If the student has shown a catalogued mistake in that family,
   the most frequent one (earliest first among ties) is the target: seeds are
   tried, from a random start, until one gives a variant where that mistake's
   buggy solver gives a different answer from the key, so that holding the
   misconception shows in the answer. At most `SEARCH` seeds are tried; if none
   separates the mistake at that level (no dilation at easy), the other levels
   are searched, harder first; if none does, a random variant is issued.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from quizsvc.errors import ParamError
from quizsvc.families import Family
from quizsvc.families.rng import SEED_MAX
from quizsvc.services.practice import available_families, get_family
from quizsvc.services.progress import FamilyProgress, progress
from quizsvc.store.models import User

MASTERED = 0.75
MEDIUM_FROM = 0.6
HARD_FROM = 0.8
SEARCH = 200
TOLERANCE = 1e-9


@dataclass
class Choice:
    """The next problem to issue, and why (the reason is shown to the student)."""

    family: str
    level: str
    seed: int
    target: str | None  # the misconception code the variant separates from the key
    reason: str


def level_for(mastery: float, attempted: bool, levels: tuple[str, ...]) -> str:
    """Return the level a family's mastery calls for (easy without attempts)."""
    if not attempted or mastery < MEDIUM_FROM:
        wanted = "easy"
    elif mastery < HARD_FROM:
        wanted = "medium"
    else:
        wanted = "hard"
    return wanted if wanted in levels else levels[0]


def differs(a: Any, b: Any) -> bool:
    """Do two answer keys differ (numbers beyond TOLERANCE, structures at all)?"""
    if isinstance(a, dict) and isinstance(b, dict):
        return any(k in a and differs(a[k], b[k]) for k in b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) != len(b) or any(differs(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(a - b) > TOLERANCE * max(1.0, abs(a), abs(b))
    return a != b


def separating_seed(family: Family, level: str, code: str, rng: random.Random,
                    tries: int = SEARCH) -> int | None:
    """Return a seed whose variant makes mistake `code` give a wrong answer, or None."""
    mistake = next((m for m in family.misconceptions if m.code == code), None)
    if mistake is None:
        return None
    start = rng.randrange(SEED_MAX + 1)
    for i in range(tries):
        seed = (start + i) % (SEED_MAX + 1)
        try:
            params = family.sample(seed, level)
        except ParamError:
            continue
        buggy = mistake.solve(params)
        if buggy and differs(buggy, family.module.solve(params)):
            return seed
    return None


def _pick_family(rows: dict[str, FamilyProgress], order: list[Family]) -> tuple[Family, str]:
    rank = {f.name: i for i, f in enumerate(order)}
    tried = sorted((f for f in order if f.name in rows),
                   key=lambda f: (rows[f.name].mastery, rank[f.name]))
    if tried and rows[tried[0].name].mastery < MASTERED:
        f = tried[0]
        return f, f"your mastery of {f.name} is {rows[f.name].mastery:.0%}, your lowest"
    fresh = next((f for f in order if f.name not in rows), None)
    if fresh is not None:
        why = "you have not tried it yet" if not tried else \
            "you have mastered what you tried; this one is next in the course"
        return fresh, why
    f = tried[0]
    return f, f"you have mastered every family; {f.name} is your weakest ({rows[f.name].mastery:.0%})"


def choose(session: Session, user: User, rng: random.Random | None = None) -> Choice:
    """Return the family, level and seed `user` should practise next (see the module doc)."""
    rng = rng or random.SystemRandom()
    order = available_families()
    rows = {p.family: p for p in progress(session, user)}
    family, why = _pick_family(rows, order)
    row = rows.get(family.name)
    level = level_for(row.mastery if row else 0.5, row is not None, family.levels)
    return aim(family.name, level, row.top_misconception if row else None, rng, why)


def aim(family_name: str, level: str, target: str | None, rng: random.Random | None = None,
        why: str = "") -> Choice:
    """Return a variant of a family and level aimed at mistake `target` (random without one)."""
    rng = rng or random.SystemRandom()
    family = get_family(family_name)
    family.check_seed_level(0, level)
    seed = separating_seed(family, level, target, rng) if target else None
    if seed is None and target:
        # Some mistakes cannot show at a level (no dilation at easy): try the others, harder first.
        i = family.levels.index(level)
        for other in family.levels[i + 1:] + family.levels[:i][::-1]:
            seed = separating_seed(family, other, target, rng, tries=SEARCH // 2)
            if seed is not None:
                level = other
                break
    if seed is None:
        seed = rng.randrange(SEED_MAX + 1)
        target = None
    reason = why
    if target:
        title = next(m.title for m in family.misconceptions if m.code == target)
        reason += ("; " if reason else "") + \
            f"this variant tells “{title}” apart from the right answer"
    return Choice(family.name, level, seed, target, reason)
