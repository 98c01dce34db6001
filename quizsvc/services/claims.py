"""No impersonation: a provisioned account becomes its owner's alone once claimed.

Staff may provision a student account (one by one or from a roster) and, while
it is unclaimed and only in courses they staff, obtain credentials for it: a
one-time claim code to hand to the student, or, as before courses existed, an
API token. The student redeems the claim code (``POST /api/v1/users/claim``,
no token needed) and gets an API token of their own. From then on:

- the claim code is spent and every token someone else issued for the account
  is revoked;
- nobody but the student and admins can obtain a credential for it
  (`access.can_act_for`).

Before the claim, enrolling the account in a course ends the tokens issued by
anyone who does not staff that course, and an outstanding claim code if the
account already was in another course: staff of one course never keep a
credential that acts in another. Every credential issued for someone else, and
every claim, is in the audit log.

Passwords (browser accounts) plug in through `redeem`: it spends the code and
ends the foreign credentials; the caller then sets what the owner chose.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.errors import NotFoundError
from quizsvc.services import access
from quizsvc.services.errors import AuthenticationError
from quizsvc.store.audit import log
from quizsvc.store.courses import Course, Enrollment
from quizsvc.store.models import ApiToken, User
from quizsvc.store.types import utcnow

CLAIM_PREFIX = "qzc_"
CLAIM_TTL = dt.timedelta(days=30)


def _hash(text: str) -> str:
    from quizsvc.services.users import hash_token

    return hash_token(text)


def issue_claim_code(session: Session, actor: User, user: User) -> str:
    """Return a new one-time claim code for `user` (replacing any earlier one); shown once."""
    if user.id != actor.id and not access.can_see_user(session, actor, user):
        raise NotFoundError(f"no user with id {user.id}")
    if not access.can_act_for(session, actor, user):
        raise refusal(user)
    text = CLAIM_PREFIX + secrets.token_urlsafe(24)
    user.claim_code_hash = _hash(text)
    user.claim_code_expires_at = utcnow() + CLAIM_TTL
    log(session, actor, "credential.claim_code", "user", user.id,
        {"expires_at": user.claim_code_expires_at.isoformat()})
    session.flush()
    return text


def refusal(user: User) -> Exception:
    from quizsvc.services.errors import PermissionDenied

    if user.claimed_at is not None:
        return PermissionDenied("this account has been claimed by its owner: only they (or an "
                                "admin) can obtain credentials for it")
    return PermissionDenied("this account is also in a course you do not staff (or is staff "
                            "somewhere): only its owner or an admin can obtain credentials for it")


def redeem(session: Session, code: str) -> User:
    """Spend a claim code: the account is claimed, others' tokens for it revoked; return it.

    The hook for other ways of claiming (a password): call this, then set it.
    """
    code = (code or "").strip()
    user = None
    if code.startswith(CLAIM_PREFIX) and len(code) <= 100:
        user = session.scalar(select(User).where(User.claim_code_hash == _hash(code)))
    if user is None or user.claim_code_expires_at is None \
            or user.claim_code_expires_at <= utcnow():
        raise AuthenticationError("this claim code is not valid (wrong, already used or "
                                  "expired): ask your instructor for a new one")
    if not user.active:
        raise AuthenticationError("this account is deactivated")
    user.claim_code_hash = None
    user.claim_code_expires_at = None
    user.claimed_at = user.claimed_at or utcnow()
    revoked = revoke_foreign_tokens(session, user)
    log(session, user, "account.claim", "user", user.id, {"revoked_tokens": revoked})
    session.flush()
    return user


def claim_with_token(session: Session, code: str, name: str = "") -> tuple[User, str]:
    """Redeem `code` and issue the owner's own API token; return the user and its text."""
    from quizsvc.services.users import issue_token

    user = redeem(session, code)
    return user, issue_token(session, user, name or "claimed")[1]


def revoke_foreign_tokens(session: Session, user: User, *,
                          keep: set[int] | None = None) -> list[int]:
    """Revoke `user`'s live tokens issued by someone else (except issuers in `keep`)."""
    now = utcnow()
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                                   ApiToken.issued_by_id.is_not(None),
                                   ApiToken.issued_by_id != user.id)
    ids = []
    for token in session.scalars(query):
        if keep and token.issued_by_id in keep:
            continue
        token.revoked_at = now
        ids.append(token.id)
    return ids


def end_foreign_credentials(session: Session, actor: User, user: User, course: Course) -> None:
    """Before `user` enters `course`: end credentials held by people who do not staff it."""
    issuers = set(session.scalars(select(ApiToken.issued_by_id).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
        ApiToken.issued_by_id.is_not(None), ApiToken.issued_by_id != user.id)))
    keep = {i for i in issuers if _may_keep(session, i, course)}
    revoked = revoke_foreign_tokens(session, user, keep=keep)
    dropped_code = False
    if user.claim_code_hash is not None and session.scalar(
            select(Enrollment.id).where(Enrollment.user_id == user.id).limit(1)) is not None:
        # Whoever got this code staffs the account's other course, not necessarily this one.
        user.claim_code_hash = user.claim_code_expires_at = None
        dropped_code = True
    if revoked or dropped_code:
        log(session, actor, "credential.revoke", "user", user.id,
            {"reason": "enrolled in another course", "tokens": revoked,
             "claim_code": dropped_code}, course_id=course.id)


def _may_keep(session: Session, issuer_id: int, course: Course) -> bool:
    issuer = session.get(User, issuer_id)
    return issuer is not None and access.staffs(session, issuer, course)

