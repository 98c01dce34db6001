"""The database stopped mid-load: fast 503s with a clear body, recovery without a restart,
no attempt lost, doubled or half-written.

The test starts its own PostgreSQL (the only database it ever stops), runs
gunicorn on it, and keeps 8 students submitting answers, each with a fresh
Idempotency-Key. Twice it stops the database under that load, once cleanly
(``pg_ctl -m fast``: every session is cut) and once as a crash (``-m
immediate``), keeps the load on for a few seconds, and starts it again. Then:

- every answer given while the database was down is a 503 in our error shape,
  with Retry-After, in under MAX_503_SECONDS; nothing else but 201 (or a 503
  for a request caught in the cut) is ever answered;
- the service answers 201 again soon after the database is back, with the same
  gunicorn workers (no restart);
- every request that did not get a 201 is sent again with its key: the stored
  attempts are then exactly one per key. None that got a 201 is missing
  (lost), none is stored twice, each has its grade, and each problem's attempt
  counter equals its rows with seq 1..n (nothing half-written).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator

import pytest
import requests
from sqlalchemy import create_engine, func, select, text

from quizsvc.store import migrate
from quizsvc.store.models import Attempt, Problem
from tests.conftest import TEST_POSTGRES_URL, drop_schema, fresh_schema, requires_postgres, worker_name
from tests.hardening.conftest import bearer, make_app, new_account, record_figures
from tests.hardening.servers import ThrowawayPostgres, gunicorn, postgres_unavailable_reason

pytestmark = [pytest.mark.postgres]

STUDENTS = 8
MAX_503_SECONDS = 5.0  # "fails fast": well under a client timeout; a guard, not a speed test
RECOVERY_SECONDS = 20.0


@pytest.fixture(scope="module")
def database() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL of the test's own (started with initdb/pg_ctl), whatever the suite uses."""
    reason = postgres_unavailable_reason()
    if reason:
        pytest.skip(f"cannot start a throwaway PostgreSQL for the fault test: {reason}")
    pg = ThrowawayPostgres()
    try:
        pg.start()
        migrate.upgrade(pg.url)
        yield pg
    finally:
        pg.destroy()


@dataclass
class Sent:
    key: str
    problem_id: int
    status: int  # 0: no HTTP answer at all
    seconds: float
    at: float
    body: Any = None
    retry_after: str | None = None


@dataclass
class Load:
    """Students submitting answers in a loop until stopped."""

    base: str
    students: list[tuple[dict[str, str], int]]
    sent: list[Sent] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, index: int) -> None:
        headers, problem_id = self.students[index]
        url = f"{self.base}/api/v1/problems/{problem_id}/attempts"
        with requests.Session() as session:
            while not self.stop.is_set():
                key = f"load-{index}-{uuid.uuid4().hex}"
                started = time.perf_counter()
                r = None
                try:
                    r = session.post(url, json={"answer": "1, 1, 1"}, timeout=30,
                                     headers={**headers, "Idempotency-Key": key})
                    status, body, retry = r.status_code, r.json(), r.headers.get("Retry-After")
                except (requests.RequestException, ValueError) as exc:
                    status, retry = 0, None
                    body = f"{exc!r} {r.status_code if r is not None else ''} " \
                           f"{r.text[:300] if r is not None else ''}"
                done = time.perf_counter()
                with self.lock:
                    self.sent.append(Sent(key, problem_id, status, done - started, done, body,
                                          retry))
                time.sleep(0.02 if status == 201 else 0.1)  # a client backs off a little


@pytest.mark.slow
def test_database_outage_gives_fast_503s_and_recovers_without_losing_attempts(
        database: ThrowawayPostgres, tmp_path):
    env = {"QUIZSVC_DATABASE_URL": database.url, "QUIZSVC_SECRET_KEY": "fault-test-secret",
           "QUIZSVC_RATELIMIT_ENABLED": "0", "QUIZSVC_PRACTICE_MAX_ATTEMPTS": "0"}
    with gunicorn(env, workers=2, threads=8, log=tmp_path / "gunicorn.log") as base:
        app = make_app(database.url)
        students = []
        for i in range(STUDENTS):
            _, token = new_account(app, "student", f"load{i}@example.edu")
            r = requests.post(base + "/api/v1/problems", headers=bearer(token), timeout=30,
                              json={"family": "conv_output_shape", "seed": i})
            assert r.status_code == 201, r.text
            students.append((bearer(token), r.json()["id"]))
        app.extensions["quizsvc.db"]["engine"].dispose()

        load = Load(base, students)
        threads = [threading.Thread(target=load.run, args=(i,)) for i in range(STUDENTS)]
        for t in threads:
            t.start()
        windows, recoveries = [], []
        try:
            time.sleep(2)
            for mode in ("fast", "immediate"):
                down_at = time.perf_counter()
                database.stop(mode)
                stopped_at = time.perf_counter()
                time.sleep(3)
                ready = requests.get(base + "/readyz", timeout=10)
                assert ready.status_code == 503 and ready.json()["code"] == 503
                restart_at = time.perf_counter()  # it may accept connections before start() returns
                database.start()
                up_at = time.perf_counter()
                windows.append((mode, down_at, stopped_at, restart_at))
                recoveries.append(_wait_for_recovery(load, up_at))
                time.sleep(2)
            assert requests.get(base + "/readyz", timeout=10).status_code == 200
        finally:
            load.stop.set()
            for t in threads:
                t.join(60)

        sent = list(load.sent)
        statuses = {}
        for s in sent:
            statuses[s.status] = statuses.get(s.status, 0) + 1
        assert set(statuses) <= {201, 503}, (statuses, [s.body for s in sent  # no 500, no drop
                                                        if s.status not in (201, 503)][:3])
        outage = [s for s in sent if any(stopped < s.at - s.seconds and s.at < up
                                         for _, _, stopped, up in windows)]
        assert len(outage) > 20 and all(s.status == 503 for s in outage), (
            [(s.status, s.body) for s in outage if s.status != 503][:5])
        unavailable = [s for s in sent if s.status == 503]
        slowest = max(s.seconds for s in unavailable)
        assert slowest < MAX_503_SECONDS, f"a 503 took {slowest:.2f} s"
        for s in unavailable:
            assert set(s.body) == {"code", "status", "message", "errors"} and s.body["code"] == 503
            assert "database" in s.body["message"] and s.retry_after == "5"

        # Send every unanswered request again, with its key: it is recorded once, or replayed.
        by_problem = {pid: h for h, pid in students}

        def again(s: Sent) -> requests.Response:
            return requests.post(f"{base}/api/v1/problems/{s.problem_id}/attempts", timeout=30,
                                 json={"answer": "1, 1, 1"},
                                 headers={**by_problem[s.problem_id], "Idempotency-Key": s.key})

        with ThreadPoolExecutor(STUDENTS) as pool:
            retries = list(pool.map(again, [s for s in sent if s.status != 201]))
        assert {r.status_code for r in retries} <= {201}, [r.text for r in retries][:3]
        replayed = sum(r.headers.get("Idempotent-Replayed") == "true" for r in retries)
    lost, doubled, stored = _check_rows(database.url, sent, [pid for _, pid in students])
    assert lost == [] and doubled == []
    record_figures("faults", {
        "backend": "postgresql (throwaway, pg_ctl)", "server": "gunicorn 2x8",
        "faults_injected": len(windows), "modes": [w[0] for w in windows],
        "requests": len(sent), "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "during_outage": len(outage), "slowest_503_seconds": round(slowest, 3),
        "recovery_seconds": [round(r, 2) for r in recoveries],
        "retried_with_same_key": len(retries),
        "committed_but_unanswered": replayed, "attempts_stored": stored,
        "lost": len(lost), "doubled": len(doubled), "half_written": 0})


def _wait_for_recovery(load: Load, up_at: float) -> float:
    """Return how long after the database came back the first 201 was answered."""
    deadline = time.perf_counter() + RECOVERY_SECONDS
    while time.perf_counter() < deadline:
        with load.lock:
            first = next((s.at for s in load.sent if s.status == 201 and s.at - s.seconds > up_at),
                         None)
        if first is not None:
            return first - up_at
        time.sleep(0.1)
    raise AssertionError(f"no 201 within {RECOVERY_SECONDS} s of the database coming back")


def _check_rows(url: str, sent: list[Sent], problem_ids: list[int]) -> tuple[list, list, int]:
    """Return (keys sent but not stored, keys stored twice, rows); check the rows are whole."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = list(conn.execute(select(Attempt.problem_id, Attempt.seq, Attempt.idempotency_key,
                                            Attempt.score, Attempt.fields)
                                     .where(Attempt.problem_id.in_(problem_ids))))
            counters = dict(conn.execute(select(Problem.id, Problem.attempt_count)
                                         .where(Problem.id.in_(problem_ids))).all())
            nulls = conn.scalar(select(func.count()).select_from(Attempt)
                                .where(Attempt.score.is_(None) | Attempt.fields.is_(None)))
    finally:
        engine.dispose()
    assert nulls == 0 and all(r.fields for r in rows)  # every attempt has its grade
    for pid in problem_ids:
        seqs = sorted(r.seq for r in rows if r.problem_id == pid)
        assert seqs == list(range(1, len(seqs) + 1)) and counters[pid] == len(seqs), pid
    stored = Counter(r.idempotency_key for r in rows)
    doubled = sorted(k for k, n in stored.items() if n > 1)
    lost = sorted({s.key for s in sent} - set(stored))
    assert sum(stored.values()) == len(sent)  # one row per request sent, no more
    return lost, doubled, len(rows)


@requires_postgres
def test_connection_lost_after_the_answer_keeps_the_answer(tmp_path):
    """The request's transaction is rolled back at teardown; if the server is gone by then,
    the answer stands (it used to become gunicorn's HTML 500)."""
    schema = f"quizsvc_hardening_teardown_{worker_name()}"
    url = fresh_schema(TEST_POSTGRES_URL, schema)
    try:
        migrate.upgrade(url)
        app = make_app(url)

        @app.route("/_test/read-then-lose-connection")
        def read_then_lose() -> dict:
            from quizsvc.extensions import db

            backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            killer = create_engine(url, isolation_level="AUTOCOMMIT")
            with killer.connect() as conn:  # the transaction stays open, its server goes away
                conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": backend})
            killer.dispose()
            return {"read": True}

        client = app.test_client()
        r = client.get("/_test/read-then-lose-connection")
        assert r.status_code == 200 and r.json == {"read": True}
        assert client.get("/readyz").status_code == 200  # the pool connected anew
        app.extensions["quizsvc.db"]["engine"].dispose()
    finally:
        drop_schema(TEST_POSTGRES_URL, schema)
