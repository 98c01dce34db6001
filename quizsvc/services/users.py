"""Users and their API tokens (stored as SHA-256 hashes, shown once)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import itertools
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from quizsvc.errors import NotFoundError, ParamError, TooLargeError
from quizsvc.services.errors import AuthenticationError, ConflictError, PermissionDenied
from quizsvc.store.models import ROLES, ApiToken, User
from quizsvc.store.types import utcnow

TOKEN_PREFIX = "qz_"
MAX_ROSTER_ROWS = 2000


def hash_token(text: str) -> str:
    """Return the hex SHA-256 of a token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(text.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for `user`; return it and its text, which is never stored."""
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)  # 256 bits
    token = ApiToken(user=user, token_hash=hash_token(text), hint=text[:10], name=name[:100])
    session.add(token)
    session.flush()
    return token, text


def user_for_token(session: Session, text: str | None) -> User:
    """Return the active user a bearer token belongs to, or raise AuthenticationError."""
    if not text:
        raise AuthenticationError("missing API token: send `Authorization: Bearer <token>`")
    if len(text) > 200:
        raise AuthenticationError("invalid API token")
    digest = hash_token(text)
    # joinedload: the token and its user in one query (every request authenticates).
    token = session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                           .where(ApiToken.token_hash == digest))
    # The lookup is by hash (a unique index); compare_digest keeps the final check constant-time.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        raise AuthenticationError("invalid API token")
    if token.revoked_at is not None or (token.expires_at is not None
                                        and token.expires_at <= utcnow()):
        raise AuthenticationError("this API token has been revoked or has expired")
    if not token.user.active:
        raise AuthenticationError("this account is deactivated")
    return token.user


def revoke_token(session: Session, actor: User, token_id: int) -> ApiToken:
    """Revoke a token of the actor's own, or any token for an admin."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError(f"no token with id {token_id}")
    if actor.role != "admin" and token.user_id != actor.id and not _manages(actor, token.user):
        raise PermissionDenied("you may revoke only your own tokens or your students' tokens")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def _manages(actor: User, user: User) -> bool:
    """May `actor` administer `user` (create tokens, see the account)?"""
    return actor.role == "admin" or (actor.role == "instructor" and user.role == "student")


def create_user(session: Session, actor: User | None, *, role: str = "student", name: str = "",
                email: str | None = None, sis_user_id: str | None = None) -> User:
    """Create a user; instructors may create students only (`actor` None: the CLI)."""
    if role not in ROLES:
        raise ParamError(f"role must be one of {', '.join(ROLES)}", errors={"role": "unknown role"})
    if actor is not None and actor.role != "admin" and role != "student":
        raise PermissionDenied("instructors may create student accounts only")
    email = _clean_email(email)
    if email and session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ConflictError(f"a user with the email {email} already exists",
                            errors={"email": "already taken"})
    user = User(role=role, name=(name or "").strip()[:200], email=email,
                sis_user_id=(sis_user_id or "").strip()[:100] or None,
                created_by_id=actor.id if actor else None)
    session.add(user)
    session.flush()
    return user


def _clean_email(email: str | None) -> str | None:
    email = (email or "").strip().lower()
    if not email:
        return None
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
        raise ParamError(f"{email!r} is not an email address", errors={"email": "invalid"})
    return email


@dataclass
class RosterRow:
    """One line of a roster import: the user, whether it was new, and a new token."""

    user: User
    created: bool
    token: str | None = None


def import_roster(session: Session, actor: User, text: str, *,
                  issue_tokens: bool = False) -> list[RosterRow]:
    """Create students from CSV with a header (name, email, sis_user_id; email required).

    Rows whose email already exists are matched, not duplicated, so a roster
    can be uploaded again after students join. All rows or none are imported.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ParamError("the roster is empty: send a CSV header line (email, and optionally "
                         "name and sis_user_id) and one line per student", errors={"csv": "empty"})
    # newline="": the csv module's own line handling (a bare \r ends a line; \r\n in quotes stays).
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if "email" not in header:
            raise ParamError("the roster needs a header line with an `email` column (and "
                             "optionally `name` and `sis_user_id`)", errors={"csv": "no email column"})
        records = list(itertools.islice(reader, MAX_ROSTER_ROWS + 1))  # count before creating anyone
    except csv.Error as exc:
        raise ParamError(f"the roster is not valid CSV (line {reader.line_num}: {exc})",
                         errors={"csv": "not valid CSV"}) from None
    if not records:
        # One line only: most often a file sent with `curl -d @file`, which strips newlines.
        raise ParamError("the roster has a header line but no student lines below it; if you "
                         "sent a file with curl, use --data-binary @file (-d strips newlines)",
                         errors={"csv": "no rows", "header": header})
    rows: list[RosterRow] = []
    errors: dict[str, str] = {}
    seen: set[str] = set()
    if len(records) > MAX_ROSTER_ROWS:
        raise TooLargeError(f"a roster may have at most {MAX_ROSTER_ROWS} rows; split it",
                            errors={"csv": "too many rows"})
    for n, raw in enumerate(records, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        try:
            email = _clean_email(row.get("email"))
        except ParamError as exc:
            errors[f"line {n}"] = exc.message
            continue
        if not email:
            errors[f"line {n}"] = "no email"
            continue
        if email in seen:
            errors[f"line {n}"] = f"{email} appears twice"
            continue
        seen.add(email)
        user = session.scalar(select(User).where(User.email == email))  # stored lower-case
        created = user is None
        if user is None:
            user = create_user(session, actor, role="student", name=row.get("name", ""),
                               email=email, sis_user_id=row.get("sis_user_id"))
        rows.append(RosterRow(user, created))
    if errors:
        raise ParamError(f"the roster has {len(errors)} bad line(s); nothing was imported",
                         errors=errors)
    if issue_tokens:
        for r in rows:
            if r.created:
                r.token = issue_token(session, r.user, "roster")[1]
    return rows


def get_user(session: Session, actor: User, user_id: int) -> User:
    """Return a user `actor` may see: themselves, or whom they manage."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user with id {user_id}")
    if user.id != actor.id and not _manages(actor, user):
        raise PermissionDenied("you may not see this user")
    return user


def list_users(session: Session, actor: User, role: str | None = None) -> list[User]:
    """Return the users `actor` manages (all for an admin, students for an instructor)."""
    query = select(User).order_by(User.id)
    if actor.role != "admin":
        query = query.where(User.role == "student")
    if role:
        query = query.where(User.role == role)
    return list(session.scalars(query))


def issue_token_for(session: Session, actor: User, user_id: int, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token for `user_id` if `actor` is that user or manages them."""
    user = get_user(session, actor, user_id)
    return issue_token(session, user, name)
