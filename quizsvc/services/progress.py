"""A student's progress per family: attempts, accuracy, mastery, usual mistake."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.store.models import Attempt, Problem, User

# Each older attempt weighs this much less than the one after it in the mastery estimate.
RECENCY = 0.8


@dataclass
class FamilyProgress:
    """What a student has done in one family."""

    family: str
    attempts: int = 0
    correct: int = 0
    problems: int = 0
    solved: int = 0
    accuracy: float = 0.0
    mastery: float = 0.5
    top_misconception: str | None = None
    top_misconception_count: int = 0
    misconceptions: dict[str, int] = field(default_factory=dict)
    last_attempt_at: datetime | None = None


def mastery(scores: list[float], recency: float = RECENCY) -> float:
    """Return the posterior mean of a Beta(1, 1) prior updated by recency-weighted scores.

    `scores` are oldest first, each in [0, 1]. With no attempts the estimate
    is 0.5; the latest attempts count most, so a student who has just learnt a
    rule sees the estimate follow them.
    """
    weight_sum = score_sum = 0.0
    w = 1.0
    for s in reversed(scores):
        weight_sum += w
        score_sum += w * s
        w *= recency
    return (1.0 + score_sum) / (2.0 + weight_sum)


def progress(session: Session, user: User) -> list[FamilyProgress]:
    """Return `user`'s progress in every family they have attempted, most attempted first."""
    rows = session.execute(
        select(Problem.family, Attempt.problem_id, Attempt.score, Attempt.correct,
               Attempt.misconception, Attempt.created_at)
        .join(Problem, Problem.id == Attempt.problem_id)
        .where(Attempt.user_id == user.id)
        .order_by(Attempt.id))
    by_family: dict[str, FamilyProgress] = {}
    scores: dict[str, list[float]] = {}
    problems: dict[str, set[int]] = {}
    solved: dict[str, set[int]] = {}
    mistakes: dict[str, Counter[str]] = {}
    for family, problem_id, score, correct, misconception, created_at in rows:
        p = by_family.setdefault(family, FamilyProgress(family))
        p.attempts += 1
        p.correct += bool(correct)
        p.last_attempt_at = created_at
        scores.setdefault(family, []).append(float(score))
        problems.setdefault(family, set()).add(problem_id)
        if correct:
            solved.setdefault(family, set()).add(problem_id)
        if misconception:
            mistakes.setdefault(family, Counter())[misconception] += 1
    for family, p in by_family.items():
        p.accuracy = round(p.correct / p.attempts, 4)
        p.mastery = round(mastery(scores[family]), 4)
        p.problems = len(problems[family])
        p.solved = len(solved.get(family, ()))
        counts = mistakes.get(family)
        if counts:
            # most_common keeps first-seen order among ties: the earliest mistake wins.
            p.top_misconception, p.top_misconception_count = counts.most_common(1)[0]
            p.misconceptions = dict(counts.most_common())
    return sorted(by_family.values(), key=lambda p: (-p.attempts, p.family))
