"""The Dynamic Registration pages an LMS opens: confirm, register, close the window.

These are pages for an LMS administrator, shown in the LMS's frame or a pop-up: every
refusal is an HTML page that says what happened and what to do, never JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for

from quizsvc.extensions import db
from quizsvc.lti import dynreg, runtime
from quizsvc.lti.errors import LtiError
from quizsvc.services.errors import ConflictError

blp = Blueprint("lti_registration", __name__, url_prefix="/lti", template_folder="templates")


def _base() -> str:
    return (runtime.runtime().settings["TOOL_URL"] or request.host_url).rstrip("/")


def _refusal(exc: LtiError | ConflictError) -> tuple[str, int]:
    db.session.rollback()
    status = exc.status if exc.status >= 400 else 400
    return render_template("lti/register_error.html", message=exc.message), status


@blp.get("/register/<token>")
def confirm(token: str) -> Any:
    """Show the LMS administrator what quizsvc will register, with a button to go on."""
    rt = runtime.runtime()
    try:
        dynreg.approved(db.session, token)
        config = dynreg.fetch_config(rt.http, request.args.get("openid_configuration", ""),
                                     request.args.get("registration_token"),
                                     rt.settings["HTTP_TIMEOUT"])
    except LtiError as exc:
        return _refusal(exc)
    return render_template(
        "lti/register_confirm.html", config=config, tool=dynreg.tool_registration(_base()),
        action=url_for("lti_registration.register", token=token),
        openid_configuration=request.args.get("openid_configuration", ""),
        registration_token=request.args.get("registration_token", ""))


@blp.post("/register/<token>")
def register(token: str) -> Any:
    """Register with the platform, store the registration, and tell the LMS to close us."""
    rt = runtime.runtime()
    form = request.form
    try:
        approval = dynreg.approved(db.session, token)
        config = dynreg.fetch_config(rt.http, form.get("openid_configuration", ""),
                                     form.get("registration_token") or None,
                                     rt.settings["HTTP_TIMEOUT"])
        platform = dynreg.register(db.session, approval, config, http=rt.http,
                                   registration_token=form.get("registration_token") or None,
                                   base=_base(), timeout=rt.settings["HTTP_TIMEOUT"])
        db.session.commit()
    except (LtiError, ConflictError) as exc:
        return _refusal(exc)
    current_app.logger.info("LTI platform %s registered by dynamic registration", platform.id)
    return render_template("lti/register_done.html", platform=platform)
