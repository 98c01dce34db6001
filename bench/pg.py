"""Throwaway PostgreSQL databases, created beside the one the bench connects to."""

from __future__ import annotations

import contextlib
import os
import secrets
from typing import Iterator

from sqlalchemy.engine import make_url

from bench.common import Skip


def _admin(url: str):
    try:
        import psycopg
    except ImportError:
        raise Skip("psycopg is not installed") from None
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        raise Skip(f"PostgreSQL is not reachable at {url}: {str(exc).strip()[:200]}") from None


@contextlib.contextmanager
def throwaway_database(admin_url: str, purpose: str) -> Iterator[str]:
    """Create a fresh database; yield its SQLAlchemy URL (psycopg 3); drop it afterwards."""
    name = f"quizsvc_bench_{purpose}_{os.getpid()}_{secrets.token_hex(3)}"
    with _admin(admin_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with _admin(admin_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
