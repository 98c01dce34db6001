"""A course's results (each student's score per bank) and analytics (per bank)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizsvc.services import analytics
from quizsvc.store.courses import Course, Enrollment
from quizsvc.store.models import Bank, BankAssignment, User


def _banks(session: Session, course: Course) -> list[Bank]:
    return list(session.scalars(select(Bank).where(Bank.course_id == course.id).order_by(Bank.id)))


def results(session: Session, course: Course, *, page: int = 1,
            page_size: int = 50) -> tuple[list[dict[str, Any]], int]:
    """Return one page of the course's students (by id), each with their score per bank."""
    where = [Enrollment.course_id == course.id, Enrollment.role == "student"]
    total = session.scalar(select(func.count()).select_from(Enrollment).where(*where)) or 0
    students = list(session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id).where(*where)
        .order_by(User.id).limit(page_size).offset((page - 1) * page_size)))
    ids = {u.id for u in students}
    per_bank = {}
    for bank in _banks(session, course):
        per_bank[bank.id] = {r.user_id: r for r in analytics.results(session, bank)
                             if r.user_id in ids}
    rows = []
    for user in students:
        banks = []
        for bank_id, by_user in per_bank.items():
            r = by_user.get(user.id)
            if r is None:  # not assigned this bank, and never answered it
                continue
            banks.append({"bank_id": bank_id, "score": r.score, "max_score": r.max_score,
                          "percent": r.percent, "attempts": r.attempts})
        score = round(sum(b["score"] for b in banks), 4)
        size = sum(b["max_score"] for b in banks)
        rows.append({"user_id": user.id, "name": user.name, "email": user.email,
                     "sis_user_id": user.sis_user_id, "banks": banks, "score": score,
                     "max_score": size, "percent": round(100 * score / size, 2) if size else 0.0})
    return rows, total


def analytics_for(session: Session, course: Course) -> dict[str, Any]:
    """Per bank: students assigned and active, attempts, mean percent, misconception counts."""
    students = session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.role == "student")) or 0
    out = []
    for bank in _banks(session, course):
        res = analytics.results(session, bank)
        assigned = session.scalar(select(func.count()).select_from(BankAssignment)
                                  .where(BankAssignment.bank_id == bank.id)) or 0
        mistakes: Counter[str] = Counter()
        for item in analytics.item_analysis(session, bank):
            mistakes.update(item.misconceptions)
        out.append({"bank_id": bank.id, "title": bank.title, "assigned": assigned,
                    "students_attempted": sum(1 for r in res if r.attempts),
                    "attempts": sum(r.attempts for r in res),
                    "mean_percent": round(sum(r.percent for r in res) / len(res), 2) if res else None,
                    "misconceptions": dict(mistakes.most_common())})
    return {"course_id": course.id, "students": students, "banks": out}
