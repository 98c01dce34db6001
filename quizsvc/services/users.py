"""Users and their API tokens (stored as SHA-256 hashes, shown once).

Who may see an account and obtain credentials for it is `services/access.py`;
claim codes are `services/claims.py`.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import itertools
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizsvc.errors import NotFoundError, ParamError, TooLargeError
from quizsvc.services import access
from quizsvc.services.errors import AuthenticationError, ConflictError, PermissionDenied
from quizsvc.store import rows
from quizsvc.store.audit import log
from quizsvc.store.courses import Course, Enrollment
from quizsvc.store.models import ROLES, ApiToken, User
from quizsvc.store.types import utcnow

TOKEN_PREFIX = "qz_"
MAX_ROSTER_ROWS = 2000


def hash_token(text: str) -> str:
    """Return the hex SHA-256 of a token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(text.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str = "", *,
                issued_by: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it and its text, which is never stored.

    `issued_by`: who asked for it when not `user` (recorded, and in the audit log).
    """
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)  # 256 bits
    foreign = issued_by is not None and issued_by.id != user.id
    token = ApiToken(user=user, token_hash=hash_token(text), hint=text[:10], name=name[:100],
                     issued_by_id=issued_by.id if foreign else None)
    session.add(token)
    session.flush()
    if foreign:
        log(session, issued_by, "credential.issue", "user", user.id,
            {"token_id": token.id, "name": token.name})
    return token, text


def user_for_token(session: Session, text: str | None, problem_id: int | None = None) -> User:
    """Return the active user a bearer token belongs to, or raise AuthenticationError.

    `problem_id`: read that problem in the same statement (see `rows.token_user`).
    """
    if not text:
        raise AuthenticationError("missing API token: send `Authorization: Bearer <token>`")
    if len(text) > 200:
        raise AuthenticationError("invalid API token")
    digest = hash_token(text)
    # One Core statement, token and user (every request authenticates): see quizsvc/store/rows.py.
    found = rows.token_user(session, digest, problem_id)
    # The lookup is by hash (a unique index); compare_digest keeps the final check constant-time.
    if found is None or not hmac.compare_digest(found[1].t_hash, digest):
        raise AuthenticationError("invalid API token")
    user, token = found
    if token.t_revoked is not None or (token.t_expires is not None
                                       and token.t_expires <= utcnow()):
        raise AuthenticationError("this API token has been revoked or has expired")
    if not user.active:
        raise AuthenticationError("this account is deactivated")
    return user


def revoke_token(session: Session, actor: User, token_id: int) -> ApiToken:
    """Revoke a token of the actor's own, or of someone whose account they may see."""
    token = session.get(ApiToken, token_id)
    if token is None or not access.can_see_user(session, actor, token.user):
        raise NotFoundError(f"no token with id {token_id}")
    if token.user_id != actor.id and not access.is_admin(actor) \
            and not access.can_act_for(session, actor, token.user) \
            and token.issued_by_id != actor.id:
        raise PermissionDenied("this account is its owner's: only they (or an admin) manage "
                               "its tokens")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        if token.user_id != actor.id:
            log(session, actor, "credential.revoke", "user", token.user_id,
                {"token_id": token.id})
    return token


def create_user(session: Session, actor: User | None, *, role: str = "student", name: str = "",
                email: str | None = None, sis_user_id: str | None = None,
                course: Course | None = None) -> User:
    """Create a user; instructors may create students only (`actor` None: the CLI).

    An account someone else creates is unclaimed until its owner claims it
    (`services/claims.py`); with `course`, it is enrolled there as a student.
    """
    if role not in ROLES:
        raise ParamError(f"role must be one of {', '.join(ROLES)}", errors={"role": "unknown role"})
    if actor is not None and actor.role != "admin" and role != "student":
        raise PermissionDenied("instructors may create student accounts only")
    email = clean_email(email)
    if email and session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ConflictError(f"a user with the email {email} already exists",
                            errors={"email": "already taken"})
    user = User(role=role, name=(name or "").strip()[:200], email=email,
                sis_user_id=(sis_user_id or "").strip()[:100] or None,
                created_by_id=actor.id if actor else None,
                claimed_at=None if actor else utcnow())
    session.add(user)
    session.flush()
    if actor is not None:
        log(session, actor, "account.create", "user", user.id, {"role": role},
            course_id=course.id if course else None)
    if course is not None:
        from quizsvc.services.courses import enroll

        enroll(session, actor or user, course, user, "student")
    return user


def clean_email(email: str | None) -> str | None:
    """Return `email` lower-cased and trimmed (None if empty); ParamError if it is not one."""
    email = (email or "").strip().lower()
    if not email:
        return None
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
        raise ParamError(f"{email!r} is not an email address", errors={"email": "invalid"})
    return email


@dataclass
class RosterRow:
    """One line of a roster import: the user, whether the account or the enrolment is new,
    and a credential for a new account (shown once)."""

    user: User
    created: bool
    enrolled: bool = False
    token: str | None = None
    claim_code: str | None = None


def import_roster(session: Session, actor: User, text: str, course: Course, *,
                  issue_tokens: bool = False, claim_codes: bool = False) -> list[RosterRow]:
    """Enrol students in `course` from CSV with a header (name, email, sis_user_id; email required).

    Rows whose email already exists are matched, not duplicated, and get no new
    credential, so a roster can be uploaded again after students join. All rows
    or none are imported.
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
    if not access.staffs(session, actor, course):
        raise PermissionDenied("only the course's staff can enrol students")
    if not records:
        # One line only: most often a file sent with `curl -d @file`, which strips newlines.
        raise ParamError("the roster has a header line but no student lines below it; if you "
                         "sent a file with curl, use --data-binary @file (-d strips newlines)",
                         errors={"csv": "no rows", "header": header})
    from quizsvc.services.claims import issue_claim_code
    from quizsvc.services.courses import enroll

    rows: list[RosterRow] = []
    errors: dict[str, str] = {}
    seen: set[str] = set()
    if len(records) > MAX_ROSTER_ROWS:
        raise TooLargeError(f"a roster may have at most {MAX_ROSTER_ROWS} rows; split it",
                            errors={"csv": "too many rows"})
    for n, raw in enumerate(records, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        try:
            email = clean_email(row.get("email"))
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
    for r in rows:
        r.enrolled = enroll(session, actor, course, r.user, "student").created
        if r.created and issue_tokens:
            r.token = issue_token(session, r.user, "roster", issued_by=actor)[1]
        if r.created and claim_codes:
            r.claim_code = issue_claim_code(session, actor, r.user)
    return rows


def get_user(session: Session, actor: User, user_id: int) -> User:
    """Return a user `actor` may see (themselves, or a member of a course they staff), else 404."""
    return access.get_visible_user(session, actor, user_id)


def list_users(session: Session, actor: User, role: str | None = None, *,
               course_id: int | None = None, page: int = 1,
               page_size: int = 50) -> tuple[list[User], int]:
    """Return one page of the users `actor` may see (everyone for an admin) and their count."""
    where = []
    if not access.is_admin(actor):
        where.append(User.id.in_(access.visible_user_ids(actor)))
    if course_id is not None:
        where.append(User.id.in_(select(Enrollment.user_id)
                                 .where(Enrollment.course_id == course_id)))
    if role:
        where.append(User.role == role)
    total = session.scalar(select(func.count()).select_from(User).where(*where)) or 0
    rows = session.scalars(select(User).where(*where).order_by(User.id).limit(page_size)
                           .offset((page - 1) * page_size))
    return list(rows), total


def issue_token_for(session: Session, actor: User, user_id: int, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token for `user_id`: `actor` themselves, or someone they may act for (audited)."""
    user = get_user(session, actor, user_id)
    if not access.can_act_for(session, actor, user):
        from quizsvc.services.claims import refusal

        raise refusal(user)
    return issue_token(session, user, name, issued_by=actor)
