"""Every kind of database outage answers 503 at once in our error shape; other database
errors keep their own answers (422 for values out of range, 500 for our bugs)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from quizsvc.store import engine as engine_module
from quizsvc.store.engine import CONNECT_TIMEOUT, POOL_TIMEOUT, make_engine
from tests.conftest import TEST_POSTGRES_URL, requires_postgres
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


def test_postgres_engine_fails_fast():
    engine = make_engine("postgresql+psycopg://quiz@127.0.0.1:5432/quiz")
    assert engine.pool._timeout == POOL_TIMEOUT  # noqa: SLF001 - no public accessor
    assert CONNECT_TIMEOUT <= 3 and POOL_TIMEOUT <= 5
    engine.dispose()


def _backend_pid(engine) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _terminate(pid: int) -> None:
    killer = make_engine(TEST_POSTGRES_URL)
    with killer.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar_one()
    killer.dispose()
    time.sleep(0.2)


@requires_postgres
def test_an_idle_pooled_connection_the_server_closed_is_replaced_before_use(monkeypatch):
    """Pinged after PING_AFTER_IDLE in the pool: a dead one is dropped, the request never sees it."""
    engine = make_engine(TEST_POSTGRES_URL)
    first = _backend_pid(engine)
    _terminate(first)
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE", 0.0)  # as if it sat idle a while
    second = _backend_pid(engine)  # no error: the ping failed, the pool connected anew
    assert second != first
    engine.dispose()


@requires_postgres
def test_a_connection_that_dies_between_busy_requests_costs_one_503_then_the_pool_recovers(
        monkeypatch):
    """Not pinged when handed back a moment ago: the first statement finds it dead (an outage
    answer, 503), SQLAlchemy invalidates the pool, and the next request connects anew."""
    engine = make_engine(TEST_POSTGRES_URL)
    first = _backend_pid(engine)
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE", 3600.0)
    _terminate(first)
    with pytest.raises(DBAPIError) as caught:
        _backend_pid(engine)
    assert caught.value.connection_invalidated  # which quizsvc.web.outage answers with 503
    assert _backend_pid(engine) != first
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
