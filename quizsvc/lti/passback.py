"""After each attempt at a bank problem: queue the student's bank score for every LTI link of that bank.

The score sent is the whole bank's: the sum over the student's problems of the
best attempt score, out of the number of problems a student gets. Sending the
total rather than the attempt makes each message self-contained, so a lost or
superseded one costs nothing once a newer one arrives.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizsvc.lti import claims, outbox
from quizsvc.lti.roles import STUDENT
from quizsvc.store.lti import LtiLinkUser, LtiResourceLink
from quizsvc.store.models import Attempt, Bank, Problem


@dataclass(frozen=True)
class BankScore:
    """A student's score on a bank: `given` out of `maximum`, and whether every problem is done."""

    given: float
    maximum: float
    completed: bool


def bank_size(bank: Bank) -> int:
    """Return the number of problems each student gets from `bank`."""
    return sum(len(item.seeds) if item.seeds else item.count for item in bank.items)


def bank_score(session: Session, bank: Bank, user_id: int) -> BankScore:
    """Return `user_id`'s score on `bank`: best score per problem, summed."""
    best = (select(Problem.id, Problem.solved_at, Problem.max_attempts, Problem.attempt_count,
                   func.max(Attempt.score).label("best"))
            .join(Attempt, Attempt.problem_id == Problem.id, isouter=True)
            .where(Problem.bank_id == bank.id, Problem.owner_id == user_id,
                   Problem.bank_version == bank.version)
            .group_by(Problem.id, Problem.solved_at, Problem.max_attempts, Problem.attempt_count))
    given, done = 0.0, 0
    for row in session.execute(best):
        given += float(row.best or 0.0)
        out_of_attempts = row.max_attempts is not None and row.attempt_count >= row.max_attempts
        done += row.solved_at is not None or out_of_attempts
    size = bank_size(bank)
    return BankScore(given=round(given, 4), maximum=float(size), completed=size > 0 and done >= size)


def queue_passback(session: Session, attempt: Attempt) -> int:
    """Queue the bank score of `attempt`'s student for each of the bank's links; return how many."""
    problem = attempt.problem
    if problem.bank_id is None:
        return 0
    targets = session.execute(
        select(LtiLinkUser, LtiResourceLink)
        .join(LtiResourceLink, LtiResourceLink.id == LtiLinkUser.link_id)
        .where(LtiLinkUser.user_id == attempt.user_id,
               LtiResourceLink.bank_id == problem.bank_id)).all()
    if not targets:
        return 0
    bank = session.get(Bank, problem.bank_id)
    assert bank is not None
    score = bank_score(session, bank, attempt.user_id)
    queued = 0
    for link_user, link in targets:
        # Teachers trying their own bank are not in the gradebook; platforms refuse their scores.
        if link_user.role != STUDENT or not (link.lineitem_url or link.lineitems_url):
            continue
        if link.scopes and claims.SCOPE_SCORE not in link.scopes.split():
            continue
        if link.passback_policy == "completion" and not score.completed:
            continue
        outbox.enqueue(session, link=link, user_id=attempt.user_id,
                       subject=link_user.lti_subject, attempt_id=attempt.id,
                       score_given=score.given, score_maximum=score.maximum,
                       activity_progress="Completed" if score.completed else "InProgress",
                       grading_progress="FullyGraded")
        queued += 1
    return queued
