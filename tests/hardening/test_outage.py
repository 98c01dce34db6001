"""Every kind of database outage answers 503 at once in our error shape; other database
errors keep their own answers (422 for values out of range, 500 for our bugs)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from quizsvc.store.engine import CONNECT_TIMEOUT, POOL_TIMEOUT, make_engine
from tests.hardening.conftest import bearer, make_app
from tests.hardening.servers import free_port

SHAPE = {"code", "status", "message", "errors"}


class _Orig(Exception):
    pass


ERRORS = {
    "operational": (OperationalError("SELECT 1", {}, _Orig("server closed the connection")), 503),
    "interface": (InterfaceError("SELECT 1", {}, _Orig("connection already closed")), 503),
    "invalidated": (DBAPIError("SELECT 1", {}, _Orig("terminating connection"),
                               connection_invalidated=True), 503),
    "pool timeout": (PoolTimeout("QueuePool limit of size 5 overflow 10 reached"), 503),
    "data": (DataError("INSERT", {}, _Orig("integer out of range")), 422),
    "overflow": (OverflowError("Python int too large to convert to SQLite INTEGER"), 422),
    "integrity": (IntegrityError("INSERT", {}, _Orig("duplicate key")), 500),
}


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_database_errors_map_to_their_answers(database_url, kind):
    app = make_app(database_url)
    error, status = ERRORS[kind]

    @app.route("/_test/raise")
    def _raise():  # noqa: ANN202
        raise error

    r = app.test_client().get("/_test/raise")
    assert r.status_code == status and set(r.json) == SHAPE
    if status == 503:
        assert r.json["message"] == "The database is unavailable or busy; try again shortly."
        assert r.headers["Retry-After"] == "5"
    body = r.get_data(as_text=True)
    assert "SELECT" not in body and "INSERT" not in body and "_Orig" not in body


def test_postgres_engine_fails_fast_and_pings_its_connections():
    engine = make_engine("postgresql+psycopg://quiz@127.0.0.1:5432/quiz")
    assert engine.pool._pre_ping is True  # noqa: SLF001 - no public accessor
    assert engine.pool._timeout == POOL_TIMEOUT  # noqa: SLF001
    assert CONNECT_TIMEOUT <= 3 and POOL_TIMEOUT <= 5
    engine.dispose()


def test_no_database_server_is_a_fast_503(tmp_path):
    """Nothing listens where the database should be: every request answers 503 at once."""
    port = free_port()  # closed: nothing listens on it
    app = make_app(f"postgresql+psycopg://quiz@127.0.0.1:{port}/quiz", SCHEMA_CHECK=True)
    client = app.test_client()
    for path, headers in (("/api/v1/me", bearer("qz_" + "a" * 43)), ("/readyz", {}),
                          ("/api/v1/families", bearer("qz_" + "b" * 43))):
        started = time.perf_counter()
        r = client.get(path, headers=headers)
        assert time.perf_counter() - started < 5.0  # fails fast, never hangs (a guard, not a speed test)
        assert r.status_code == 503 and set(r.json) == SHAPE, (path, r.json)
        assert "database" in r.json["message"]
    assert client.get("/healthz").status_code == 200  # liveness does not need the database
    app.extensions["quizsvc.db"]["engine"].dispose()
