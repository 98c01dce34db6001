"""What one graded attempt costs the database: one connection, two or three statements, no reload."""

from __future__ import annotations

from sqlalchemy import event, select

from quizsvc.extensions import db as ext_db
from quizsvc.store.models import Problem
from tests.api.helpers import answer, key_of, new_problem

FAMILY, SEED = "conv_output_shape", 3


def test_an_attempt_uses_one_connection_and_the_fewest_statements(app, client, db, student):
    p = new_problem(client, student, FAMILY, seed=SEED)
    answer(client, student, p["id"], "1, 1, 1")  # warm up (first-request checks)
    statements: list[str] = []
    checkouts: list[object] = []
    with app.app_context():
        engine = ext_db.engine

    def on_statement(_conn, _cursor, statement, *_args):  # noqa: ANN001, ANN202
        statements.append(statement.split()[0].upper())

    def on_checkout(*_args):  # noqa: ANN202
        checkouts.append(object())

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine.pool, "checkout", on_checkout)
    try:
        key = key_of(FAMILY, SEED)
        r = answer(client, student, p["id"], ", ".join(map(str, key["shape"])))
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine.pool, "checkout", on_checkout)
    assert r.status_code == 201, r.json
    # Token, user and problem in one SELECT; then the claim (UPDATE ... RETURNING) and the
    # attempt's INSERT, which PostgreSQL runs as one statement (WITH claimed AS (UPDATE ...),
    # inserted AS (INSERT ...) SELECT ...); nothing after.
    expected = (["SELECT", "WITH"] if engine.dialect.name == "postgresql"
                else ["SELECT", "UPDATE", "INSERT"])
    assert [s for s in statements if not s.startswith("PRAGMA")] == expected
    assert len(checkouts) == 1
    # What the answer says of the problem is what was committed, though nothing reloaded it.
    db.expire_all()
    stored = db.scalar(select(Problem).where(Problem.id == p["id"]))
    assert r.json["seq"] == 2 and r.json["attempts_used"] == stored.attempt_count == 2
    assert r.json["attempts_left"] == 1 and stored.solved_at is not None
    assert r.json["key_visible"] is True and r.json["answer"] == key
