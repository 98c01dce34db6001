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

from datetime import datetime

from sqlalchemy import Row, bindparam, func, insert, inspect, or_, select, true, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from quizsvc.store.models import ApiToken, Attempt, Problem, User
from quizsvc.store.types import UTCDateTime

T = TypeVar("T")

_USER_COLUMNS = [c.key for c in User.__table__.c]
_PROBLEM_COLUMNS = [c.key for c in Problem.__table__.c]
_PROBLEMS = Problem.__table__
_TOKEN_COLUMNS = (ApiToken.token_hash.label("t_hash"), ApiToken.revoked_at.label("t_revoked"),
                  ApiToken.expires_at.label("t_expires"))

# One statement: the token's state and its user's every column (the unique index on token_hash).
_TOKEN_USER = (select(*_TOKEN_COLUMNS, *User.__table__.c)
               .join_from(ApiToken.__table__, User.__table__, ApiToken.user_id == User.id)
               .where(ApiToken.token_hash == bindparam("digest")))
# The same, with the problem the request names (by primary key; NULLs when there is none), for
# the routes about one problem: one round trip instead of two. Whether the user may read the
# problem is decided afterwards, as for any problem (services.practice.get_problem). Of the
# user, only what these routes read: the others stay unloaded and load on first use, like any
# expired attribute (each column costs the driver a descriptor per execution).
_PROBLEM_ROUTE_USER_COLUMNS = ("id", "role", "active")
_TOKEN_USER_PROBLEM = (select(*_TOKEN_COLUMNS,
                              *(User.__table__.c[k] for k in _PROBLEM_ROUTE_USER_COLUMNS),
                              *(c.label(f"p_{c.key}") for c in _PROBLEMS.c))
                       .join_from(ApiToken.__table__, User.__table__, ApiToken.user_id == User.id)
                       .outerjoin(_PROBLEMS, _PROBLEMS.c.id == bindparam("pid"))
                       .where(ApiToken.token_hash == bindparam("digest")))
_PROBLEM = select(*_PROBLEMS.c).where(Problem.id == bindparam("pid"))
_ATTEMPTS = Attempt.__table__
_INSERT_ATTEMPT = insert(_ATTEMPTS).returning(_ATTEMPTS.c.id)


def _claim(correct: bool) -> Any:
    """The conditional claim of the next attempt number: no row when none is left."""
    values: dict[str, Any] = {"attempt_count": _PROBLEMS.c.attempt_count + 1}
    if correct:
        values["solved_at"] = func.coalesce(_PROBLEMS.c.solved_at,
                                            bindparam("solved_now", type_=UTCDateTime()))
    return (update(_PROBLEMS)
            .where(_PROBLEMS.c.id == bindparam("pid"),
                   or_(_PROBLEMS.c.max_attempts.is_(None),
                       _PROBLEMS.c.attempt_count < _PROBLEMS.c.max_attempts))
            .values(values)
            .returning(_PROBLEMS.c.attempt_count, _PROBLEMS.c.solved_at))


def _claim_and_insert(correct: bool) -> Any:
    """PostgreSQL: the claim and the attempt row in one statement (data-modifying CTEs).

    ``WITH claimed AS (UPDATE problems ... RETURNING attempt_count, solved_at),
    inserted AS (INSERT INTO attempts (..., seq) SELECT ..., claimed.attempt_count
    FROM claimed RETURNING id, seq) SELECT inserted.id, inserted.seq,
    claimed.solved_at FROM inserted, claimed``: no claim, no insert, no row. Both
    run in the statement's snapshot; the UPDATE takes the problem's row lock as it
    does alone, so concurrent claims still queue on it.
    """
    claimed = _claim(correct).cte("claimed")
    columns = [c for c in _ATTEMPTS.c if c.key not in ("id", "seq")]
    # Prefixed: an UPDATE given a parameter named as one of its table's columns would set it.
    rows_in = select(*(bindparam(f"a_{c.key}", type_=c.type) for c in columns),
                     claimed.c.attempt_count)
    inserted = (insert(_ATTEMPTS).from_select([*(c.key for c in columns), "seq"], rows_in)
                .returning(_ATTEMPTS.c.id, _ATTEMPTS.c.seq).cte("inserted"))
    return (select(inserted.c.id, inserted.c.seq, claimed.c.solved_at)
            .select_from(inserted).join(claimed, true()))


_CLAIMS = {correct: _claim(correct) for correct in (False, True)}
_CLAIM_AND_INSERT = {correct: _claim_and_insert(correct) for correct in (False, True)}
_KEEP = "quizsvc.rows.preloaded"
_KEEP = "quizsvc.rows.preloaded"


def attach(session: Session, cls: type[T], values: dict[str, Any]) -> T:
    """Return the persistent `cls` object of row `values` (all its columns), in `session`.

    The session's own object when it already holds that row (as `Session.get`
    does); otherwise a new one, added as if loaded: nothing to flush. The object
    is made without its constructor (as the ORM's loader does), so setting its
    columns fires no attribute events: they are its committed state.
    """
    key = identity_key(cls, values["id"])
    known = session.identity_map.get(key)
    if known is not None:
        return known  # type: ignore[return-value]
    obj = inspect(cls).class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)  # committed state; relationships lazy, as if loaded
    session.add(obj)
    return obj  # type: ignore[no-any-return]


def token_user(session: Session, digest: str, problem_id: int | None = None
               ) -> tuple[User, Row[Any]] | None:
    """Return the user of the token with SHA-256 `digest` and the token's row, or None.

    With `problem_id`, the same statement also reads that problem, which then
    sits in the session (`problem` below finds it without a query).
    """
    if problem_id is None:
        row = session.connection().execute(_TOKEN_USER, {"digest": digest}).one_or_none()
    else:
        row = session.connection().execute(_TOKEN_USER_PROBLEM,
                                           {"digest": digest, "pid": problem_id}).one_or_none()
    if row is None:
        return None
    mapping = row._mapping
    columns = _USER_COLUMNS if problem_id is None else _PROBLEM_ROUTE_USER_COLUMNS
    user = attach(session, User, {k: mapping[k] for k in columns})
    if problem_id is not None and mapping["p_id"] is not None:
        problem = attach(session, Problem, {k: mapping[f"p_{k}"] for k in _PROBLEM_COLUMNS})
        # The identity map holds its objects weakly: keep this one for the session's life.
        session.info.setdefault(_KEEP, []).append(problem)
    return user, row


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


def claim_and_insert(session: Session, problem_id: int, values: dict[str, Any], *,
                     correct: bool) -> tuple[Attempt, datetime | None] | None:
    """Claim problem `problem_id`'s next attempt and insert the attempt row `values` (all
    its columns but id and seq); return the attempt and the problem's `solved_at` after
    it, or None when no attempt is left (nothing written). A `correct` attempt also sets
    the problem's `solved_at`, unless already set, to the attempt's `created_at`.

    One statement on PostgreSQL, two elsewhere (SQLite has no data-modifying CTEs;
    its one writer at a time serialises the claim). A unique-constraint failure of the
    insert (the same Idempotency-Key sent twice at once) raises IntegrityError, and the
    caller's rollback undoes the claim with it.
    """
    conn = session.connection()
    claim = {"pid": problem_id, "solved_now": values["created_at"]} if correct else {"pid": problem_id}
    if conn.dialect.name == "postgresql":
        row = conn.execute(_CLAIM_AND_INSERT[correct],
                           {**claim, **{f"a_{k}": v for k, v in values.items()}}).one_or_none()
        if row is None:
            return None
        attempt_id, seq, solved_at = row
    else:
        claimed = conn.execute(_CLAIMS[correct], claim).one_or_none()
        if claimed is None:
            return None
        seq, solved_at = claimed
        attempt_id = conn.execute(_INSERT_ATTEMPT, {**values, "seq": seq}).scalar_one()
    return attach(session, Attempt, {**values, "id": attempt_id, "seq": seq}), solved_at
