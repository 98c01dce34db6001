"""Database problems told in one line: what is wrong with QUIZSVC_DATABASE_URL, and what to do.

The CLI prints these instead of a traceback and the readiness probe answers
with them; the URL is shown without its password.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

URL_HELP = "write sqlite:///path/to/file.sqlite3 or postgresql+psycopg://user@host:5432/dbname"


def safe_url(url: str) -> str:
    """Return `url` without its password (the text itself if it is not a URL)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def explain(error: BaseException, url: str) -> str:
    """Return one line saying why the database at `url` cannot be used, and what to do."""
    shown = safe_url(url)
    if isinstance(error, ArgumentError):
        return (f"QUIZSVC_DATABASE_URL {shown!r} is not a database URL quizsvc can use: "
                f"{URL_HELP}")
    detail = str(getattr(error, "orig", None) or error).strip()
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"QUIZSVC_DATABASE_URL {shown!r} is not a URL: {URL_HELP}"
    if parsed.get_backend_name() == "sqlite":
        if "unable to open database file" in detail:
            return (f"cannot open the SQLite file {parsed.database!r}: its folder does not exist "
                    "or is not writable; create the folder or fix QUIZSVC_DATABASE_URL")
        return f"the SQLite database {parsed.database!r} cannot be used: {_first_line(detail)}"
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    if m := re.search(r'database "([^"]+)" does not exist', detail):
        return (f"the PostgreSQL server at {where} has no database {m.group(1)!r}: create it "
                f"(createdb -h {parsed.host or 'localhost'} -U {parsed.username or 'postgres'} "
                f"{m.group(1)}) or fix QUIZSVC_DATABASE_URL")
    if m := re.search(r'role "([^"]+)" does not exist', detail):
        return (f"the PostgreSQL server at {where} has no user {m.group(1)!r}: "
                "fix QUIZSVC_DATABASE_URL")
    if "password authentication failed" in detail or "no password supplied" in detail:
        return (f"the PostgreSQL server at {where} refused the password of user "
                f"{parsed.username!r}: fix QUIZSVC_DATABASE_URL")
    if "Connection refused" in detail or "timeout expired" in detail:
        return (f"no PostgreSQL database server answers at {where}: start it, or fix the host "
                "and port in QUIZSVC_DATABASE_URL")
    if "failed to resolve host" in detail or "could not translate host name" in detail:
        return (f"the database host {parsed.host!r} is unknown: fix QUIZSVC_DATABASE_URL "
                f"({shown})")
    if isinstance(error, DBAPIError):
        return f"the database at {shown} cannot be used: {_first_line(detail)}"
    return f"the database at {shown} cannot be used ({type(error).__name__}: {_first_line(detail)})"


def _first_line(text: str) -> str:
    for prefix in ("connection failed: ",):
        text = text.removeprefix(prefix)
    line = text.splitlines()[0] if text else ""
    return re.sub(r"^connection to server at [^:]+ failed: (FATAL:\s+)?", "", line).strip()
