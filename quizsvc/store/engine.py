"""Building engines: SQLite gets foreign keys, WAL and a patient busy timeout."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError

CONNECT_TIMEOUT = 3  # seconds to reach the PostgreSQL server
POOL_TIMEOUT = 5  # seconds a request waits for a free pooled connection
# A pooled connection idle for longer than this is pinged before use (see `_ping_if_idle`).
PING_AFTER_IDLE = 1.0


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Return an engine for `url`, tuned for a small web service."""
    from quizsvc.config import database_url

    url = database_url(url)  # postgres:// as hosting services write it
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if make_url(url).get_backend_name() == "sqlite":
        # Writers queue instead of failing at once: a request may wait this long for the lock.
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Fail fast in an outage: a server that does not answer costs at most connect_timeout
    # seconds, and a request waits at most pool_timeout seconds for a pooled connection.
    kwargs.update(pool_size=5, max_overflow=10, pool_timeout=POOL_TIMEOUT,
                  connect_args={"connect_timeout": CONNECT_TIMEOUT})
    try:
        engine = create_engine(url, **kwargs)
    except ImportError as exc:  # a dialect whose driver we do not install (mysql://, ...)
        raise ArgumentError(f"no database driver for {make_url(url).drivername!r}") from exc
    event.listen(engine.pool, "checkin", _note_checkin)
    event.listen(engine.pool, "checkout", _ping_if_idle)
    return engine


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a pooled connection that has been idle, before a request uses it.

    SQLAlchemy's `pool_pre_ping` pings on every checkout: one more round trip for
    every request, a seventh of a graded attempt's (bench/RESULTS.md). A connection
    handed back a moment ago by the previous request has no time to go stale; one that
    sat in the pool may have been closed by the server, a restart or a proxy, so it is
    pinged, and a failed ping makes the pool connect anew (DisconnectionError: SQLAlchemy's
    documented custom ping). A connection that breaks while in use raises a disconnect
    error, which makes SQLAlchemy invalidate the whole pool, and that request answers 503.
    """
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
        return  # new (just connected) or handed back just now
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means: connect anew
        raise DisconnectionError(f"pooled connection failed its ping: {exc}") from exc
    finally:
        try:
            cursor.close()
        except Exception:  # noqa: BLE001, S110 - a dead connection may refuse even this
            pass


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers go on while one request writes; it persists in the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
