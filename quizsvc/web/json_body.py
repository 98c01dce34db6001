"""Request bodies of the JSON routes: 415 for a body that is not JSON, 400 for broken JSON.

Without this, webargs reads a form or text body as "no JSON" and answers
"Missing data for required field", and a malformed body gets werkzeug's
boilerplate. Here a route that takes a JSON body (flask-smorest's
``@blp.arguments(..., location="json")``) refuses a non-empty body of another
media type with 415, and invalid JSON with 400 naming the parser's message
and where it stopped. An empty body is left to the schema (its defaults or
its "missing field" errors).
"""

from __future__ import annotations

import json

from flask import Flask, request

from quizsvc.errors import QuizError

BODY_METHODS = ("POST", "PUT", "PATCH")


def takes_json(view: object) -> bool:
    """Return whether a flask-smorest view reads arguments from a JSON body."""
    params = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return any(p.get("in") == "json" for p in params)


def is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/")
                                              and mimetype.endswith("+json"))


def check_body() -> None:
    """Refuse the body of a JSON route that is not JSON (415) or not valid JSON (400)."""
    data = request.get_data(cache=True)
    if not data:
        return
    if not is_json(request.mimetype):
        raise QuizError(f"this route takes a JSON body: send it with `Content-Type: "
                        f"application/json` (the request said {request.mimetype or 'nothing'!r})",
                        errors={"Content-Type": request.mimetype or "missing"}, status=415)
    try:
        json.loads(data)
    except UnicodeDecodeError as exc:
        raise QuizError(f"the body is not UTF-8 text (byte {exc.start}); JSON must be UTF-8",
                        errors={"json": {"position": exc.start}}, status=400) from None
    except json.JSONDecodeError as exc:
        raise QuizError(f"the body is not valid JSON: {exc.msg} at line {exc.lineno}, column "
                        f"{exc.colno} (character {exc.pos})",
                        errors={"json": {"message": exc.msg, "line": exc.lineno,
                                         "column": exc.colno, "position": exc.pos}},
                        status=400) from None


def install(app: Flask) -> None:
    """Check the bodies of every route that takes JSON (its views are registered by now)."""
    json_endpoints = {name for name, view in app.view_functions.items() if takes_json(view)}

    @app.before_request
    def _check_json_body() -> None:
        if request.method in BODY_METHODS and request.endpoint in json_endpoints:
            check_body()
