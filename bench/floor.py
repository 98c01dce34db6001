"""The floor: a bare Flask app doing the SQL of one graded attempt with the raw driver.

``gunicorn bench.floor:app``, served with the same settings as quizsvc and pointed at
the same database (``QUIZSVC_DATABASE_URL``). ``POST /api/v1/problems/<id>/attempts``
does what quizsvc's endpoint must do at the least, and nothing more:

1. the bearer token -> its user (one indexed SELECT joined to users);
2. the problem (one SELECT by primary key), owned by that user;
3. grading with the family's own grader (quizsvc.families: the same code quizsvc runs);
4. the conditional attempt claim, ``UPDATE ... RETURNING`` (the attempt limit);
5. the attempt row, INSERT; COMMIT.

No ORM, no schema layer, no rate limiter, no audit, no LTI hook: the honest limit of
this stack (Flask + gunicorn + the driver + our grader) for this request. quizsvc's
figure is reported as a ratio to it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from datetime import datetime, timezone
from typing import Any

from flask import Flask, jsonify, request

from quizsvc import families

URL = os.environ.get("QUIZSVC_DATABASE_URL", "")
POSTGRES = URL.startswith("postgresql")
P = "%s" if POSTGRES else "?"
_local = threading.local()
CONNECTIONS: list[Any] = []  # every thread's, so that an in-process user can close them

app = Flask(__name__)


def _connect() -> Any:
    """Return this thread's connection (one per gunicorn thread, opened once)."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        if POSTGRES:
            import psycopg

            conn = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://", 1))
        else:
            conn = sqlite3.connect(URL.removeprefix("sqlite:///"), timeout=30,
                                   check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
        _local.conn = conn
        CONNECTIONS.append(conn)
    return conn


def _json(value: Any) -> Any:
    return value if POSTGRES or not isinstance(value, str) else json.loads(value)


def _dump(value: Any) -> Any:
    if POSTGRES:
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return json.dumps(value)


@app.post("/api/v1/problems/<int:problem_id>/attempts")
def attempt(problem_id: int) -> Any:
    """Grade and record one answer with the fewest statements that keep the attempt limit."""
    auth = request.headers.get("Authorization", "")
    body = request.get_json(silent=True) or {}
    conn = _connect()
    cur = conn.cursor()
    if not POSTGRES:
        cur.execute("BEGIN IMMEDIATE")
    try:
        cur.execute(f"SELECT t.user_id, t.revoked_at, u.active FROM api_tokens t "
                    f"JOIN users u ON u.id = t.user_id WHERE t.token_hash = {P}",
                    (hashlib.sha256(auth.removeprefix("Bearer ").encode()).hexdigest(),))
        token = cur.fetchone()
        if token is None or token[1] is not None or not token[2]:
            conn.rollback()
            return jsonify(message="invalid API token"), 401
        user_id = token[0]
        cur.execute(f"SELECT owner_id, family, params, key, max_attempts, attempt_count "
                    f"FROM problems WHERE id = {P}", (problem_id,))
        row = cur.fetchone()
        if row is None or row[0] != user_id:
            conn.rollback()
            return jsonify(message="no such problem"), 404
        family = families.get(row[1])
        params, key = _json(row[2]), _json(row[3])
        grade = family.grade(params, key, family.answer_spec(params), body.get("answer"))
        now = datetime.now(timezone.utc)
        solved = ", solved_at = COALESCE(solved_at, " + P + ")" if grade.correct else ""
        args = (now, problem_id) if grade.correct else (problem_id,)
        cur.execute(f"UPDATE problems SET attempt_count = attempt_count + 1{solved} "
                    f"WHERE id = {P} AND (max_attempts IS NULL OR attempt_count < max_attempts) "
                    f"RETURNING attempt_count", args)
        claimed = cur.fetchone()
        if claimed is None:
            conn.rollback()
            return jsonify(message="no attempts left"), 409
        fields = [{"name": f.name, "score": f.score, "correct": f.correct,
                   "feedback": f.feedback, "given": f.given, "expected": f.expected}
                  for f in grade.fields]
        cur.execute(
            f"INSERT INTO attempts (problem_id, user_id, seq, raw_answer, parsed_answer, score, "
            f"correct, misconception, alternatives, feedback, fields, created_at) VALUES "
            f"({', '.join([P] * 12)}) RETURNING id",
            (problem_id, user_id, claimed[0], _dump(body.get("answer")), _dump(grade.parsed),
             grade.score, grade.correct, grade.misconception, _dump(list(grade.alternatives)),
             grade.feedback, _dump(fields), now))
        attempt_id = cur.fetchone()[0]
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    max_attempts = row[4]
    return jsonify(id=attempt_id, score=grade.score, correct=grade.correct,
                   feedback=grade.feedback,
                   fields=[{k: v for k, v in f.items() if k != "expected"} for f in fields],
                   misconception=grade.misconception,
                   attempts_left=None if max_attempts is None else max_attempts - claimed[0]), 201


@app.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")
