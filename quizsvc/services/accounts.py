"""Browser accounts: passwords (argon2id), guests, and turning a guest into an account.

A guest is a student row with no email and a `guest_expires_at`; their
problems and attempts are ordinary rows, so grading, limits and audit are the
same as for anyone. Each write by a guest moves the expiry `ttl` ahead; an
expired guest is deleted, with their problems and attempts (foreign keys
cascade), by `purge_guests` (``quizsvc purge-guests``, and a small sweep each
time a guest is created). Signing up as a guest turns that row into the
account, so the progress stays; signing in as a guest moves the guest's
practice problems to the account and deletes the guest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from quizsvc.errors import ParamError
from quizsvc.services.errors import (
    AuthenticationError,
    ConflictError,
    ServiceUnavailable,
)
from quizsvc.services.users import clean_email, create_user
from quizsvc.store.models import Attempt, Problem, User
from quizsvc.store.types import utcnow

MIN_PASSWORD = 10
MAX_PASSWORD = 200  # longer inputs are refused before hashing (argon2 work grows with length)
SWEEP_BATCH = 200  # expired guests deleted per sweep when a new guest is created
# Touch a guest's expiry at most this often: not one UPDATE per request.
TOUCH_EVERY = timedelta(hours=1)

_hasher = PasswordHasher()  # argon2id, the library's current recommended parameters
# Verified when the email is unknown, so that a miss costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password that meets the length rule."""
    check_password(password)
    return _hasher.hash(password)


def check_password(password: str) -> None:
    """Refuse a password that is too short or too long, saying so."""
    if len(password) < MIN_PASSWORD:
        raise ParamError(f"the password must be at least {MIN_PASSWORD} characters",
                         errors={"password": "too short"})
    if len(password) > MAX_PASSWORD:
        raise ParamError(f"the password must be at most {MAX_PASSWORD} characters",
                         errors={"password": "too long"})


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password[:MAX_PASSWORD]) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, email: str, password: str) -> User:
    """Return the active account with this email and password, or AuthenticationError."""
    try:
        clean = clean_email(email)
    except ParamError:
        clean = None
    user = session.scalar(select(User).where(User.email == clean)) if clean else None
    ok = _verify(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        raise AuthenticationError("that email and password do not match an account")
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = _hasher.hash(password)
    return user


def sign_up(session: Session, email: str, password: str, *, name: str = "",
            guest: User | None = None) -> User:
    """Create a student account; a guest's own row becomes it, keeping their progress."""
    check_password(password)
    clean = clean_email(email)
    if not clean:
        raise ParamError("enter your email address", errors={"email": "missing"})
    if session.scalar(select(User.id).where(User.email == clean)) is not None:
        raise ConflictError(f"there is already an account for {clean}; sign in instead",
                            errors={"email": "already taken"})
    if guest is not None and is_guest(guest):
        guest.email, guest.guest_expires_at = clean, None
        guest.name = name.strip()[:200] or guest.name
        user = guest
    else:
        user = create_user(session, None, role="student", name=name, email=clean)
    user.password_hash = _hasher.hash(password)
    session.flush()
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace `user`'s password after checking the current one."""
    if not _verify(user.password_hash, current):
        raise AuthenticationError("the current password is not right",
                                  errors={"current_password": "wrong"})
    user.password_hash = hash_password(new)
    session.flush()


def set_password(session: Session, email: str, password: str) -> User:
    """Set the password of the account with this email (the CLI, for staff)."""
    clean = clean_email(email)
    user = session.scalar(select(User).where(User.email == clean)) if clean else None
    if user is None:
        raise ParamError(f"no account has the email {email!r}", errors={"email": "unknown"})
    user.password_hash = hash_password(password)
    session.flush()
    return user


# -- guests -------------------------------------------------------------------------------
def is_guest(user: User) -> bool:
    return user.guest_expires_at is not None and user.email is None


def create_guest(session: Session, ttl: timedelta, max_guests: int,
                 now: datetime | None = None) -> User:
    """Create a guest expiring after `ttl`; sweep expired guests first; refuse past `max_guests`."""
    now = now or utcnow()
    purge_guests(session, now, limit=SWEEP_BATCH)
    count = session.scalar(select(func.count()).select_from(User)
                           .where(User.guest_expires_at.is_not(None))) or 0
    if count >= max_guests:
        raise ServiceUnavailable("too many people are practising as guests right now; "
                                 "sign up (it is free) or come back later")
    guest = User(role="student", name="Guest", guest_expires_at=now + ttl)
    session.add(guest)
    session.flush()
    return guest


def touch_guest(user: User, ttl: timedelta, now: datetime | None = None) -> None:
    """Move a guest's expiry `ttl` ahead (at most once per TOUCH_EVERY)."""
    if not is_guest(user):
        return
    now = now or utcnow()
    new = now + ttl
    if user.guest_expires_at is None or new - user.guest_expires_at >= TOUCH_EVERY:
        user.guest_expires_at = new


def guest_alive(user: User, now: datetime | None = None) -> bool:
    return user.guest_expires_at is None or user.guest_expires_at > (now or utcnow())


def purge_guests(session: Session, now: datetime | None = None, *,
                 limit: int | None = None) -> int:
    """Delete guests whose expiry has passed (their problems and attempts cascade)."""
    now = now or utcnow()
    query = select(User.id).where(User.guest_expires_at.is_not(None), User.email.is_(None),
                                  User.guest_expires_at <= now).order_by(User.guest_expires_at)
    if limit is not None:
        query = query.limit(limit)
    ids = list(session.scalars(query))
    if not ids:
        return 0
    # Children first, so this works whether or not the database enforces the cascades.
    session.execute(delete(Attempt).where(Attempt.user_id.in_(ids)))
    session.execute(delete(Problem).where(Problem.owner_id.in_(ids)))
    session.execute(delete(User).where(User.id.in_(ids)))
    return len(ids)


def guest_problem_count(session: Session, guest: User) -> int:
    return session.scalar(select(func.count()).select_from(Problem)
                          .where(Problem.owner_id == guest.id)) or 0


def merge_guest(session: Session, guest: User, user: User) -> int:
    """Move a guest's practice problems and attempts to `user`, delete the guest; return the count."""
    if not is_guest(guest) or guest.id == user.id:
        return 0
    moved = session.execute(update(Problem).where(Problem.owner_id == guest.id,
                                                  Problem.bank_id.is_(None))
                            .values(owner_id=user.id)).rowcount or 0
    session.execute(update(Attempt).where(Attempt.user_id == guest.id,
                                          Attempt.idempotency_key.is_(None))
                    .values(user_id=user.id))
    # An attempt with an idempotency key keeps it under its new owner only if unused there.
    taken = select(Attempt.idempotency_key).where(Attempt.user_id == user.id,
                                                  Attempt.idempotency_key.is_not(None))
    session.execute(update(Attempt).where(Attempt.user_id == guest.id,
                                          Attempt.idempotency_key.in_(taken))
                    .values(idempotency_key=None))
    session.execute(update(Attempt).where(Attempt.user_id == guest.id).values(user_id=user.id))
    session.execute(delete(User).where(User.id == guest.id))
    session.expire_all()
    return moved


# One message for every refusal, so that a guess learns nothing (not even a right code).
BAD_CLAIM = ("this claim code is not valid for this email (it may be mistyped, already used or "
             "expired): check both, or ask your instructor for a new code")


def claim_with_password(session: Session, code: str, email: str, password: str) -> User:
    """Claim a staff-made account with its one-time code, choosing a password (the browser).

    `email` must be the account's, or, for an account made without one, becomes
    it. Nothing is spent until everything is right: the caller commits, or rolls
    back on an error and the code still works.
    """
    from quizsvc.services import claims

    check_password(password)
    clean = clean_email(email)
    if not clean:
        raise ParamError("enter your email address", errors={"email": "missing"})
    try:
        user = claims.redeem(session, code)
    except AuthenticationError:
        raise AuthenticationError(BAD_CLAIM, errors={"code": "not valid"}) from None
    if user.email is None:
        if session.scalar(select(User.id).where(User.email == clean)) is not None:
            raise ConflictError(f"there is already an account for {clean}: use another email, "
                                "or sign in to that account", errors={"email": "already taken"})
        user.email = clean
    elif user.email != clean:
        raise AuthenticationError(BAD_CLAIM, errors={"code": "not valid"})
    user.password_hash = _hasher.hash(password)
    session.flush()
    return user
