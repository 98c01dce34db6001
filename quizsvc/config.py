"""Configuration: one class that reads `QUIZSVC_*` environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PREFIX = "QUIZSVC_"


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings with their defaults; each can be overridden by `QUIZSVC_<NAME>`.

    `DATABASE_URL` defaults to an SQLite file in the instance folder, and
    `SECRET_KEY` to a random key generated on first run and kept in
    ``instance/secret_key`` so that tokens and bank variants survive restarts.
    """

    DATABASE_URL: str = ""  # "" means sqlite:///<instance>/quizsvc.sqlite3
    SECRET_KEY: str = ""  # "" means read or create <instance>/secret_key
    MAX_CONTENT_LENGTH: int = 256 * 1024  # bytes; larger requests get 413
    SCHEMA_CHECK: bool = True  # refuse to serve on a schema behind the migrations
    SQL_ECHO: bool = False
    DEFAULT_PAGE_SIZE: int = 50
    MAX_PAGE_SIZE: int = 500
    # Ad hoc practice problems (POST /problems): attempts allowed, and when the key shows.
    PRACTICE_MAX_ATTEMPTS: int = 3
    PRACTICE_SHOW_KEY: str = "after_correct_or_last_attempt"
    # Hardening (quizsvc/web/security.py, limits.py; docs/reliability.md).
    CORS_ORIGINS: str = ""  # comma-separated origins allowed to call the API; "": CORS off
    RATELIMIT_ENABLED: bool = True
    RATELIMIT_DEFAULT: str = "600 per minute"  # per token (per address without one)
    RATELIMIT_ATTEMPTS: str = "60 per minute"  # answers submitted, per token
    RATELIMIT_STORAGE_URL: str = ""  # e.g. redis://127.0.0.1:6379/0; "": REDIS_URL, else memory
    REDIS_URL: str = ""
    # Browser pages (quizsvc/services/accounts.py, quizsvc/web/pages.py; README "Pages").
    GUEST_TTL_DAYS: int = 30  # a guest and their attempts are deleted after this long idle
    GUEST_MAX: int = 20000  # guests at once; beyond, new visitors are asked to come back later
    GUEST_MAX_PROBLEMS: int = 500  # problems one guest may hold; beyond, sign up to go on
    GUEST_RATE: str = "30 per hour"  # new guests per client address
    LOGIN_RATE: str = "10 per minute; 100 per day"  # sign-in and sign-up tries per address
    LOGIN_RATE_EMAIL: str = "5 per minute; 50 per day"  # sign-in tries per email

    @classmethod
    def load(cls, instance_path: str | os.PathLike[str],
             overrides: dict[str, Any] | None = None,
             environ: dict[str, str] | None = None) -> dict[str, Any]:
        """Return the settings: defaults, then the environment, then `overrides`."""
        env = os.environ if environ is None else environ
        out: dict[str, Any] = {}
        for name, default in vars(cls).items():
            if not name.isupper():
                continue
            value: Any = default
            raw = env.get(PREFIX + name)
            if raw is not None:
                kind = type(default)
                value = _bool(raw) if kind is bool else kind(raw)
            out[name] = value
        out.update(overrides or {})
        instance = Path(instance_path)
        if not out["DATABASE_URL"]:
            instance.mkdir(parents=True, exist_ok=True)
            out["DATABASE_URL"] = f"sqlite:///{instance / 'quizsvc.sqlite3'}"
        if not out["SECRET_KEY"]:
            out["SECRET_KEY"] = load_or_create_secret(instance / "secret_key")
        return out


def load_or_create_secret(path: Path) -> str:
    """Return the key stored at `path`, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Write a private temporary file, then link it into place: link() fails if another
    # worker got there first, and then everyone uses that worker's complete key.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        key = path.read_text().strip()
    finally:
        tmp.unlink()
    return key
