"""Stored banks out of the database for the exporters: the export pool, grades and attempts.

A bank item with fixed seeds exports exactly those problems. An item whose
students each get their own variants exports a pool of `pool` x `count`
variants, seeded like a student's (HMAC of the server secret) for a user id
no real user has, so that nobody can tell the pool from the bank's id; the
LMS then draws `count` of them for each student (the QTI group's
``selection_number``). The exporters never touch the database: this module
gathers what they write. It takes a `Session` and never imports Flask.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc import families
from quizsvc.errors import NotFoundError, ParamError
from quizsvc.exporters.gradebook import BankColumn, StudentGrades, attempts_csv, canvas_gradebook
from quizsvc.exporters.registry import Policy
from quizsvc.families.problem import Problem
from quizsvc.services import analytics
from quizsvc.services.variants import variant_seed
from quizsvc.store.models import Attempt, Bank, User
from quizsvc.store.models import Problem as StoredProblem

POOL = 5          # exported variants per problem a student gets, for items without fixed seeds
MAX_POOL = 20
POOL_USER_ID = 0  # the "user" whose variants form the export pool: ids start at 1


@dataclass
class BankExport:
    """The problems of a bank's export, and how many of each family and level an LMS draws."""

    title: str
    problems: list[Problem]
    picks: dict[tuple[str, str], int] = field(default_factory=dict)
    policy: Policy | None = None


def export_problems(bank: Bank, secret: str | bytes, pool: int = POOL) -> BankExport:
    """Return the problems of `bank` to export, with the number to draw per family and level."""
    if not 1 <= pool <= MAX_POOL:
        raise ParamError(f"pool must be between 1 and {MAX_POOL}", errors={"pool": "out of range"})
    problems: list[Problem] = []
    picks: Counter[tuple[str, str]] = Counter()
    for item in bank.items:
        family = families.get(item.family)
        if item.seeds:
            seeds = list(item.seeds)
        else:
            seeds = [variant_seed(secret, bank.id, item.position, v, POOL_USER_ID)
                     for v in range(item.count * pool)]
        problems += [family.generate(seed, item.level) for seed in seeds]
        picks[(item.family, item.level)] += item.count
    return BankExport(bank.title, problems, dict(picks), bank_policy(bank))


def bank_policy(bank: Bank) -> Policy:
    """Return the attempt policy of a bank, as the exporters read it."""
    return Policy(bank.max_attempts, bank.show_key)


def load_bank(session: Session, bank_id: int) -> Bank:
    """Return the bank `bank_id` or raise `NotFoundError`."""
    bank = session.get(Bank, bank_id)
    if bank is None:
        raise NotFoundError(f"no bank with id {bank_id}")
    return bank


def grades_csv(session: Session, bank: Bank) -> str:
    """Return the Canvas gradebook CSV of a bank: one column, points = problems solved (best tries)."""
    column = BankColumn(bank.id, bank.title, float(sum(item.count for item in bank.items)))
    rows = []
    for r in analytics.results(session, bank):
        rows.append(StudentGrades(name=r.name or r.email or f"user {r.user_id}", user_id=r.user_id,
                                  sis_user_id=r.sis_user_id or "", sis_login_id=r.email or "",
                                  scores={bank.id: r.score}))
    return canvas_gradebook([column], rows)


def attempts_rows(session: Session, bank: Bank) -> list[dict]:
    """Return one row per attempt at the bank's problems, oldest first."""
    query = (select(Attempt, StoredProblem, User)
             .join(StoredProblem, StoredProblem.id == Attempt.problem_id)
             .join(User, User.id == Attempt.user_id)
             .where(StoredProblem.bank_id == bank.id).order_by(Attempt.id))
    rows = []
    for attempt, problem, user in session.execute(query):
        rows.append({
            "attempt_id": attempt.id, "created_at": attempt.created_at.isoformat(),
            "user_id": user.id, "student": user.name or user.email or "",
            "sis_user_id": user.sis_user_id or "", "bank_id": bank.id,
            "bank_version": problem.bank_version, "problem_id": problem.id,
            "item_ident": f"{problem.family}-v{problem.version}-s{problem.seed}-{problem.level}",
            "family": problem.family, "version": problem.version, "seed": problem.seed,
            "level": problem.level, "seq": attempt.seq, "score": attempt.score,
            "correct": attempt.correct, "misconception": attempt.misconception or "",
            "answer": json.dumps(attempt.raw_answer, ensure_ascii=False)})
    return rows


def bank_attempts_csv(session: Session, bank: Bank) -> str:
    """Return the plain CSV of every attempt at a bank's problems."""
    return attempts_csv(attempts_rows(session, bank))
