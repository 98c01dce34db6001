"""A bank's results per student and its item analysis.

A student's score on a problem is their best attempt's score; on an item,
the mean over the item's problems (0 for a problem not attempted); on the
bank, the sum over its problems (out of the number of problems), which is
also what LTI passback sends.

Item discrimination is the corrected point-biserial correlation: Pearson's r
between the item score and the rest of the bank (total minus the item), over
students who attempted anything. The upper-lower index D compares the item
score of the top and bottom 27% of students by total. Both are None when
fewer than three students took part or nobody differs.

Both read one version of the bank's items (default: the current one): after a
change to the items, the answers to the earlier version stay readable under it.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.services.banks import assigned_users, version_items
from quizsvc.store.models import Attempt, Bank, BankItem, Problem, User


@dataclass
class StudentResult:
    """One student's results on a bank."""

    user_id: int
    name: str
    email: str | None
    sis_user_id: str | None
    score: float  # sum of best scores over the student's problems
    max_score: float  # the number of problems
    percent: float
    attempts: int
    solved: int
    items: list[float]  # item scores, in bank order
    last_attempt_at: object = None


@dataclass
class AnswerGroup:
    """One distinct answer to an item, with the score and mistake it got, and how often."""

    answer: object  # as the first student who gave it typed it
    score: float
    correct: bool
    misconception: str | None
    attempts: int
    students: int


@dataclass
class ItemStats:
    """Item analysis of one bank item."""

    item_index: int
    family: str
    level: str
    attempts: int = 0
    students: int = 0
    fraction_correct: float | None = None  # correct attempts / attempts
    first_attempt_correct: float | None = None
    mean_score: float | None = None  # mean item score of the students who attempted it
    discrimination: float | None = None  # corrected point-biserial r
    upper_lower: float | None = None  # D index on the upper and lower 27%
    misconceptions: dict[str, int] = field(default_factory=dict)


def _version(bank: Bank, version: int | None) -> int:
    return bank.version if version is None else version


def _load(session: Session, bank: Bank, version: int) -> tuple[dict, dict, list]:
    """Return best score per problem, problems per (user, item), attempt rows (one version)."""
    problems = session.execute(select(Problem.id, Problem.owner_id, Problem.item_index)
                               .where(Problem.bank_id == bank.id,
                                      Problem.bank_version == version)).all()
    per_item: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pid, uid, idx in problems:
        per_item[(uid, idx)].append(pid)
    rows = session.execute(
        select(Attempt.problem_id, Attempt.user_id, Problem.item_index, Attempt.seq, Attempt.score,
               Attempt.correct, Attempt.misconception, Attempt.created_at)
        .join(Problem, Problem.id == Attempt.problem_id)
        .where(Problem.bank_id == bank.id, Problem.bank_version == version)
        .order_by(Attempt.id)).all()
    best: dict[int, float] = {}
    for r in rows:
        best[r.problem_id] = max(best.get(r.problem_id, 0.0), float(r.score))
    return best, per_item, rows


def _item_scores(items: list[BankItem], best: dict[int, float], per_item: dict,
                 user_id: int) -> list[float]:
    out = []
    for item in items:
        pids = per_item.get((user_id, item.position), [])
        out.append(sum(best.get(p, 0.0) for p in pids) / item.count if pids else 0.0)
    return out


def results(session: Session, bank: Bank, version: int | None = None) -> list[StudentResult]:
    """Return every assigned student's results, and anyone else who answered, by user id."""
    version = _version(bank, version)
    items_ = version_items(session, bank, version)
    best, per_item, rows = _load(session, bank, version)
    attempts = Counter(r.user_id for r in rows)
    solved = Counter(uid for uid, _ in {(r.user_id, r.problem_id) for r in rows if r.correct})
    last = {r.user_id: r.created_at for r in rows}
    users = {u.id: u for u in assigned_users(session, bank)}
    extra = {uid for uid, _ in per_item} - set(users)
    if extra:
        users.update({u.id: u for u in session.scalars(select(User).where(User.id.in_(extra)))})
    size = float(sum(item.count for item in items_))
    out = []
    for uid in sorted(users):
        u = users[uid]
        items = _item_scores(items_, best, per_item, uid)
        score = round(sum(s * item.count for s, item in zip(items, items_)), 4)
        out.append(StudentResult(
            user_id=uid, name=u.name, email=u.email, sis_user_id=u.sis_user_id, score=score,
            max_score=size, percent=round(100 * score / size, 2) if size else 0.0,
            attempts=attempts.get(uid, 0), solved=solved.get(uid, 0),
            items=[round(s, 4) for s in items], last_attempt_at=last.get(uid)))
    return out


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Return Pearson's r, or None when either side has no variance."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return sxy / math.sqrt(sxx * syy)


def upper_lower(item: list[float], total: list[float], fraction: float = 0.27) -> float | None:
    """Return mean item score of the top `fraction` by total minus that of the bottom."""
    n = len(total)
    k = max(1, round(fraction * n))
    if n < 3 or 2 * k > n:
        return None
    order = sorted(range(n), key=lambda i: total[i])
    low, high = order[:k], order[-k:]
    return sum(item[i] for i in high) / k - sum(item[i] for i in low) / k


def item_analysis(session: Session, bank: Bank, version: int | None = None) -> list[ItemStats]:
    """Return the item analysis of every item of `bank`, in bank order."""
    version = _version(bank, version)
    items_ = version_items(session, bank, version)
    best, per_item, rows = _load(session, bank, version)
    stats = [ItemStats(item.position, item.family, item.level) for item in items_]
    students_by_item: dict[int, set[int]] = defaultdict(set)
    correct = Counter()
    first = Counter()
    first_correct = Counter()
    mistakes: dict[int, Counter[str]] = defaultdict(Counter)
    for r in rows:
        s = stats[r.item_index]
        s.attempts += 1
        students_by_item[r.item_index].add(r.user_id)
        correct[r.item_index] += bool(r.correct)
        if r.seq == 1:
            first[r.item_index] += 1
            first_correct[r.item_index] += bool(r.correct)
        if r.misconception:
            mistakes[r.item_index][r.misconception] += 1
    takers = sorted({r.user_id for r in rows})
    scores = {uid: _item_scores(items_, best, per_item, uid) for uid in takers}
    totals = {uid: sum(scores[uid]) for uid in takers}
    for s in stats:
        i = s.item_index
        who = students_by_item.get(i, set())
        s.students = len(who)
        if s.attempts:
            s.fraction_correct = round(correct[i] / s.attempts, 4)
            s.first_attempt_correct = round(first_correct[i] / first[i], 4) if first[i] else None
            s.mean_score = round(sum(scores[u][i] for u in who) / len(who), 4)
        s.misconceptions = dict(mistakes[i].most_common())
        if len(takers) >= 3:
            item = [scores[u][i] for u in takers]
            rest = [totals[u] - scores[u][i] for u in takers]
            r = pearson(item, rest)
            s.discrimination = None if r is None else round(r, 4)
            d = upper_lower(item, [totals[u] for u in takers])
            s.upper_lower = None if d is None else round(d, 4)
    return stats


MAX_ANSWER_GROUPS = 50


def item_answers(session: Session, bank: Bank, item_index: int, version: int | None = None, *,
                 page: int = 1, page_size: int = MAX_ANSWER_GROUPS) -> tuple[list[AnswerGroup], int]:
    """Return one page of the distinct answers given to an item (most given first), and the count.

    Answers are told apart by how they were read (the parsed answer), and by the
    score and mistake they got: each student has their own variant, so the same
    answer can be right for one and wrong for another, and these are two rows.
    """
    version = _version(bank, version)
    rows = session.execute(
        select(Attempt.user_id, Attempt.raw_answer, Attempt.parsed_answer, Attempt.score,
               Attempt.correct, Attempt.misconception)
        .join(Problem, Problem.id == Attempt.problem_id)
        .where(Problem.bank_id == bank.id, Problem.bank_version == version,
               Problem.item_index == item_index).order_by(Attempt.id)).all()
    groups: dict[tuple, AnswerGroup] = {}
    who: dict[tuple, set[int]] = defaultdict(set)
    for r in rows:
        key = (json.dumps(r.parsed_answer, sort_keys=True, default=str), round(float(r.score), 4),
               r.misconception)
        group = groups.get(key)
        if group is None:
            group = groups[key] = AnswerGroup(r.raw_answer, round(float(r.score), 4),
                                              bool(r.correct), r.misconception, 0, 0)
        group.attempts += 1
        who[key].add(r.user_id)
    for key, group in groups.items():
        group.students = len(who[key])
    ordered = sorted(groups.values(), key=lambda g: (-g.attempts, -g.score))
    start = (max(page, 1) - 1) * page_size
    return ordered[start:start + page_size], len(ordered)


def mistake_counts(stats: list[ItemStats]) -> Counter[str]:
    """Return how often each misconception was diagnosed, over all items."""
    total: Counter[str] = Counter()
    for s in stats:
        total.update(s.misconceptions)
    return total
