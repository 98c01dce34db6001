"""The caller's own account, attempts and progress."""

from __future__ import annotations

from flask_smorest import Blueprint

from quizsvc.api.auth import auth_required, current_user
from quizsvc.extensions import db
from quizsvc.schemas.common import PageArgs, page_of
from quizsvc.schemas.problems import AttemptPage
from quizsvc.schemas.users import ProgressOut, UserOut
from quizsvc.services import attempts as attempt_service
from quizsvc.services.progress import progress
from quizsvc.store.models import User

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="Your account and progress.")


@blp.route("")
@auth_required()
@blp.response(200, UserOut)
def me() -> User:
    """Show who your token belongs to."""
    return current_user()


@blp.route("/attempts")
@auth_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, AttemptPage)
def my_attempts(args: dict) -> dict:
    """List your attempts, newest first."""
    user = current_user()
    rows, total = attempt_service.list_attempts(db.session, user, page=args["page"],
                                                page_size=args["page_size"])
    return page_of([attempt_service.attempt_view(a, user) for a in rows], total, args)


@blp.route("/progress")
@auth_required()
@blp.response(200, ProgressOut)
def my_progress() -> dict:
    """Show your progress per family: attempts, accuracy, mastery, most frequent mistake."""
    user = current_user()
    return {"user_id": user.id, "families": progress(db.session, user)}
