"""Accounts: create students in a course, one at a time or from a CSV roster; tokens; claims.

Staff see the accounts of the courses they staff; anything else is a 404.
Credentials for someone else (a token, a claim code) only for an unclaimed
student of courses you staff, and each is in the audit log.
"""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from quizsvc.api.auth import auth_required, current_user
from quizsvc.errors import QuizError
from quizsvc.extensions import db
from quizsvc.schemas.common import PageArgs, page_of, page_schema, page_slice
from quizsvc.schemas.users import (
    ClaimCodeOut, ClaimIn, ClaimOut, RosterArgs, RosterOut, TokenCreate, TokenInfo, TokenOut,
    UserCreate, UserListArgs, UserOut, UserPage,
)
from quizsvc.services import access, claims
from quizsvc.services import courses as course_service
from quizsvc.services import users as user_service

blp = Blueprint("users", __name__, url_prefix="/api/v1/users",
                description="Accounts, API tokens and account claims.")


def _attrs(obj: object, schema: type) -> dict:
    """Return the attributes of `obj` that `schema` shows (to add a one-time token)."""
    return {name: getattr(obj, name) for name in schema().fields if hasattr(obj, name)}


def _course(course_id: int | None, *, need: str = "staff"):  # noqa: ANN202 - a Course
    user = current_user()
    if course_id is None:
        return course_service.default_course(db.session, user)
    return access.get_course(db.session, user, course_id, need=need)


@blp.route("", methods=["POST"])
@auth_required("instructor")
@blp.arguments(UserCreate)
@blp.response(201, UserOut)
def create_user(args: dict) -> dict:
    """Create an account; a student is enrolled in `course_id` (default: your one course).

    `claim_code: true` returns a one-time code the student claims the account
    with; `token: true` an API token for them (both shown once, both audited).
    """
    want_token, want_code = args.pop("token"), args.pop("claim_code")
    course_id = args.pop("course_id")
    actor = current_user()
    course = None
    if args["role"] == "student" and (course_id is not None or not access.is_admin(actor)):
        course = _course(course_id)
    user = user_service.create_user(db.session, actor, course=course, **args)
    out = _attrs(user, UserOut)
    if want_token:
        out["token"] = user_service.issue_token(db.session, user, "created", issued_by=actor)[1]
    if want_code:
        out["claim_code"] = claims.issue_claim_code(db.session, actor, user)
    db.session.commit()
    return out


@blp.route("/roster", methods=["POST"])
@auth_required()
@blp.arguments(RosterArgs, location="query")
@blp.response(201, RosterOut)
@blp.doc(requestBody={"required": True, "description": "CSV with a header: email (required), "
                      "name, sis_user_id.",
                      "content": {"text/csv": {"schema": {"type": "string"},
                                               "example": "name,email,sis_user_id\n"
                                                          "Ada Lovelace,ada@example.edu,1001\n"}}})
def import_roster(args: dict) -> dict:
    """Enrol students in a course from a CSV roster (default: your one course).

    Existing accounts are enrolled, not duplicated, and get no new credential.
    """
    course = _course(args["course_id"])
    return roster_response(course, args)


def roster_response(course: object, args: dict) -> dict:
    """Import the request's CSV into `course`; the shared body of both roster routes."""
    if request.mimetype not in ("text/csv", "text/plain"):
        raise QuizError("send the roster as the request body with `Content-Type: text/csv`",
                        errors={"Content-Type": request.mimetype or "missing"}, status=415)
    try:
        text = request.get_data().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QuizError(f"the roster is not UTF-8 text (byte {exc.start} is not): save it as "
                        "CSV UTF-8 and send it again", errors={"csv": "not UTF-8"},
                        status=422) from None
    rows = user_service.import_roster(db.session, current_user(), text, course,  # type: ignore[arg-type]
                                      issue_tokens=args["tokens"],
                                      claim_codes=args["claim_codes"])
    db.session.commit()
    created = sum(r.created for r in rows)
    return {"course_id": course.id, "created": created,  # type: ignore[attr-defined]
            "existing": len(rows) - created,
            "rows": [{"created": r.created, "enrolled": r.enrolled, "user": r.user,
                      "token": r.token, "claim_code": r.claim_code} for r in rows]}


@blp.route("")
@auth_required()
@blp.arguments(UserListArgs, location="query")
@blp.response(200, UserPage)
def list_users(args: dict) -> dict:
    """List the accounts you may see: members of the courses you staff (an admin: everyone)."""
    if args["course_id"] is not None:
        access.get_course(db.session, current_user(), args["course_id"], need="staff")
    rows, total = user_service.list_users(db.session, current_user(), args["role"],
                                          course_id=args["course_id"], page=args["page"],
                                          page_size=args["page_size"])
    return page_of(rows, total, args)


@blp.route("/claim", methods=["POST"])
@blp.arguments(ClaimIn)
@blp.response(201, ClaimOut)
@blp.doc(security=[])
def claim(args: dict) -> dict:
    """Claim your account with the code your instructor gave you (no token needed).

    You get an API token of your own; every token anyone else issued for the
    account stops working, and nobody but you and admins can get a new one.
    """
    user, token = claims.claim_with_token(db.session, args["code"], args["name"])
    db.session.commit()
    return {"user": user, "token": token}


@blp.route("/<int:user_id>")
@auth_required()
@blp.response(200, UserOut)
def show_user(user_id: int) -> object:
    """Show an account: yours, or a member of a course you staff."""
    return user_service.get_user(db.session, current_user(), user_id)


@blp.route("/<int:user_id>/claim-code", methods=["POST"])
@auth_required()
@blp.response(201, ClaimCodeOut)
def create_claim_code(user_id: int) -> dict:
    """Issue a new one-time claim code for an unclaimed student of your courses (audited)."""
    user = user_service.get_user(db.session, current_user(), user_id)
    code = claims.issue_claim_code(db.session, current_user(), user)
    db.session.commit()
    return {"user_id": user.id, "claim_code": code, "expires_at": user.claim_code_expires_at}


@blp.route("/<int:user_id>/tokens", methods=["POST"])
@auth_required()
@blp.arguments(TokenCreate)
@blp.response(201, TokenOut)
def create_token(args: dict, user_id: int) -> dict:
    """Issue an API token for yourself or an unclaimed student of your courses (shown once).

    A token issued for someone else is in the audit log and ends when they claim the account.
    """
    token, text = user_service.issue_token_for(db.session, current_user(), user_id, args["name"])
    db.session.commit()
    out = _attrs(token, TokenInfo)
    out["token"] = text
    return out


@blp.route("/<int:user_id>/tokens")
@auth_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(TokenInfo, "TokenPage"))
def list_tokens(args: dict, user_id: int) -> dict:
    """List the tokens of yourself or of a member of your courses (never their text)."""
    return page_slice(user_service.get_user(db.session, current_user(), user_id).tokens, args)


@blp.route("/<int:user_id>/tokens/<int:token_id>", methods=["DELETE"])
@auth_required()
@blp.response(204)
def revoke_token(user_id: int, token_id: int) -> None:
    """Revoke a token (yours; one you issued; an unclaimed student's of your courses)."""
    user_service.get_user(db.session, current_user(), user_id)
    token = user_service.revoke_token(db.session, current_user(), token_id)
    if token.user_id != user_id:
        raise QuizError(f"token {token_id} does not belong to user {user_id}", status=404)
    db.session.commit()
