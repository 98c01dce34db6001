"""Input bounds that hold for every route: ids, path segments, JSON nesting, numbers.

Each limit refuses a request before the service allocates anything for it:

- integer path parameters (ids) are at most 2**31 - 1, the range of the
  ``integer`` columns they are looked up in: a larger id is a 404 from the
  router, not an overflow in the database driver (a 500);
- other path segments are at most 200 characters;
- a JSON body may nest at most 32 levels, checked on its bytes before any view
  parses it (Python's parser raises RecursionError at about 1000 levels, and
  webargs parses bodies with it, outside Flask's JSON provider);
- a number the database cannot store (an overflow found by the driver) is a
  422 that names the problem, whichever route it came through.

The body size itself is bounded by MAX_CONTENT_LENGTH (Flask answers 413).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy.exc import DataError
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter

MAX_ID = 2**31 - 1  # PostgreSQL `integer`
MAX_SEGMENT = 200  # characters in a string path parameter
MAX_JSON_DEPTH = 32

__all__ = ["MAX_ID", "MAX_SEGMENT", "MAX_JSON_DEPTH", "register_converters", "install",
           "json_depth"]


class IdConverter(IntegerConverter):
    """`<int:...>` with a ceiling: ids beyond MAX_ID match no route (404)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


class SegmentConverter(UnicodeConverter):
    """`<name>` with a default ceiling of MAX_SEGMENT characters."""

    def __init__(self, map: Map, minlength: int = 1, maxlength: int | None = MAX_SEGMENT,
                 length: int | None = None) -> None:
        super().__init__(map, minlength, maxlength, length)


def register_converters(app: Flask) -> None:
    """Bound `<int:...>` and `<name>` path parameters (call before registering blueprints).

    flask-smorest documents the bounds (``maximum``, ``maxLength``) from the
    converters, so the OpenAPI document states them too.
    """
    app.url_map.converters.update(int=IdConverter, default=SegmentConverter,
                                  string=SegmentConverter)


# An escape pair (so an escaped quote is skipped), a quote or a bracket.
_JSON_TOKEN = re.compile(rb'\\.|["\[\]{}]', re.S)


def json_depth(body: bytes, stop: int = MAX_JSON_DEPTH) -> int:
    """Return how deeply arrays and objects nest in a JSON text (0 for a scalar).

    Reads quotes and brackets only, without parsing, in one pass (no regex
    backtracking), so that a body too deep for Python's parser is measured
    rather than crashing it. Stops counting once the depth passes `stop`.
    """
    depth = deepest = 0
    in_string = False
    for match in _JSON_TOKEN.finditer(body):
        token = match.group()
        if len(token) == 2:  # \x: only inside strings, where it may hide a quote
            continue
        if token == b'"':
            in_string = not in_string
        elif in_string:
            continue
        elif token in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop:
                    break
        else:
            depth -= 1
    return deepest


def _check_json_depth() -> None:
    """Refuse JSON bodies nested deeper than MAX_JSON_DEPTH before any view parses them."""
    if not request.is_json:
        return
    body = request.get_data(cache=True)  # at most MAX_CONTENT_LENGTH bytes
    if body and json_depth(body) > MAX_JSON_DEPTH:
        from quizsvc.errors import QuizError

        raise QuizError(f"the JSON body nests more than {MAX_JSON_DEPTH} levels deep",
                        errors={"json": "nested too deeply"}, status=400)


def _out_of_range(error: Exception) -> Any:  # noqa: ANN401 - a Flask response
    from quizsvc.api.errors import error_response

    return error_response(422, "A number in the request is out of range (ids and counts fit "
                               f"in 32 bits, at most {MAX_ID}).",
                          errors={"number": "out of range"})


def _data_error(error: DataError) -> Any:  # noqa: ANN401 - a Flask response
    """The database refused a value (too large a number, too long a string): the client's fault."""
    from quizsvc.api.errors import error_response

    current_app.logger.warning("database refused a value: %s", type(error.orig).__name__)
    return error_response(422, "A value in the request does not fit the database (a number out "
                               "of range or a text too long).",
                          errors={"value": "out of range or too long"})


def install(app: Flask) -> None:
    """Bound JSON nesting and answer 422 to numbers the database cannot hold."""
    app.before_request(_check_json_depth)
    # SQLite's driver raises OverflowError for ints beyond 64 bits; PostgreSQL's a DataError.
    app.register_error_handler(OverflowError, _out_of_range)
    app.register_error_handler(DataError, _data_error)
