"""Errors under /lti as pages a person can read in the LMS frame; JSON for API clients.

Each page says what happened and what to do, and carries the frame CSP of the
launching platform (quizsvc/lti/frame.py) instead of X-Frame-Options. A client
preferring `application/json` gets the API's one error shape.
"""

from __future__ import annotations

from typing import Any

import jwt
from flask import current_app, g, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response

from quizsvc.api.errors import http_error_response, quiz_error_response
from quizsvc.errors import QuizError
from quizsvc.extensions import db
from quizsvc.lti import frame
from quizsvc.lti.views import blp, framed

_TITLES = {400: "quizsvc cannot use what the LMS sent", 401: "quizsvc could not open this activity",
           403: "You may not do this here", 404: "Not found", 405: "Open this from your course",
           409: "Not ready yet", 413: "What you sent is too large",
           429: "Too many requests", 500: "Something went wrong",
           502: "The LMS did not answer", 503: "quizsvc is unavailable just now"}
_ADVICE = {
    400: "Go back to your course and try again. If this page comes back, tell the quizsvc "
         "administrator what it says.",
    401: "Go back to your course and open the activity again (a launch can be used once and only "
         "for a few minutes). If this page comes back, tell your instructor or the quizsvc "
         "administrator what it says.",
    403: "If you teach this course, check that the LMS gives you the instructor role in it, then "
         "open the activity again from the course.",
    404: "It may belong to another course. Open the activity again from your own course.",
    405: "This address is for the LMS to use: open the activity from your course instead.",
    409: "Try again later, or ask your instructor.",
    429: "Wait a minute, then try again.",
}


def wants_json() -> bool:
    """Does the client ask for JSON rather than a page (an API client, not a person)?"""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == \
        "application/json"


def _error_origins() -> tuple[str, ...]:
    """Who may frame an error page; before a verified launch, every platform and the claimed one.

    An unverified id_token or login may name the platform's URLs: trusting them to frame an
    error page shows nothing to anyone that the page does not already say.
    """
    if g.get("lti_origins") is not None:
        return g.lti_origins
    origins = list(frame.registered_origins(db.session))
    token = request.form.get("id_token", "")
    body: dict[str, Any] = {}
    if token:
        try:
            body = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            body = {}
    claimed = frame.frame_origins(None, body if isinstance(body, dict) else {})
    iss = frame.origin(request.values.get("iss") or body.get("iss"))
    for o in (*claimed, *([iss] if iss else [])):
        if o not in origins:
            origins.append(o)
    return tuple(origins)


def error_page(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Render an LTI error as a page the launching platform may frame."""
    try:
        g.lti_origins = _error_origins()
    except Exception:  # noqa: BLE001 - the database is down: the error page still shows
        db.session.rollback()
        g.lti_origins = ()
    page = render_template("lti/error.html", status=status,
                           title=_TITLES.get(status, HTTP_STATUS_CODES.get(status, "Error")),
                           message=message, advice=_ADVICE.get(status, ""))
    resp = framed(current_app.make_response((page, status, headers or {})))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blp.get("/launch")
def launch_opened_by_hand() -> Response:
    """The launch URL opened in a browser (a bookmark, a reload): say where to go instead."""
    return error_page(405, "This address only receives launches from your LMS.",
                      {"Allow": "POST"})


@blp.errorhandler(QuizError)
def _quiz_error(error: QuizError) -> Any:  # noqa: ANN401
    db.session.rollback()
    if wants_json():
        return quiz_error_response(error)
    message = error.message
    if message.split(" ", 1)[0].isalpha():  # a sentence, not an identifier like id_token
        message = message[:1].upper() + message[1:]
    if not message.endswith((".", "?", "!")):
        message += "."
    return error_page(error.status, message)


@blp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Any:  # noqa: ANN401
    if wants_json():
        return http_error_response(error)
    code = error.code or 500
    keep = {k: v for k, v in error.get_headers() if k in ("Allow", "Retry-After")}
    return error_page(code, error.description or "", keep)
