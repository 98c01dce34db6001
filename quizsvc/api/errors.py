"""One JSON error shape, `{code, status, message, errors}`, for every error.

Ours (`QuizError` and subclasses), werkzeug's HTTP errors, flask-smorest's
validation errors (422, with the field messages under `errors`), database
outages (503) and anything unexpected (500, logged, never a stack trace).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from quizsvc.errors import QuizError

_LOCATIONS = ("json", "query", "path", "headers", "form", "files", "cookies")
# Headers of an HTTP error worth keeping in our JSON answer.
_KEEP_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")

_MESSAGES = {
    401: "Send your API token as `Authorization: Bearer <token>`.",
    413: "The request body is too large.",
    422: "The request is not valid: see `errors` for each field.",
}


def error_response(status: int, message: str, errors: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> tuple[Response, int, dict[str, str]]:
    """Return the JSON error answer for `status`."""
    body = {"code": status, "status": HTTP_STATUS_CODES.get(status, "Error"),
            "message": message, "errors": errors or {}}
    headers = dict(headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="quizsvc"')
    return jsonify(body), status, headers


def field_messages(errors: Any, path: str = "", limit: int = 3) -> list[str]:
    """Return up to `limit` lines `field: message` from webargs' nested field errors."""
    out: list[str] = []
    if isinstance(errors, dict) and isinstance(errors.get("message"), str):
        return [f"{path}: {errors['message']}" if path else errors["message"]]
    if isinstance(errors, dict):
        for key, value in errors.items():
            # The location (json, query) is not part of the field's name.
            name = f"{path}.{key}" if path else ("" if key in _LOCATIONS else str(key))
            out += field_messages(value, name, limit - len(out))
            if len(out) >= limit:
                break
    elif isinstance(errors, list):
        texts = [e for e in errors if isinstance(e, str)]
        if texts:
            out.append(f"{path}: {' '.join(texts)}" if path else " ".join(texts))
        for e in errors:
            if not isinstance(e, str):
                out += field_messages(e, path, limit - len(out))
    return out[:limit]


def http_error_response(error: HTTPException) -> tuple[Response, int, dict[str, str]]:
    """Translate a werkzeug (or flask-smorest) HTTP error."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}
    message = data.get("message") or _MESSAGES.get(code) or error.description or ""
    if code == 422 and not data.get("message") and (lines := field_messages(errors)):
        message = "The request is not valid: " + "; ".join(lines)
    headers = {k: v for k, v in error.get_headers() if k in _KEEP_HEADERS}
    headers.update(data.get("headers") or {})
    return error_response(code, message, errors, headers)


def quiz_error_response(error: QuizError) -> tuple[Response, int, dict[str, str]]:
    return error_response(error.status, error.message, error.errors)


def database_error_response(error: OperationalError) -> tuple[Response, int, dict[str, str]]:
    current_app.logger.error("database unavailable: %s", error.orig)
    return error_response(503, "The database is unavailable or busy; try again shortly.",
                          headers={"Retry-After": "5"})


def unexpected_error_response(error: Exception) -> tuple[Response, int, dict[str, str]]:
    current_app.logger.exception("unhandled error", exc_info=error)
    return error_response(500, "Something went wrong on our side; it has been logged. "
                               "Try again, and report it if it persists.")


def register_error_handlers(app: Flask) -> None:
    """Route every error through `error_response` (HTTP errors go via our `Api`)."""
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(QuizError, quiz_error_response)
    app.register_error_handler(OperationalError, database_error_response)
    app.register_error_handler(Exception, unexpected_error_response)
