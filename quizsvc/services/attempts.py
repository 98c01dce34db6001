"""Grading and recording attempts, safely under concurrency.

An attempt is graded by the engine first; an unreadable answer raises
`AnswerError` (422) before anything is written, so it uses up no attempt.
Then, in one transaction:

1. a conditional ``UPDATE problems SET attempt_count = attempt_count + 1
   WHERE id = :id AND (max_attempts IS NULL OR attempt_count < max_attempts)``
   claims the next attempt number. PostgreSQL serialises concurrent updates of
   the row (the second waits, then re-checks the condition); SQLite has one
   writer at a time. No row means no attempts left (409);
2. the attempt row is inserted, unique on (problem, seq) and on
   (user, Idempotency-Key);
3. every listener in `AFTER_ATTEMPT` is called with (session, attempt), so
   that, for example, LTI grade passback queues its outbox row atomically;
4. commit. If the insert hits the idempotency constraint (the same key sent
   concurrently), everything rolls back, the counter included, and the stored
   attempt is returned instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from quizsvc.errors import NotFoundError, QuizError
from quizsvc.services.errors import ConflictError, PermissionDenied
from quizsvc.services.practice import get_family, get_problem, rendered
from quizsvc.services.policy import attempts_left, key_visible
from quizsvc.store import rows
from quizsvc.store.models import Attempt, Problem, User
from quizsvc.store.types import utcnow

AttemptListener = Callable[[Session, Attempt], None]

# Called inside the attempt's transaction, after its row is flushed and before the commit.
# A listener that raises rolls the attempt back. Register with `on_attempt`.
AFTER_ATTEMPT: list[AttemptListener] = []

MAX_IDEMPOTENCY_KEY = 255

def on_attempt(listener: AttemptListener) -> AttemptListener:
    """Register `listener` to run after every recorded attempt (usable as a decorator)."""
    if listener not in AFTER_ATTEMPT:
        AFTER_ATTEMPT.append(listener)
    return listener


@dataclass
class Submitted:
    """The outcome of a submission: the attempt, and whether it was a replay."""

    attempt: Attempt
    replayed: bool = False


def submit_attempt(session: Session, user: User, problem_id: int, answer: Any,
                   idempotency_key: str | None = None) -> Submitted:
    """Grade and record `user`'s answer to a problem of theirs; commits."""
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
            raise QuizError(
                f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters",
                errors={"Idempotency-Key": "bad length"})
        previous = _by_key(session, user, idempotency_key)
        if previous is not None:
            return _replay(session, previous, problem_id)

    problem = get_problem(session, user, problem_id)
    if problem.owner_id != user.id:
        raise PermissionDenied("only the student this problem was issued to can answer it")
    if attempts_left(problem) == 0:
        raise _no_attempts_left(problem)
    _check_bank_open(problem)

    family = get_family(problem.family)
    grade = family.grade(problem.params, problem.key, family.answer_spec(problem.params), answer)

    now = utcnow()
    row = {"problem_id": problem.id, "user_id": user.id, "raw_answer": answer,
           "parsed_answer": grade.parsed, "score": grade.score, "correct": grade.correct,
           "misconception": grade.misconception, "alternatives": list(grade.alternatives),
           "feedback": grade.feedback, "idempotency_key": idempotency_key,
           "fields": [{"name": f.name, "score": f.score, "correct": f.correct,
                       "feedback": f.feedback, "given": f.given, "expected": f.expected}
                      for f in grade.fields],
           "created_at": now}
    try:
        # Core statements on the session's connection, in its transaction: the ORM's bulk-update
        # and flush machinery cost more than the statements (bench/RESULTS.md, the profile).
        claimed = rows.claim_and_insert(session, problem.id, row, correct=grade.correct)
        if claimed is None:
            session.rollback()
            session.refresh(problem)
            raise _no_attempts_left(problem)
        attempt, solved_at = claimed
        for listener in AFTER_ATTEMPT:
            listener(session, attempt)
        session.commit()
    except IntegrityError:
        session.rollback()
        previous = _by_key(session, user, idempotency_key) if idempotency_key else None
        if previous is None:
            raise ConflictError("this attempt clashed with a concurrent one; send it again") from None
        return _replay(session, previous, problem_id)
    # The problem as this attempt left it, from the claim's RETURNING: no reload (which cost
    # a second connection checkout, ping and SELECT per attempt).
    set_committed_value(problem, "attempt_count", attempt.seq)
    set_committed_value(problem, "solved_at", solved_at)
    return Submitted(attempt)


def _by_key(session: Session, user: User, key: str) -> Attempt | None:
    return session.scalar(select(Attempt).where(Attempt.user_id == user.id,
                                                Attempt.idempotency_key == key))


def _replay(session: Session, previous: Attempt, problem_id: int) -> Submitted:
    if previous.problem_id != problem_id:
        raise ConflictError("this Idempotency-Key was already used for another problem; "
                            "use a new key for each new submission",
                            errors={"Idempotency-Key": "reused"})
    # The problem as committed now: the request's first statement read it with the token, which
    # may have been before the original attempt committed (a retry sent while it ran), and a
    # replay must answer exactly what the original did (attempts used, left, the key).
    session.refresh(previous.problem)
    return Submitted(previous, replayed=True)


def _check_bank_open(problem: Problem) -> None:
    """Refuse an answer to a problem of an archived bank or of an earlier version of it."""
    bank = problem.bank
    if bank is None:
        return
    if bank.archived:
        raise ConflictError("this bank is archived: it takes no more answers (your results stay)")
    if problem.bank_version is not None and problem.bank_version != bank.version:
        raise ConflictError("this problem is from an earlier version of the bank: open the bank "
                            "again for its current problems (your answers here are kept)")


def _no_attempts_left(problem: Problem) -> ConflictError:
    return ConflictError(f"no attempts left: this problem allows {problem.max_attempts} and all "
                         "have been used", errors={"attempts_left": 0})


def list_attempts(session: Session, user: User, *, problem_id: int | None = None,
                  page: int = 1, page_size: int = 50) -> tuple[list[Attempt], int]:
    """Return one page of attempts (newest first) and the total count.

    Without `problem_id`: `user`'s own attempts. With it: the attempts at that
    problem, which `user` must be allowed to read.
    """
    if problem_id is not None:
        get_problem(session, user, problem_id)
        where = [Attempt.problem_id == problem_id]
    else:
        where = [Attempt.user_id == user.id]
    total = session.scalar(select(func.count()).select_from(Attempt).where(*where)) or 0
    rows = session.scalars(select(Attempt).where(*where).order_by(Attempt.id.desc())
                           .limit(page_size).offset((page - 1) * page_size))
    return list(rows), total


def attempt_view(attempt: Attempt, viewer: User) -> dict[str, Any]:
    """Return an attempt as `viewer` may see it: `expected` values only with the key."""
    problem = attempt.problem
    show = key_visible(problem, viewer)
    fields = [dict(f) for f in attempt.fields]
    if not show:
        for f in fields:
            f.pop("expected", None)
    misconception = None
    if attempt.misconception:
        misconception = {"code": attempt.misconception, "title": "", "explanation": ""}
        try:
            # Catalogued or layout mistake (a batch dimension included, ...): both have titles.
            m = get_family(problem.family).find_misconception(attempt.misconception)
            if m is not None:
                misconception.update(title=m.title, explanation=m.explanation)
        except NotFoundError:
            pass
    out: dict[str, Any] = {
        "id": attempt.id, "problem_id": attempt.problem_id, "user_id": attempt.user_id,
        "seq": attempt.seq, "answer_given": attempt.raw_answer, "score": attempt.score,
        "correct": attempt.correct, "feedback": attempt.feedback, "fields": fields,
        "misconception": misconception, "alternatives": list(attempt.alternatives or []),
        "created_at": attempt.created_at, "family": problem.family,
        "attempts_used": problem.attempt_count, "attempts_left": attempts_left(problem),
        "key_visible": show,
    }
    if show:
        text = rendered(problem)  # cached per variant: no rebuild, no re-render
        out.update(answer=problem.key, solution=text.solution, solution_html=text.solution_html)
    return out
