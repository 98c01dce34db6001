"""Every error, ours and werkzeug's, answers with one JSON shape and no stack trace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import abort
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import default_exceptions

from quizsvc import families
from quizsvc.errors import QuizError
from quizsvc.services.errors import ConflictError, PermissionDenied

SHAPE = {"code", "status", "message", "errors"}

# The family modules on disk (each declares `NAME = "..."` at the top level), read without the
# registry, so that a family the registry forgets or invents shows up here.
FAMILY_FILES = {m.group(1) for f in (Path(families.__file__).parent).glob("*.py")
                if (m := re.search(r'^NAME = "(\w+)"$', f.read_text(encoding="utf-8"), re.M))}


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

    @app.route("/_test/db-down")
    def _db_down():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

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


# RFC 9110's reason phrases, written out here rather than read from werkzeug.
REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           409: "Conflict", 413: "Request Entity Too Large", 415: "Unsupported Media Type",
           422: "Unprocessable Entity", 429: "Too Many Requests", 503: "Service Unavailable"}


@pytest.mark.parametrize("code", sorted(REASONS))
def test_quiz_errors_have_our_shape(raising_app, code):
    r = raising_app.test_client().get(f"/_test/quiz/{code}")
    assert r.status_code == code
    assert r.json == {"code": code, "status": REASONS[code], "message": "a domain error",
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


def test_invalid_json_is_400_with_the_parsers_message_and_position(client, student):
    r = client.post("/api/v1/problems", data='{"family": "conv_output_shape",, "level": 1}',
                    headers={**student.headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and set(r.json) == SHAPE
    # The second comma, character 31 (counting from 0), is where the parser stops.
    assert r.json["errors"]["json"] == {"message": "Expecting property name enclosed in double "
                                                   "quotes", "line": 1, "column": 32,
                                        "position": 31}
    assert "line 1, column 32" in r.json["message"] and "not valid JSON" in r.json["message"]


def test_invalid_json_position_counts_lines(client, instructor):
    body = '{\n  "title": "t",\n  "items": [}\n'
    r = client.post("/api/v1/banks", data=body, headers={**instructor.headers,
                                                         "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json["errors"]["json"]["line"] == 3
    assert r.json["errors"]["json"]["column"] == 13


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain",
                                          None])
def test_a_body_that_is_not_json_is_415(client, student, content_type):
    headers = {**student.headers, **({"Content-Type": content_type} if content_type else {})}
    r = client.post("/api/v1/problems", data='{"family": "conv_output_shape"}', headers=headers)
    assert r.status_code == 415 and set(r.json) == SHAPE
    assert "Content-Type: application/json" in r.json["message"]
    assert "Missing data" not in r.get_data(as_text=True)


def test_json_with_a_charset_or_a_json_suffix_is_json(client, student):
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        r = client.post("/api/v1/problems", data='{"family": "conv_output_shape", "seed": 2}',
                        headers={**student.headers, "Content-Type": content_type})
        assert r.status_code == 201, (content_type, r.json)


def test_an_empty_body_is_left_to_the_schema(client, student):
    r = client.post("/api/v1/problems", headers=student.headers)
    assert r.status_code == 422 and "family" in r.json["errors"]["json"]


def test_non_json_routes_keep_their_media_types(client, instructor):
    r = client.post("/api/v1/users/roster", data="email\nada@example.edu\n",
                    headers={**instructor.headers, "Content-Type": "text/csv"})
    assert r.status_code == 201 and r.json["created"] == 1


def test_validation_error_names_the_field(client, student):
    r = client.post("/api/v1/problems", json={"family": 7}, headers=student.headers)
    assert r.status_code == 422
    assert r.json["errors"]["json"]["family"]


def test_error_classes_carry_statuses():
    assert PermissionDenied("x").status == 403 and ConflictError("x").status == 409


# -- unknown names, with the allowed ones and the closest ---------------------------------

def test_unknown_family_is_422_with_the_allowed_names_and_the_closest(client, student):
    r = client.post("/api/v1/problems", json={"family": "conv_outptu_shape"},
                    headers=student.headers)
    assert r.status_code == 422 and set(r.json) == SHAPE
    detail = r.json["errors"]["json"]["family"]
    assert detail["closest"] == "conv_output_shape" and detail["given"] == "conv_outptu_shape"
    assert detail["allowed"] == families.names() and set(detail["allowed"]) == FAMILY_FILES
    assert len(detail["allowed"]) == len(FAMILY_FILES)  # no name twice
    assert "did you mean 'conv_output_shape'?" in r.json["message"]


def test_unknown_level_is_422_with_the_closest(client, student):
    r = client.post("/api/v1/problems", json={"family": "dropout", "level": "hrad"},
                    headers=student.headers)
    assert r.status_code == 422
    detail = r.json["errors"]["json"]["level"]
    assert detail["closest"] == "hard" and detail["allowed"] == ["easy", "medium", "hard"]
    assert "level" in r.json["message"] and "'hard'" in r.json["message"]


def test_a_name_far_from_every_family_gets_no_guess(client, student):
    r = client.post("/api/v1/problems", json={"family": "zzzz"}, headers=student.headers)
    assert r.status_code == 422 and r.json["errors"]["json"]["family"]["closest"] is None
    assert "did you mean" not in r.json["message"]


def test_case_and_surrounding_space_are_ignored(client, student):
    plain = client.post("/api/v1/problems", json={"family": "conv_output_shape",
                                                  "level": "medium", "seed": 5},
                        headers=student.headers)
    loose = client.post("/api/v1/problems", json={"family": "  Conv_Output_SHAPE ",
                                                  "level": " Medium", "seed": 5},
                        headers=student.headers)
    assert plain.status_code == loose.status_code == 201
    assert loose.json["family"] == "conv_output_shape" and loose.json["level"] == "medium"
    assert loose.json["prompt"] == plain.json["prompt"]  # the same variant, not a new stream


def test_family_page_forgives_case_and_suggests(client, student):
    assert client.get("/api/v1/families/Dropout", headers=student.headers).json["name"] == \
        "dropout"
    r = client.get("/api/v1/families/dropuot", headers=student.headers)
    assert r.status_code == 404 and r.json["errors"]["closest"] == "dropout"
    assert "/api/v1" not in r.json["message"]  # the same words serve the CLI


def test_bank_items_are_checked_the_same_way(client, instructor):
    r = client.post("/api/v1/banks", json={"title": "t", "items": [{"family": "DROPOUT",
                                                                    "level": "Hard"}]},
                    headers=instructor.headers)
    assert r.status_code == 201
    assert r.json["items"][0]["family"] == "dropout" and r.json["items"][0]["level"] == "hard"
    r = client.post("/api/v1/banks", json={"title": "t", "items": [{"family": "droput"}]},
                    headers=instructor.headers)
    assert r.status_code == 422
    assert r.json["errors"]["json"]["items"]["0"]["family"]["closest"] == "dropout"
    assert "items.0.family" in r.json["message"]


# -- contradictory bank items -------------------------------------------------------------

def test_count_contradicting_seeds_is_refused(client, instructor):
    r = client.post("/api/v1/banks", json={"title": "t", "items": [
        {"family": "dropout", "count": 2, "seeds": [1]}]}, headers=instructor.headers)
    assert r.status_code == 422
    assert "count is 2 but 1 seed" in r.json["errors"]["json"]["items"]["0"]["count"][0]


@pytest.mark.parametrize("item", [{"family": "dropout", "seeds": [1, 2]},
                                  {"family": "dropout", "count": 2, "seeds": [1, 2]},
                                  {"family": "dropout", "count": 2}])
def test_count_or_seeds_or_both_agreeing_are_accepted(client, instructor, item):
    r = client.post("/api/v1/banks", json={"title": "t", "items": [item]},
                    headers=instructor.headers)
    assert r.status_code == 201 and r.json["size"] == 2


# -- rosters that cannot be read ----------------------------------------------------------

def post_roster(client, who, data: bytes | str):  # noqa: ANN001, ANN201
    return client.post("/api/v1/users/roster", data=data,
                       headers={**who.headers, "Content-Type": "text/csv"})


@pytest.mark.parametrize("body, words", [
    ("", "empty"),
    ("  \n\n", "empty"),
    # What `curl -d @roster.csv` sends: the newlines stripped, one header line and no rows.
    ("name,email,sis_user_idAda Lovelace,ada@example.edu,1001", "--data-binary"),
    ("name,email\n", "no student lines"),
    ("name\nAda\n", "email"),
    (b"email\n\xe9mile@example.edu\n", "not UTF-8"),
])
def test_unreadable_rosters_are_422_with_the_reason(app, client, instructor, body, words):
    r = post_roster(client, instructor, body)
    assert r.status_code == 422 and set(r.json) == SHAPE, r.json
    assert words in r.json["message"]
    from sqlalchemy import func, select

    from quizsvc.extensions import db
    from quizsvc.store.models import User

    with app.app_context():  # nobody was created
        assert db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.role == "student")) == 0


# -- Retry-After only where waiting helps -------------------------------------------------

def test_retry_after_only_on_429_and_503(database_url):
    from tests.hardening.conftest import bearer, make_app, new_account

    app = make_app(database_url, RATELIMIT_TESTING=True, RATELIMIT_DEFAULT="3 per minute")
    _, token = new_account(app, "student", "a@example.edu")
    client = app.test_client()
    answers = [client.get("/api/v1/me", headers=bearer(token)),
               client.get("/api/v1/problems/999", headers=bearer(token)),
               client.post("/api/v1/problems", json={"family": "nope"}, headers=bearer(token)),
               client.get("/api/v1/me", headers=bearer(token))]
    assert [r.status_code for r in answers] == [200, 404, 422, 429]
    for r in answers[:3]:
        assert "Retry-After" not in r.headers and r.headers["X-RateLimit-Limit"] == "3"
    assert int(answers[3].headers["Retry-After"]) > 0


def test_retry_after_on_503(raising_app):
    r = raising_app.test_client().get("/_test/db-down")
    assert r.status_code == 503 and set(r.json) == SHAPE and int(r.headers["Retry-After"]) > 0
