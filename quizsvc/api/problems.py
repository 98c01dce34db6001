"""Problems and their attempts."""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint

from quizsvc.api.auth import auth_required, current_user
from quizsvc.extensions import db
from quizsvc.schemas.common import PageArgs, page_of
from quizsvc.schemas.problems import (AttemptCreate, AttemptOut, AttemptPage, PreviewIn, PreviewOut,
                                     ProblemCreate, ProblemOut)
from quizsvc.services import attempts as attempt_service
from quizsvc.services import practice, preview
from quizsvc.services.policy import Policy

blp = Blueprint("problems", __name__, url_prefix="/api/v1/problems",
                description="Generate problems and answer them.")


def practice_policy() -> Policy:
    """The policy of ad hoc problems (QUIZSVC_PRACTICE_MAX_ATTEMPTS, ..._SHOW_KEY)."""
    cfg = current_app.config
    return Policy(cfg["PRACTICE_MAX_ATTEMPTS"] or None, cfg["PRACTICE_SHOW_KEY"])


@blp.route("", methods=["POST"])
@auth_required()
@blp.arguments(ProblemCreate)
@blp.response(201, ProblemOut)
def create_problem(args: dict) -> dict:
    """Generate a practice problem for you (random variant unless `seed` is given).

    Ad hoc problems allow 3 attempts and show the key and worked solution after
    a correct answer or after the last attempt (configurable).
    """
    user = current_user()
    problem = practice.create_practice_problem(db.session, user, args["family"], args["level"],
                                               args["seed"], practice_policy())
    db.session.commit()
    return practice.problem_view(problem, user)


@blp.route("/<int:problem_id>")
@auth_required(problem_arg="problem_id")
@blp.response(200, ProblemOut)
def show_problem(problem_id: int) -> dict:
    """Show a problem; its key only when its policy allows."""
    user = current_user()
    return practice.problem_view(practice.get_problem(db.session, user, problem_id), user)


@blp.route("/<int:problem_id>/attempts", methods=["POST"])
@auth_required(problem_arg="problem_id")
@blp.arguments(AttemptCreate)
@blp.response(201, AttemptOut)
@blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False,
                      "schema": {"type": "string", "maxLength": 255},
                      "description": "Send the same key again to get the same attempt back "
                                     "instead of recording a second one."}])
def create_attempt(args: dict, problem_id: int) -> tuple[dict, int, dict]:
    """Answer a problem: score, per-field feedback, the misconception, maybe the key."""
    user = current_user()
    result = attempt_service.submit_attempt(db.session, user, problem_id, args["answer"],
                                            request.headers.get("Idempotency-Key"))
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    return attempt_service.attempt_view(result.attempt, user), 201, headers


@blp.route("/<int:problem_id>/attempts")
@auth_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, AttemptPage)
def list_problem_attempts(args: dict, problem_id: int) -> dict:
    """List the attempts at a problem, newest first."""
    user = current_user()
    rows, total = attempt_service.list_attempts(db.session, user, problem_id=problem_id,
                                                page=args["page"], page_size=args["page_size"])
    return page_of([attempt_service.attempt_view(a, user) for a in rows], total, args)


@blp.route("/<int:problem_id>/preview", methods=["POST"])
@auth_required()
@blp.arguments(PreviewIn)
@blp.response(200, PreviewOut)
def preview_answer(args: dict, problem_id: int) -> dict:
    """Read an answer without grading it: how each blank was understood, or why not.

    Nothing is recorded and no attempt is used; the answer is not compared with
    the key, so the reply says nothing about whether it is right. Pages call it
    as the student types (with the LTI launch's token inside an LMS).
    """
    problem = practice.get_problem(db.session, current_user(), problem_id)
    return preview.preview_problem(problem, args["answer"])
