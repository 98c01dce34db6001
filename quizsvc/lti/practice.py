"""The landing page's problems: the linked bank's problems of one student, answered in the page.

Inside an LMS iframe third-party cookies are often blocked, so the page holds the
launch's short-lived API token: each answer form posts it back (it doubles as
the form's CSRF token, since another site cannot read it), and the live preview
sends it as a bearer token to the JSON API. The problems are shown by the shared
component (quizsvc/web/templates/components/problem.html).
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.services import banks as bank_service
from quizsvc.services.attempts import attempt_view
from quizsvc.services.practice import problem_view
from quizsvc.store.models import Attempt, Bank, Problem, User

TOKEN_FIELD = "launch_token"  # the form field that carries the launch's API token
FRAME_FIELD = "lti_frame"  # the signed frame session: who may frame the answer's page
RESERVED = (TOKEN_FIELD, "attempt_token", "link_id", FRAME_FIELD)


def latest_attempt(session: Session, problem: Problem) -> Attempt | None:
    """Return the newest attempt at `problem`, if any."""
    return session.scalar(select(Attempt).where(Attempt.problem_id == problem.id)
                          .order_by(Attempt.seq.desc()).limit(1))


def card(session: Session, problem: Problem, user: User, *, token: str, action: str,
         preview_url: str, link_id: int | None, values: dict[str, str] | None = None,
         errors: dict[str, str] | None = None, frame_token: str = "") -> dict[str, Any]:
    """Return what the component needs to show one problem to its student."""
    view = problem_view(problem, user)
    last = latest_attempt(session, problem)
    result = attempt_view(last, user) if last is not None and not errors else None
    hidden = {TOKEN_FIELD: token, "attempt_token": secrets.token_urlsafe(16)}
    if link_id is not None:
        hidden["link_id"] = str(link_id)
    if frame_token:
        hidden[FRAME_FIELD] = frame_token
    return {
        "problem": view, "result": result, "values": values or {}, "errors": errors or {},
        "form": {"action": action, "hidden": hidden, "preview_url": preview_url,
                 "preview_token": token, "id": f"p{problem.id}",
                 "can_answer": problem.owner_id == user.id and view["attempts_left"] != 0
                 and not view["solved"]},
    }


def answer_from_form(spec: list[dict[str, Any]], form: Any) -> dict[str, str]:
    """Return the answer fields of a posted form (several checked boxes joined by commas)."""
    answer = {}
    for f in spec:
        values = [v.strip() for v in form.getlist(f["name"]) if v.strip()]
        if values:
            answer[f["name"]] = ", ".join(values)
    return answer


def bank_problems(session: Session, bank: Bank, user: User) -> list[Problem]:
    """Return `user`'s problems of `bank`, in bank order."""
    return bank_service.problems_of(session, bank, user)
