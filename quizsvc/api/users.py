"""Accounts: create users one at a time or from a CSV roster, issue and revoke tokens."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from quizsvc.api.auth import auth_required, current_user
from quizsvc.errors import QuizError
from quizsvc.extensions import db
from quizsvc.schemas.users import (
    RosterArgs, RosterOut, TokenCreate, TokenInfo, TokenOut, UserCreate, UserListArgs, UserOut,
)
from quizsvc.services import users as user_service

blp = Blueprint("users", __name__, url_prefix="/api/v1/users",
                description="Accounts and API tokens (instructors manage students).")


def _attrs(obj: object, schema: type) -> dict:
    """Return the attributes of `obj` that `schema` shows (to add a one-time token)."""
    return {name: getattr(obj, name) for name in schema().fields if hasattr(obj, name)}


@blp.route("", methods=["POST"])
@auth_required("instructor")
@blp.arguments(UserCreate)
@blp.response(201, UserOut)
def create_user(args: dict) -> dict:
    """Create a user (instructors: students only); `token: true` issues a token too."""
    want_token = args.pop("token")
    user = user_service.create_user(db.session, current_user(), **args)
    token = user_service.issue_token(db.session, user, "created")[1] if want_token else None
    db.session.commit()
    out = _attrs(user, UserOut)
    if token:
        out["token"] = token
    return out


@blp.route("/roster", methods=["POST"])
@auth_required("instructor")
@blp.arguments(RosterArgs, location="query")
@blp.response(201, RosterOut)
@blp.doc(requestBody={"required": True, "description": "CSV with a header: email (required), "
                      "name, sis_user_id.",
                      "content": {"text/csv": {"schema": {"type": "string"},
                                               "example": "name,email,sis_user_id\n"
                                                          "Ada Lovelace,ada@example.edu,1001\n"}}})
def import_roster(args: dict) -> dict:
    """Create students from a CSV roster (existing emails are matched, not duplicated)."""
    if request.mimetype not in ("text/csv", "text/plain"):
        raise QuizError("send the roster as the request body with `Content-Type: text/csv`",
                        errors={"Content-Type": request.mimetype or "missing"}, status=415)
    try:
        text = request.get_data().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QuizError(f"the roster is not UTF-8 text (byte {exc.start} is not): save it as "
                        "CSV UTF-8 and send it again", errors={"csv": "not UTF-8"},
                        status=422) from None
    rows = user_service.import_roster(db.session, current_user(), text,
                                      issue_tokens=args["tokens"])
    db.session.commit()
    created = sum(r.created for r in rows)
    return {"created": created, "existing": len(rows) - created,
            "rows": [{"created": r.created, "user": r.user, "token": r.token} for r in rows]}


@blp.route("")
@auth_required("instructor")
@blp.arguments(UserListArgs, location="query")
@blp.response(200, UserOut(many=True))
def list_users(args: dict) -> list:
    """List the users you manage (an admin: everyone; an instructor: students)."""
    return user_service.list_users(db.session, current_user(), args["role"])


@blp.route("/<int:user_id>")
@auth_required()
@blp.response(200, UserOut)
def show_user(user_id: int) -> object:
    """Show a user: yourself, or someone you manage."""
    return user_service.get_user(db.session, current_user(), user_id)


@blp.route("/<int:user_id>/tokens", methods=["POST"])
@auth_required()
@blp.arguments(TokenCreate)
@blp.response(201, TokenOut)
def create_token(args: dict, user_id: int) -> dict:
    """Issue a new API token for yourself or for someone you manage (shown once)."""
    token, text = user_service.issue_token_for(db.session, current_user(), user_id, args["name"])
    db.session.commit()
    out = _attrs(token, TokenInfo)
    out["token"] = text
    return out


@blp.route("/<int:user_id>/tokens")
@auth_required()
@blp.response(200, TokenInfo(many=True))
def list_tokens(user_id: int) -> list:
    """List the tokens of yourself or someone you manage (their text is never shown again)."""
    return user_service.get_user(db.session, current_user(), user_id).tokens


@blp.route("/<int:user_id>/tokens/<int:token_id>", methods=["DELETE"])
@auth_required()
@blp.response(204)
def revoke_token(user_id: int, token_id: int) -> None:
    """Revoke a token."""
    token = user_service.revoke_token(db.session, current_user(), token_id)
    if token.user_id != user_id:
        raise QuizError(f"token {token_id} does not belong to user {user_id}", status=404)
    db.session.commit()
