"""Core statements for the per-request hot path, handing back ORM objects without a reload.

Every API request authenticates (token -> user) and most read one problem;
every graded attempt also writes one row. Through the ORM each of those costs
its query-compilation context, the loading machinery and, for the insert, a
unit-of-work flush: the largest part of a graded attempt's CPU time in its
profile (bench/RESULTS.md, "Profile of a graded attempt"). Here the same statements
run as Core on the session's connection, in its transaction, and the row
becomes an ordinary persistent object of the session (`attach`): lazy
relationships, later updates and the identity map work as if it had been
loaded by a query.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Row, bindparam, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from quizsvc.store.models import ApiToken, Attempt, Problem, User

T = TypeVar("T")

_USER_COLUMNS = [c.key for c in User.__table__.c]
_PROBLEM_COLUMNS = [c.key for c in Problem.__table__.c]

# One statement: the token's state and its user's every column (the unique index on token_hash).
_TOKEN_USER = (select(ApiToken.token_hash.label("t_hash"), ApiToken.revoked_at.label("t_revoked"),
                      ApiToken.expires_at.label("t_expires"), *User.__table__.c)
               .join_from(ApiToken.__table__, User.__table__, ApiToken.user_id == User.id)
               .where(ApiToken.token_hash == bindparam("digest")))
_PROBLEM = select(*Problem.__table__.c).where(Problem.id == bindparam("pid"))
_INSERT_ATTEMPT = insert(Attempt.__table__).returning(Attempt.__table__.c.id)


def attach(session: Session, cls: type[T], values: dict[str, Any]) -> T:
    """Return the persistent `cls` object of row `values` (all its columns), in `session`.

    The session's own object when it already holds that row (as `Session.get`
    does); otherwise a new one, added as if loaded: nothing to flush.
    """
    key = identity_key(cls, values["id"])
    known = session.identity_map.get(key)
    if known is not None:
        return known  # type: ignore[return-value]
    obj = cls(**values)
    make_transient_to_detached(obj)  # its attributes become the committed (loaded) state
    session.add(obj)
    return obj


def token_user(session: Session, digest: str) -> tuple[User, Row[Any]] | None:
    """Return the user of the token with SHA-256 `digest` and the token's row, or None."""
    row = session.connection().execute(_TOKEN_USER, {"digest": digest}).one_or_none()
    if row is None:
        return None
    mapping = row._mapping
    return attach(session, User, {k: mapping[k] for k in _USER_COLUMNS}), row


def problem(session: Session, problem_id: int) -> Problem | None:
    """Return problem `problem_id` (as `session.get` would), or None."""
    known = session.identity_map.get(identity_key(Problem, problem_id))
    if known is not None:
        return known  # type: ignore[return-value]
    row = session.connection().execute(_PROBLEM, {"pid": problem_id}).one_or_none()
    if row is None:
        return None
    return attach(session, Problem, dict(zip(_PROBLEM_COLUMNS, row)))


def insert_attempt(session: Session, values: dict[str, Any]) -> Attempt:
    """Insert an attempt row (INSERT ... RETURNING id, no flush); return it as an object."""
    attempt_id = session.connection().execute(_INSERT_ATTEMPT, values).scalar_one()
    return attach(session, Attempt, {**values, "id": attempt_id})
