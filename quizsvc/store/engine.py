"""Building engines: SQLite gets foreign keys, WAL and a patient busy timeout."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

CONNECT_TIMEOUT = 3  # seconds to reach the PostgreSQL server
POOL_TIMEOUT = 5  # seconds a request waits for a free pooled connection


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
    kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=POOL_TIMEOUT,
                  connect_args={"connect_timeout": CONNECT_TIMEOUT})
    try:
        return create_engine(url, **kwargs)
    except ImportError as exc:  # a dialect whose driver we do not install (mysql://, ...)
        raise ArgumentError(f"no database driver for {make_url(url).drivername!r}") from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers go on while one request writes; it persists in the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
