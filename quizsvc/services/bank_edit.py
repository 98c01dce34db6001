"""Changes to a bank after it is built: title, description and policy; deletion.

The policy is copied onto each problem when it is issued; an edit copies the
new policy onto the problems already issued, so every student of the bank
plays by the same rules. A bank can be deleted only while nobody has answered it.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from quizsvc.errors import ParamError
from quizsvc.services.banks import can_manage
from quizsvc.services.errors import ConflictError, PermissionDenied
from quizsvc.services.policy import Policy
from quizsvc.store.audit import log
from quizsvc.store.models import Attempt, Bank, Problem, User


def answered(session: Session, bank: Bank) -> bool:
    """Has anyone answered a problem of `bank`?"""
    return session.scalar(select(Attempt.id).join(Problem, Problem.id == Attempt.problem_id)
                          .where(Problem.bank_id == bank.id).limit(1)) is not None


def update_bank(session: Session, actor: User, bank: Bank, title: str, description: str,
                policy: Policy) -> Bank:
    """Change a bank's title, description and attempt policy (its course's instructors)."""
    if not can_manage(session, actor, bank):
        raise PermissionDenied("only the instructors of the bank's course can edit it")
    title = (title or "").strip()
    if not title:
        raise ParamError("a bank needs a title", errors={"title": "empty"})
    bank.title, bank.description = title[:200], description or ""
    bank.max_attempts, bank.show_key = policy.max_attempts, policy.show_key
    for problem in session.scalars(select(Problem).where(Problem.bank_id == bank.id)):
        problem.max_attempts, problem.show_key = policy.max_attempts, policy.show_key
    log(session, actor, "bank.update", "bank", bank.id, {"title": bank.title},
        course_id=bank.course_id)
    session.flush()
    return bank


def delete_bank(session: Session, actor: User, bank: Bank) -> None:
    """Delete a bank nobody has answered (its course's instructors)."""
    if not can_manage(session, actor, bank):
        raise PermissionDenied("only the instructors of the bank's course can delete it")
    if answered(session, bank):
        raise ConflictError("students have answered this bank, so it cannot be deleted "
                            "(their attempts would go with it)")
    log(session, actor, "bank.delete", "bank", bank.id, {"title": bank.title},
        course_id=bank.course_id)
    session.execute(delete(Problem).where(Problem.bank_id == bank.id))
    session.delete(bank)
    session.flush()
