"""Sign up, sign in, sign out and change password, for the browser pages.

Forms post `email` and `password` (and `csrf_token`); sign-in, sign-up and
claims are rate-limited per address, sign-in also per email (QUIZSVC_LOGIN_RATE,
QUIZSVC_LOGIN_RATE_EMAIL). A student whose account staff made claims it at
/claim with the one-time code they were given, choosing a password. Signing up as a guest keeps the guest's progress;
signing in as a guest brings the guest's practice over to the account.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required, logout_user

from quizsvc.errors import ParamError, QuizError
from quizsvc.extensions import db
from quizsvc.services import accounts
from quizsvc.services.errors import AuthenticationError
from quizsvc.web import auth

bp = Blueprint("accounts", __name__, template_folder="templates")


@bp.before_request
def _csrf() -> None:
    if request.method == "POST":
        auth.csrf.protect()


def _next_url() -> str:
    """Return the local page to go to after signing in (never another site)."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc \
            and "\\" not in target:
        return target
    return url_for("pages.home")


def _form(template: str, status: int = 200, **context: Any) -> Any:  # noqa: ANN401
    return render_template(template, next=request.values.get("next", ""),
                           email=request.form.get("email", ""), **context), status


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Any:  # noqa: ANN401 - a page or a redirect
    """Create an account; a guest's progress becomes the account's."""
    if request.method == "GET":
        return _form("pages/signup.html")
    auth.throttle("login", current_app.config["LOGIN_RATE"], "sign-up tries from your address")
    guest = auth.viewer()
    try:
        user = accounts.sign_up(db.session, request.form.get("email", ""),
                                request.form.get("password", ""),
                                name=request.form.get("name", ""), guest=guest)
        db.session.commit()
    except QuizError as exc:
        db.session.rollback()
        return _form("pages/signup.html", exc.status if exc.status != 409 else 409,
                     errors=_field_errors(exc))
    auth.start_session(user)
    kept = " Your guest progress is kept." if guest is not None and guest.id == user.id else ""
    flash(f"Welcome: your account {user.email} is ready.{kept}", "success")
    return redirect(_next_url(), 303)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:  # noqa: ANN401
    """Sign in with email and password."""
    if request.method == "GET":
        return _form("pages/login.html")
    email = request.form.get("email", "").strip().lower()
    auth.throttle("login", current_app.config["LOGIN_RATE"], "sign-in tries from your address")
    auth.throttle("login-email", current_app.config["LOGIN_RATE_EMAIL"],
                  "sign-in tries for this email", key=email)
    try:
        user = accounts.authenticate(db.session, email, request.form.get("password", ""))
    except QuizError as exc:
        return _form("pages/login.html", 401, errors={"form": exc.message})
    guest = auth.viewer()
    moved = accounts.merge_guest(db.session, guest, user) if guest is not None else 0
    db.session.commit()
    auth.start_session(user)
    flash(f"Signed in as {user.email}." + (f" {moved} guest problem(s) moved to your account."
                                           if moved else ""), "success")
    return redirect(_next_url(), 303)


@bp.route("/claim", methods=["GET", "POST"])
def claim() -> Any:  # noqa: ANN401
    """Claim an account staff made, with its one-time code and a new password; sign in."""
    if request.method == "GET":
        return _form("pages/claim.html", code=request.args.get("code", ""))
    auth.throttle("login", current_app.config["LOGIN_RATE"], "claim tries from your address")
    code = request.form.get("code", "").strip()
    password = request.form.get("password", "")
    try:
        if password != request.form.get("password_again", ""):
            raise ParamError("the two passwords are not the same",
                             errors={"password_again": "different"})
        user = accounts.claim_with_password(db.session, code, request.form.get("email", ""),
                                            password)
        db.session.commit()
    except QuizError as exc:
        db.session.rollback()
        fields = {k for k in exc.errors if k in ("code", "email", "password", "password_again")}
        if isinstance(exc, AuthenticationError):
            fields = {"code"}
        return _form("pages/claim.html", exc.status, code=code,
                     errors={k: exc.message[0].upper() + exc.message[1:] for k in fields}
                     or {"form": exc.message})
    auth.start_session(user)
    flash(f"Your account is yours now: you are signed in as {user.email}, and from now on you "
          "sign in with this email and the password you chose.", "success")
    return redirect(url_for("pages.home"), 303)


@bp.post("/logout")
def logout() -> Any:  # noqa: ANN401
    """Sign out (a POST with the CSRF token, so no other site can sign you out)."""
    logout_user()
    from flask import session

    session.clear()
    flash("Signed out.", "info")
    return redirect(url_for("pages.home"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:  # noqa: ANN401
    """Change your password (ends your other sessions)."""
    user = auth.viewer()
    assert user is not None
    if accounts.is_guest(user):
        flash("Guests have no password: sign up first.", "info")
        return redirect(url_for("accounts.signup"), 303)
    if request.method == "GET":
        return _form("pages/password.html")
    auth.throttle("login", current_app.config["LOGIN_RATE"], "password tries from your address")
    try:
        accounts.change_password(db.session, user, request.form.get("current_password", ""),
                                 request.form.get("password", ""))
        db.session.commit()
    except QuizError as exc:
        db.session.rollback()
        return _form("pages/password.html", exc.status, errors=_field_errors(exc))
    auth.start_session(user)  # the fingerprint changed: renew this session, others end
    flash("Your password is changed.", "success")
    return redirect(url_for("pages.home"), 303)


def _field_errors(exc: QuizError) -> dict[str, str]:
    fields = {k for k in exc.errors if k in ("email", "password", "current_password")}
    out = {k: exc.message for k in fields}
    return out or {"form": exc.message}
