"""The request side of the audit log: the acting user, and the views whose answer is an action.

The rows themselves, and the ``after_flush`` listener that records bank changes
and passbacks whoever makes them, live in `quizsvc.audit` (no Flask there).
Exports and the instructor's LTI actions write no rows of their own: their
views are wrapped here so that a successful answer records its row and commits.
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import Flask, current_app, g, has_request_context, request

from quizsvc import audit

# Views whose successful answer is an action worth recording: endpoint -> (action, target type).
AUDITED_VIEWS: dict[str, tuple[str, str]] = {
    "exports.export_bank": ("bank.export", "bank"),
    "exports.bank_grades": ("bank.export_grades", "bank"),
    "exports.bank_attempts": ("bank.export_attempts", "bank"),
    "lti_admin.update_link": ("lti.link_update", "lti_link"),
    "lti_admin.retry_passbacks": ("grade.passback_retry", "lti_passbacks"),
    "lti_admin.retry_passback": ("grade.passback_retry", "lti_passback"),
}
_QUERY_DETAILS = ("format", "style", "pool", "pick")


def request_actor() -> audit.Actor | None:
    """Return the request's authenticated user and address (None outside a request)."""
    if not has_request_context():
        return None
    user = g.get("user")
    if user is not None:
        return user.id, user.role, request.remote_addr
    return None, None, request.remote_addr


def audited(view: Callable[..., Any], action: str, target_type: str) -> Callable[..., Any]:
    """Wrap `view` so that a successful answer records `action` and commits."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from quizsvc.extensions import db

        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code < 400 and g.get("user") is not None:
            target = next((v for k, v in kwargs.items() if k.endswith("_id")), None)
            details = {k: request.args[k] for k in _QUERY_DETAILS if k in request.args}
            details.update({k: v for k, v in kwargs.items() if k.endswith("_id")})
            if request.is_json and isinstance(request.get_json(silent=True), dict):
                details["request"] = {k: v for k, v in request.get_json().items()
                                      if isinstance(v, (int, str, bool, list)) or v is None}
            details["status"] = response.status_code
            audit.record(db.session, action, target_type, target, details)
            db.session.commit()
        return response
    return wrapper


def install(app: Flask) -> None:
    """Record the audited views' actions and the request's actor (the listener is always on)."""
    audit.set_request_actor(request_actor)
    for endpoint, (action, target_type) in AUDITED_VIEWS.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = audited(view, action, target_type)
