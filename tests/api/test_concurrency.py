"""Concurrent submissions: attempt limits and Idempotency-Key hold.

Requests run in threads, each with its own connection, lined up on a barrier.
The PostgreSQL runs (row locks, real parallelism) need QUIZSVC_TEST_POSTGRES_URL;
the same tests also run on an SQLite file, where writers queue on its lock.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from quizsvc.store import migrate
from quizsvc.store.models import Attempt
from tests.conftest import TEST_POSTGRES_URL, drop_schema, fresh_schema, requires_postgres, worker_name

THREADS = 20


@pytest.fixture(scope="module", params=[
    "sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, requires_postgres])])
def shared_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('concurrency') / 'c.sqlite3'}"
        migrate.upgrade(url)
        yield url
        return
    schema = f"quizsvc_concurrency_{worker_name()}"
    url = fresh_schema(TEST_POSTGRES_URL, schema)
    migrate.upgrade(url)
    yield url
    drop_schema(TEST_POSTGRES_URL, schema)


@pytest.fixture
def conc_app(shared_url):
    from quizsvc.app import create_app
    from quizsvc.extensions import db

    app = create_app({"TESTING": True, "DATABASE_URL": shared_url, "SECRET_KEY": "k",
                      "PRACTICE_MAX_ATTEMPTS": 3})
    yield app
    with app.app_context():
        for table in ("attempts", "problems", "api_tokens", "users"):
            db.session.execute(Attempt.metadata.tables[table].delete())
        db.session.commit()
    app.extensions["quizsvc.db"]["engine"].dispose()


def setup_problem(app) -> tuple[dict, int]:
    from quizsvc.extensions import db
    from quizsvc.services import users

    with app.app_context():
        user = users.create_user(db.session, None, role="student")
        _, token = users.issue_token(db.session, user)
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    r = app.test_client().post("/api/v1/problems", json={"family": "conv_output_shape", "seed": 1},
                               headers=headers)
    assert r.status_code == 201
    return headers, r.json["id"]


def submit_all(app, problem_id: int, headers_for) -> list:  # noqa: ANN001
    barrier = threading.Barrier(THREADS)

    def one(i: int):
        client = app.test_client()
        barrier.wait()
        return client.post(f"/api/v1/problems/{problem_id}/attempts",
                           json={"answer": "1, 1, 1"}, headers=headers_for(i))

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(one, range(THREADS)))


def stored(app, problem_id: int) -> list[Attempt]:
    from quizsvc.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(Attempt).where(Attempt.problem_id == problem_id)))


def test_twenty_parallel_submissions_record_exactly_three(conc_app):
    headers, pid = setup_problem(conc_app)
    responses = submit_all(conc_app, pid, lambda i: headers)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 3 + [409] * (THREADS - 3), codes
    rows = stored(conc_app, pid)
    assert sorted(a.seq for a in rows) == [1, 2, 3]
    r = conc_app.test_client().get(f"/api/v1/problems/{pid}", headers=headers)
    assert r.json["attempts_used"] == 3 and r.json["attempts_left"] == 0


def test_same_idempotency_key_twice_records_one_attempt(conc_app):
    headers, pid = setup_problem(conc_app)
    client = conc_app.test_client()
    keyed = {**headers, "Idempotency-Key": "once"}
    a = client.post(f"/api/v1/problems/{pid}/attempts", json={"answer": "1,1,1"}, headers=keyed)
    b = client.post(f"/api/v1/problems/{pid}/attempts", json={"answer": "1,1,1"}, headers=keyed)
    assert a.status_code == b.status_code == 201 and a.json["id"] == b.json["id"]
    assert len(stored(conc_app, pid)) == 1


def test_same_idempotency_key_concurrently_records_one_attempt(conc_app):
    headers, pid = setup_problem(conc_app)
    keyed = {**headers, "Idempotency-Key": "race"}
    responses = submit_all(conc_app, pid, lambda i: keyed)
    assert {r.status_code for r in responses} == {201}, [r.json for r in responses]
    assert len({r.json["id"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == THREADS - 1
    assert len(stored(conc_app, pid)) == 1


def test_distinct_keys_concurrently_still_respect_the_limit(conc_app):
    headers, pid = setup_problem(conc_app)
    responses = submit_all(conc_app, pid, lambda i: {**headers, "Idempotency-Key": f"k{i}"})
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * (THREADS - 3)
    assert len(stored(conc_app, pid)) == 3


def test_parallel_right_answers_solve_once_and_each_reply_reports_its_own_claim(conc_app):
    """The claim's UPDATE ... RETURNING (Core, quizsvc/store/rows.py path) under a race."""
    from quizsvc.extensions import db
    from quizsvc.store.models import Problem
    from tests.api.helpers import key_of

    headers, pid = setup_problem(conc_app)
    right = ", ".join(map(str, key_of("conv_output_shape", 1)["shape"]))
    barrier = threading.Barrier(THREADS)

    def one(_i: int):
        client = conc_app.test_client()
        barrier.wait()
        return client.post(f"/api/v1/problems/{pid}/attempts", json={"answer": right},
                           headers=headers)

    with ThreadPoolExecutor(THREADS) as pool:
        responses = list(pool.map(one, range(THREADS)))
    accepted = [r.json for r in responses if r.status_code == 201]
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * (THREADS - 3)
    assert sorted(a["seq"] for a in accepted) == [1, 2, 3]
    for a in accepted:  # what each reply says is what its own claim returned
        assert a["correct"] is True
        assert a["attempts_used"] == a["seq"] and a["attempts_left"] == 3 - a["seq"]
    with conc_app.app_context():
        problem = db.session.get(Problem, pid)
        first = min(stored(conc_app, pid), key=lambda a: a.seq)
        # COALESCE kept the first claim's time: solved once, by the attempt numbered 1.
        assert problem.attempt_count == 3 and problem.solved_at == first.created_at
