"""Database outages: answer 503 at once, with a clear body, and recover without a restart.

`quizsvc.api.errors` already answers 503 to `OperationalError` (the server
refused or dropped the connection, SQLite is locked). This adds the other
ways an outage reaches a view:

- `InterfaceError`, or any DBAPI error SQLAlchemy marks `connection_invalidated`
  (the connection died under a query);
- `sqlalchemy.exc.TimeoutError`: every pooled connection is busy, or
  stuck connecting to a server that does not answer.

Recovery needs nothing from us: the engine pings each pooled connection
before lending it (`pool_pre_ping`), drops the dead ones and connects anew,
and the request's session is closed (rolled back) at the end of the request
whatever happened, so a transaction cut by the outage leaves no half rows.
How fast a request fails is bounded by the engine's `connect_timeout` and
`pool_timeout` (quizsvc/store/engine.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

MESSAGE = "The database is unavailable or busy; try again shortly."
RETRY_AFTER = "5"


def is_outage(error: BaseException) -> bool:
    """Is `error` the database being unreachable (rather than a bad query or our bug)?"""
    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def unavailable(error: Exception) -> Any:  # noqa: ANN401 - a Flask response
    """Answer 503 for an outage; anything else is an unexpected error (500)."""
    from quizsvc.api.errors import error_response, unexpected_error_response

    if not is_outage(error):
        return unexpected_error_response(error)
    current_app.logger.error("database unavailable: %s", type(error).__name__)
    return error_response(503, MESSAGE, errors={"database": "unavailable"},
                          headers={"Retry-After": RETRY_AFTER})


def install(app: Flask) -> None:
    """Answer 503 to every kind of database outage."""
    app.register_error_handler(DBAPIError, unavailable)  # OperationalError keeps its own handler
    app.register_error_handler(PoolTimeout, unavailable)
