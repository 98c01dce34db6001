"""Every error, ours and werkzeug's, answers with one JSON shape and no stack trace."""

from __future__ import annotations

import pytest
from flask import abort
from werkzeug.exceptions import default_exceptions

from quizsvc.errors import QuizError
from quizsvc.services.errors import ConflictError, PermissionDenied

SHAPE = {"code", "status", "message", "errors"}


@pytest.fixture
def raising_app(app):
    """The app with routes that fail in chosen ways (registered before any request)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as production would

    @app.route("/_test/abort/<int:code>")
    def _abort(code: int):
        abort(code)

    @app.route("/_test/quiz/<int:code>")
    def _quiz(code: int):
        raise QuizError("a domain error", errors={"field": "why"}, status=code)

    @app.route("/_test/crash")
    def _crash():
        raise RuntimeError("secret internals /etc/passwd")

    return app


@pytest.mark.parametrize("code", sorted(default_exceptions))
def test_every_werkzeug_error_has_our_shape(raising_app, code):
    r = raising_app.test_client().get(f"/_test/abort/{code}")
    assert r.status_code == code
    assert r.is_json and set(r.json) == SHAPE
    assert r.json["code"] == code and r.json["status"] and r.json["message"]
    assert isinstance(r.json["errors"], dict)


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 413, 422, 429, 503])
def test_quiz_errors_have_our_shape(raising_app, code):
    r = raising_app.test_client().get(f"/_test/quiz/{code}")
    assert r.status_code == code
    assert r.json == {"code": code, "status": r.json["status"], "message": "a domain error",
                      "errors": {"field": "why"}}


def test_unexpected_error_is_500_without_internals(raising_app):
    r = raising_app.test_client().get("/_test/crash")
    assert r.status_code == 500 and set(r.json) == SHAPE
    body = r.get_data(as_text=True)
    assert "Traceback" not in body and "passwd" not in body and "RuntimeError" not in body


def test_unknown_url_and_wrong_method(client, student):
    r = client.get("/api/v1/nothing-here", headers=student.headers)
    assert r.status_code == 404 and set(r.json) == SHAPE
    r = client.delete("/api/v1/problems", headers=student.headers)
    assert r.status_code == 405 and "POST" in r.headers["Allow"] and set(r.json) == SHAPE


def test_too_large_body_is_413(client, student):
    big = {"family": "conv_output_shape", "level": "x" * (300 * 1024)}
    r = client.post("/api/v1/problems", json=big, headers=student.headers)
    assert r.status_code == 413 and set(r.json) == SHAPE


def test_invalid_json_is_400(client, student):
    r = client.post("/api/v1/problems", data="{nope", headers={**student.headers,
                                                              "Content-Type": "application/json"})
    assert r.status_code == 400 and set(r.json) == SHAPE


def test_validation_error_names_the_field(client, student):
    r = client.post("/api/v1/problems", json={"family": 7}, headers=student.headers)
    assert r.status_code == 422
    assert r.json["errors"]["json"]["family"]


def test_error_classes_carry_statuses():
    assert PermissionDenied("x").status == 403 and ConflictError("x").status == 409
