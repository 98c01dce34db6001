"""Concurrent submissions on PostgreSQL, through a real gunicorn (2 worker processes).

- 50 submissions at once to a problem allowing 3 attempts record exactly 3;
- 50 retries at once with one Idempotency-Key record one attempt, and all 50
  get the same answer;
- an attempt is stored together with its grade or not at all: a failure
  injected between grading and commit (a listener that raises; the database
  connection killed before the commit) leaves no row and no used attempt.

Needs QUIZSVC_TEST_POSTGRES_URL (CI sets it); skipped with that reason otherwise.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

import pytest
import requests
from sqlalchemy import create_engine, func, select, text

from quizsvc.store import migrate
from quizsvc.store.models import Attempt, Problem
from tests.conftest import TEST_POSTGRES_URL, drop_schema, fresh_schema, requires_postgres, worker_name
from tests.hardening.conftest import bearer, make_app, new_account, record_figures
from tests.hardening.servers import gunicorn

pytestmark = [pytest.mark.postgres, requires_postgres]

CONCURRENT = 50
SECRET = "concurrency-test-secret"


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    schema = f"quizsvc_hardening_conc_{worker_name()}"
    url = fresh_schema(TEST_POSTGRES_URL, schema)
    migrate.upgrade(url)
    yield url
    drop_schema(TEST_POSTGRES_URL, schema)


@pytest.fixture(scope="module")
def server(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"QUIZSVC_DATABASE_URL": pg_url, "QUIZSVC_SECRET_KEY": SECRET,
           "QUIZSVC_RATELIMIT_ENABLED": "0", "QUIZSVC_PRACTICE_MAX_ATTEMPTS": "3"}
    with gunicorn(env, log=tmp_path_factory.mktemp("gunicorn") / "gunicorn.log") as base:
        yield base


def student_with_problem(pg_url: str, base: str, seed: int = 1) -> tuple[dict[str, str], int]:
    app = make_app(pg_url)
    _, token = new_account(app, "student", f"s-{uuid.uuid4().hex[:10]}@example.edu")
    app.extensions["quizsvc.db"]["engine"].dispose()
    r = requests.post(base + "/api/v1/problems", headers=bearer(token), timeout=30,
                      json={"family": "conv_output_shape", "seed": seed})
    assert r.status_code == 201, r.text
    assert r.json()["policy"]["max_attempts"] == 3
    return bearer(token), r.json()["id"]


def at_once(n: int, send: Any) -> list[requests.Response]:  # noqa: ANN401 - a callable
    """Call send(i) from n threads released together; return the responses."""
    barrier = threading.Barrier(n)

    def one(i: int) -> requests.Response:
        with requests.Session() as session:
            barrier.wait()
            return send(session, i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def stored(pg_url: str, problem_id: int) -> tuple[list[Any], int]:
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            rows = list(conn.execute(select(Attempt.seq, Attempt.score, Attempt.fields,
                                            Attempt.idempotency_key)
                                     .where(Attempt.problem_id == problem_id)))
            count = conn.scalar(select(Problem.attempt_count).where(Problem.id == problem_id))
        return rows, count
    finally:
        engine.dispose()


def test_fifty_concurrent_submissions_record_exactly_three(pg_url, server):
    headers, pid = student_with_problem(pg_url, server)
    url = f"{server}/api/v1/problems/{pid}/attempts"
    started = time.perf_counter()
    responses = at_once(CONCURRENT, lambda s, i: s.post(
        url, json={"answer": "1, 1, 1"}, timeout=60,
        headers={**headers, "Idempotency-Key": f"distinct-{i}"}))
    elapsed = time.perf_counter() - started
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 3 + [409] * (CONCURRENT - 3), codes
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {409}
    rows, count = stored(pg_url, pid)
    assert sorted(r.seq for r in rows) == [1, 2, 3] and count == 3
    assert all(r.score is not None and r.fields for r in rows)  # each with its grade
    won = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(won) == 3
    record_figures("concurrency_limit", {"backend": "postgresql", "server": "gunicorn 2x16",
                                         "concurrent": CONCURRENT, "allowed": 3,
                                         "recorded": len(rows), "refused_409": codes.count(409),
                                         "seconds": round(elapsed, 2)})


def test_fifty_concurrent_retries_with_one_idempotency_key_record_one(pg_url, server):
    headers, pid = student_with_problem(pg_url, server)
    url = f"{server}/api/v1/problems/{pid}/attempts"
    keyed = {**headers, "Idempotency-Key": f"retry-{uuid.uuid4().hex}"}
    responses = at_once(CONCURRENT, lambda s, i: s.post(url, json={"answer": "1, 1, 1"},
                                                        headers=keyed, timeout=60))
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses[:3]]
    bodies = [r.json() for r in responses]
    assert all(b == bodies[0] for b in bodies)  # every retry gets the very same answer
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == CONCURRENT - 1
    rows, count = stored(pg_url, pid)
    assert len(rows) == 1 and count == 1 and rows[0].idempotency_key == keyed["Idempotency-Key"]
    # A later retry still replays, and the remaining attempts are intact.
    again = requests.post(url, json={"answer": "1, 1, 1"}, headers=keyed, timeout=30)
    assert again.json() == bodies[0] and again.headers["Idempotent-Replayed"] == "true"
    assert bodies[0]["attempts_left"] == 2
    record_figures("concurrency_idempotency", {"backend": "postgresql", "concurrent": CONCURRENT,
                                               "recorded": len(rows),
                                               "identical_answers": len(bodies)})


@pytest.fixture
def pg_app(pg_url: str) -> Iterator[Any]:
    app = make_app(pg_url, PRACTICE_MAX_ATTEMPTS=3)
    yield app
    app.extensions["quizsvc.db"]["engine"].dispose()


def _right_answer(problem_id: int, app: Any) -> dict[str, Any]:  # noqa: ANN401
    from quizsvc.extensions import db

    with app.app_context():
        return db.session.get(Problem, problem_id).key


@pytest.mark.parametrize("fault", ["listener raises", "connection killed before commit"])
def test_attempt_is_stored_with_its_grade_or_not_at_all(pg_app, pg_url, fault):
    from quizsvc.services import attempts

    _, token = new_account(pg_app, "student", f"f-{uuid.uuid4().hex[:10]}@example.edu")
    client = pg_app.test_client()
    pid = client.post("/api/v1/problems", headers=bearer(token),
                      json={"family": "conv_output_shape", "seed": 2}).json["id"]
    key = _right_answer(pid, pg_app)
    seen = []

    def inject(session, attempt):  # noqa: ANN001, ANN202 - runs after grading, before commit
        seen.append((attempt.score, attempt.correct))  # graded and flushed
        if fault == "listener raises":
            raise RuntimeError("injected failure between grading and commit")
        pid_ = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        killer = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid_})
        killer.dispose()

    attempts.on_attempt(inject)
    try:
        r = client.post(f"/api/v1/problems/{pid}/attempts", headers=bearer(token),
                        json={"answer": key})
    finally:
        attempts.AFTER_ATTEMPT.remove(inject)
    assert seen == [(1.0, True)]  # the grade existed when the failure struck
    assert r.status_code == (500 if fault == "listener raises" else 503), r.json
    assert set(r.json) == {"code", "status", "message", "errors"}
    rows, count = stored(pg_url, pid)
    assert rows == [] and count == 0  # no attempt, no used attempt
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.scalar(select(Problem.solved_at).where(Problem.id == pid)) is None
        assert conn.scalar(select(func.count()).select_from(Attempt)
                           .where(Attempt.score.is_(None))) == 0
    engine.dispose()
    # The same answer, sent again with no fault, is recorded whole: the service recovered.
    r = client.post(f"/api/v1/problems/{pid}/attempts", headers=bearer(token), json={"answer": key})
    assert r.status_code == 201 and r.json["seq"] == 1 and r.json["score"] == 1.0
    rows, count = stored(pg_url, pid)
    assert len(rows) == 1 and count == 1 and rows[0].score == 1.0
