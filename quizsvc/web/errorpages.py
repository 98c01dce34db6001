"""Errors as HTML pages for people, JSON (unchanged) for the API.

The app's handlers (quizsvc/api/errors.py, web/outage.py, web/limits.py)
answer JSON. This wraps each of them: a request to a page (see `wants_html`)
gets the same status as a page saying what happened and what to do, never
JSON or a stack trace; every other request gets what it got before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from quizsvc.errors import QuizError

NOT_PAGES = ("/api/", "/lti", "/healthz", "/readyz")
_ADVICE = {
    400: "The request could not be understood. Go back and try again.",
    403: "You may not see this page.",
    404: "There is no page at this address.",
    405: "That page cannot be used this way.",
    413: "What you sent is too large.",
    429: "Too many requests: wait a little, then try again.",
    500: "Something went wrong on our side; it has been logged. Try again in a moment.",
    503: "The service is unavailable just now; try again shortly.",
}


PAGE_BLUEPRINTS = ("pages", "accounts", "admin")
JSON_ENDPOINTS = ("pages.preview",)  # answer.js reads these


def wants_html() -> bool:
    """Is this a person's browser asking for a page?

    Routes of the page blueprints always answer pages (but for the JSON ones
    answer.js calls); elsewhere outside the API, LTI and probes, a client that
    prefers HTML to JSON (every browser's navigation does; curl's */* does not).
    """
    if request.blueprint in PAGE_BLUEPRINTS:
        return request.endpoint not in JSON_ENDPOINTS
    if request.path.startswith(NOT_PAGES):
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def error_page(status: int, message: str, headers: dict[str, str] | None = None) -> Any:  # noqa: ANN401
    title = HTTP_STATUS_CODES.get(status, "Error")
    body = render_template("pages/error.html", status=status, title=title,
                           message=message or _ADVICE.get(status, ""))
    return body, status, headers or {}


def _html(error: BaseException) -> Any:  # noqa: ANN401 - a Flask response
    if isinstance(error, QuizError):
        headers = {"Retry-After": "60"} if error.status == 429 else {}
        return error_page(error.status, error.message, headers)
    if isinstance(error, HTTPException):
        code = error.code or 500
        if code == 429:  # quizsvc.web.limits.RateLimited: its description names the limit
            wait = str(getattr(error, "retry_after", 60))
            return error_page(429, f"Too many requests ({error.description}); wait a minute.",
                              {"Retry-After": wait})
        message = _ADVICE.get(code) or error.description or ""
        keep = {k: v for k, v in error.get_headers() if k in ("Allow", "Retry-After")}
        return error_page(code, message, keep)
    from quizsvc.web.outage import is_outage

    if is_outage(error):
        current_app.logger.error("database unavailable: %s", type(error).__name__)
        return error_page(503, "", {"Retry-After": "5"})
    current_app.logger.exception("unhandled error on a page", exc_info=error)
    return error_page(500, "")


def _wrap(previous: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    def handler(error: Any) -> Any:  # noqa: ANN401
        if wants_html() or previous is None:
            return _html(error)
        return previous(error)
    return handler


def install(app: Flask) -> None:
    """Wrap every registered app-level error handler with the HTML answer for pages."""
    handlers = app.error_handler_spec.setdefault(None, {})
    for code, by_class in list(handlers.items()):
        for cls, previous in list(by_class.items()):
            by_class[cls] = _wrap(previous)
    for cls in (HTTPException, QuizError, Exception):
        if not any(cls in by_class for by_class in handlers.values()):
            app.register_error_handler(cls, _wrap(None))
