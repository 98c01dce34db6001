"""Extensions, created unbound here and bound to an app in `create_app`."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from flask_smorest import Api as _Api
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from quizsvc.store.engine import make_engine


class Database:
    """One engine and session factory per app; one session per request.

    Services take a `Session` argument and never import Flask; views get it
    from `db.session`, which is closed when the request's app context ends.
    """

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"])
        app.extensions["quizsvc.db"] = {
            "engine": engine,
            "sessionmaker": sessionmaker(engine, expire_on_commit=False),
        }
        app.teardown_appcontext(self._close)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["quizsvc.db"]["engine"]

    @property
    def sessionmaker(self) -> sessionmaker[Session]:
        return current_app.extensions["quizsvc.db"]["sessionmaker"]

    @property
    def session(self) -> Session:
        """Return this request's session, opening it on first use."""
        if "db_session" not in g:
            g.db_session = self.sessionmaker()
        return g.db_session

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            try:
                session.close()  # rolls back whatever a failed request left uncommitted
            except DBAPIError:
                # The database went away after the answer was made: the rollback cannot reach
                # it. Drop the connection (the pool connects anew) rather than turn the
                # answer into gunicorn's HTML 500.
                session.invalidate()
                current_app.logger.warning("database connection lost at the end of a request")


class Api(_Api):
    """flask-smorest's Api, with our one JSON error shape for every HTTP error."""

    def handle_http_exception(self, error: Any) -> Any:  # noqa: ANN401 - werkzeug's type
        from quizsvc.api.errors import http_error_response

        return http_error_response(error)

    def _openapi_json(self) -> Any:  # noqa: ANN401 - a Flask response
        """Serve the document with what flask-smorest cannot infer (quizsvc/api/openapi.py)."""
        from flask import json

        from quizsvc.api.openapi import finish

        return current_app.response_class(
            json.dumps(finish(self.spec.to_dict(), current_app), indent=2, sort_keys=False),
            mimetype="application/json")


db = Database()
# flask-smorest's Api keeps one app and one spec, so `create_app` makes one per app.
