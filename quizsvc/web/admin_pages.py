"""The LTI administrator's page: registered platforms, their deployments, last launches and
passbacks; one-time Dynamic Registration URLs; new deployments allowed or not.

Admins only (anyone else gets a 404 page). The data and the rules are the ones the
CLI (`quizsvc lti list/show`) and the admin API use: `quizsvc.lti.registry`, `dynreg`.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from quizsvc.errors import QuizError
from quizsvc.extensions import db
from quizsvc.lti import dynreg, registry, runtime
from quizsvc.store.models import User
from quizsvc.web import auth

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.before_request
def _csrf() -> None:
    if request.method == "POST":
        auth.csrf.protect()


def _admin() -> User:
    user = auth.viewer()
    if user is None or user.role != "admin":
        abort(404)
    return user


def _base() -> str:
    return (runtime.runtime().settings["TOOL_URL"] or request.host_url).rstrip("/")


@bp.get("/lti")
@login_required
def lti() -> str:
    """The platforms with their deployments, last launches and passbacks."""
    _admin()
    return render_template("pages/admin_lti.html", platforms=registry.overview(db.session),
                           new_url=None)


@bp.post("/lti/registrations")
@login_required
def new_registration() -> str:
    """Make a one-time registration URL and show it, once."""
    user = _admin()
    note = request.form.get("note", "").strip()[:200]
    try:
        hours = float(request.form.get("hours") or dynreg.DEFAULT_TTL_HOURS)
        row, text = dynreg.issue_token(db.session, created_by_id=user.id, note=note,
                                       ttl_hours=hours)
    except ValueError:
        flash("Hours must be a number, e.g. 72.", "error")
        return redirect(url_for("admin.lti"))  # type: ignore[return-value]
    except QuizError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.lti"))  # type: ignore[return-value]
    db.session.commit()
    return render_template("pages/admin_lti.html", platforms=registry.overview(db.session),
                           new_url=dynreg.registration_url(_base(), text), new_row=row)


@bp.post("/lti/platforms/<int:platform_id>/deployments")
@login_required
def set_auto_accept(platform_id: int) -> Response:
    """Let this platform's new deployments in on their first launch, or not."""
    _admin()
    platform = registry.get_platform(db.session, platform_id)
    on = request.form.get("auto_accept") == "on"
    registry.set_auto_accept(db.session, platform, on)
    db.session.commit()
    flash(f"{platform.name}: new deployments are "
          + ("accepted on their first launch." if on else "refused until added."), "success")
    return redirect(url_for("admin.lti"))
