"""Attempt policies: how many attempts, and when a student may see the key.

`show_key` values (the same for banks and ad hoc problems):

- ``never``: students never see the key or worked solution;
- ``after_correct``: once they have answered correctly;
- ``after_last_attempt``: once they have used their last attempt (never if unlimited);
- ``after_correct_or_last_attempt``: whichever comes first;
- ``always``: from the start (worked examples).

Instructors and admins always see keys of the problems they may read, and so
do a course's TAs for the problems of its banks.
"""

from __future__ import annotations

from dataclasses import dataclass

from quizsvc.errors import ParamError
from quizsvc.store.models import SHOW_KEY, Problem, User

STAFF = ("instructor", "admin")


@dataclass(frozen=True)
class Policy:
    """The attempt policy copied onto each problem when it is issued."""

    max_attempts: int | None
    show_key: str

    def __post_init__(self) -> None:
        if self.show_key not in SHOW_KEY:
            raise ParamError(f"show_key must be one of {', '.join(SHOW_KEY)}",
                             errors={"show_key": "unknown policy"})
        if self.max_attempts is not None and not 1 <= self.max_attempts <= 1000:
            raise ParamError("max_attempts must be between 1 and 1000, or null for unlimited",
                             errors={"max_attempts": "out of range"})


def attempts_left(problem: Problem) -> int | None:
    """Return how many attempts remain, or None when unlimited."""
    if problem.max_attempts is None:
        return None
    return max(0, problem.max_attempts - problem.attempt_count)


def key_visible(problem: Problem, viewer: User) -> bool:
    """May `viewer` (who may read `problem`) see its key and worked solution now?"""
    if viewer.role in STAFF:
        return True
    if viewer.id != problem.owner_id:
        # Someone else's problem: a TA of its bank's course; nobody else ever sees its key.
        from sqlalchemy.orm import object_session

        from quizsvc.services.access import staffs_problem

        session = object_session(problem)
        return session is not None and staffs_problem(session, viewer, problem)
    solved = problem.solved_at is not None
    used_up = attempts_left(problem) == 0
    return {
        "never": False,
        "after_correct": solved,
        "after_last_attempt": used_up,
        "after_correct_or_last_attempt": solved or used_up,
        "always": True,
    }[problem.show_key]
