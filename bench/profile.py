"""Profile one graded attempt: ``python -m bench.profile [--requests N] [--sqlite]``.

In process (Flask's test client, the app as `make serve` builds it: rate limits on,
memory storage unless QUIZSVC_RATELIMIT_STORAGE_URL says otherwise), against a
throwaway PostgreSQL database (or SQLite with ``--sqlite``), the requests of the
API benchmark: ``POST /api/v1/problems/{id}/attempts`` by a class of students,
half right, half a catalogued mistake. Prints the SQL statements each request
sends (counted by a SQLAlchemy ``before_cursor_execute`` listener, BEGIN and
COMMIT included), then cProfile's top functions. Counts, not timings, decide
what to change: they do not move with the neighbours' load.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import os
import pstats
import secrets
import time
from contextlib import nullcontext
from typing import Any

from bench.common import Context, family_cells
from bench.engine import typed, wrong_answer
from bench.pg import throwaway_database

STUDENTS = 40


def build(url: str) -> tuple[Any, list[dict[str, Any]]]:
    """Migrate `url`, create a class with one problem each; return the app and the requests."""
    from bench.api import quizsvc_cli
    from quizsvc.app import create_app

    env = {"QUIZSVC_DATABASE_URL": url, "QUIZSVC_SECRET_KEY": secrets.token_hex(32)}
    quizsvc_cli(["db", "upgrade"], env)
    instructor = quizsvc_cli(["create-user", "--role", "instructor", "--name", "bench"],
                             env).strip().splitlines()[-1]
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": env["QUIZSVC_SECRET_KEY"],
                      "PRACTICE_MAX_ATTEMPTS": 0, "LTI_PASSBACK_WORKER": "off",
                      "RATELIMIT_ATTEMPTS": "100000 per minute",
                      "RATELIMIT_DEFAULT": "100000 per minute"})
    client = app.test_client()
    roster = "email,name\n" + "".join(f"p{i}@bench.example,P {i}\n" for i in range(STUDENTS))
    rows = client.post("/api/v1/users/roster?tokens=true", data=roster,
                       headers={"Authorization": f"Bearer {instructor}",
                                "Content-Type": "text/csv"}).get_json()["rows"]
    cells = family_cells()
    requests = []
    for i, row in enumerate(rows):
        fam, level = cells[i % len(cells)]
        seed = 7_000_000 + i
        auth = {"Authorization": f"Bearer {row['token']}"}
        pid = client.post("/api/v1/problems", json={"family": fam.name, "level": level,
                                                    "seed": seed}, headers=auth).get_json()["id"]
        problem = fam.generate(seed, level)
        answer = ({f["name"]: typed(problem.answer[f["name"]]) for f in problem.answer_spec}
                  if i % 2 == 0 else wrong_answer(fam, problem))
        requests.append({"path": f"/api/v1/problems/{pid}/attempts", "headers": auth,
                         "json": {"answer": answer}})
    return app, requests


_SAVED: dict[str, Any] = {}


def _count_round_trips(undo: bool = False) -> collections.Counter[str]:
    """Count what psycopg sends the server: queries, and the commands it sends by itself
    (BEGIN, COMMIT, ROLLBACK, the pool's ping) which no SQLAlchemy cursor event sees."""
    import psycopg
    from psycopg._connection_base import BaseConnection

    if undo:
        BaseConnection._exec_command = _SAVED["exec"]  # type: ignore[method-assign]
        psycopg.Cursor.execute = _SAVED["execute"]  # type: ignore[method-assign]
        return collections.Counter()
    trips: collections.Counter[str] = collections.Counter()
    _SAVED.update(exec=BaseConnection._exec_command, execute=psycopg.Cursor.execute)

    def exec_command(self, command, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        text = command.decode() if isinstance(command, bytes) else str(command)
        trips["command " + text.split()[0].upper()] += 1
        return _SAVED["exec"](self, command, *a, **k)

    def execute(self, query, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        text = query.decode() if isinstance(query, bytes) else str(query)
        trips["query " + " ".join(text.split()[:2]).upper()] += 1
        return _SAVED["execute"](self, query, *a, **k)

    BaseConnection._exec_command = exec_command  # type: ignore[method-assign]
    psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    return trips


def profile(app: Any, requests: list[dict[str, Any]], n: int, top: int) -> dict[str, Any]:
    """Send `n` attempts; return statements per request and the profile text."""
    from sqlalchemy import event

    from quizsvc.extensions import db

    client = app.test_client()
    counts: collections.Counter[str] = collections.Counter()
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        counts[" ".join(statement.split())[:90]] += 1

    def begin(conn):  # noqa: ANN001
        counts["BEGIN (implicit)"] += 1

    def commit(conn):  # noqa: ANN001
        counts["COMMIT"] += 1

    def rollback(conn):  # noqa: ANN001
        counts["ROLLBACK"] += 1

    trips = _count_round_trips() if "postgresql" in str(engine.url) else None
    for r in requests[:10]:  # warm up: first-request work (schema check, caches)
        client.post(r["path"], json=r["json"], headers=r["headers"])
    event.listen(engine, "before_cursor_execute", count)
    if trips is not None:
        trips.clear()
    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)
    # CPU time, not elapsed: waits on the database (and on the neighbours) count for nothing.
    prof = cProfile.Profile(time.process_time)
    statuses: collections.Counter[int] = collections.Counter()
    prof.enable()
    for i in range(n):
        r = requests[i % len(requests)]
        statuses[client.post(r["path"], json=r["json"], headers=r["headers"]).status_code] += 1
    prof.disable()
    event.remove(engine, "before_cursor_execute", count)
    round_trips = dict(trips) if trips is not None else {}
    if trips is not None:
        _count_round_trips(undo=True)
    for name, fn in (("begin", begin), ("commit", commit), ("rollback", rollback)):
        event.remove(engine, name, fn)
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    stats.dump_stats(os.environ.get("QUIZSVC_PROFILE_DUMP", "/tmp/quizsvc-attempt.prof"))
    calls = sum(v[1] for v in stats.stats.values())  # type: ignore[attr-defined]
    with app.app_context():
        db.engine.dispose()
    return {"statements": counts, "round_trips": round_trips, "statuses": statuses, "profile": out.getvalue(),
            "calls_per_request": calls / n, "seconds_per_request": stats.total_tt / n}  # type: ignore[attr-defined]


def cpu_ms(client: Any, requests: list[dict[str, Any]], n: int) -> float:
    """Return the CPU ms per attempt of `client`'s app, without the profiler, median of 3 rounds."""
    rounds = []
    for _ in range(3):
        c0 = time.process_time()
        for i in range(n):
            r = requests[i % len(requests)]
            client.post(r["path"], json=r["json"], headers=r["headers"])
        rounds.append((time.process_time() - c0) / n * 1000)
    return sorted(rounds)[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "QUIZSVC_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args(argv)
    ctx = Context()
    where = (nullcontext(f"sqlite:///{ctx.workdir / 'profile.sqlite3'}") if args.sqlite
             else throwaway_database(args.postgres_url, "profile"))
    with where as url:
        app, requests = build(url)
        ours = cpu_ms(app.test_client(), requests, args.requests // 2)
        os.environ["QUIZSVC_DATABASE_URL"] = url
        from bench import floor

        floor_ms = cpu_ms(floor.app.test_client(), requests, args.requests // 2)
        for conn in floor.CONNECTIONS:
            conn.close()
        res = profile(app, requests, args.requests, args.top)
    n = args.requests
    print(f"{n} requests, statuses {dict(res['statuses'])}; "
          f"{sum(res['statements'].values()) / n:.2f} statements per request "
          f"(BEGIN/COMMIT included), {res['calls_per_request']:,.0f} Python function calls "
          f"per request, {res['seconds_per_request'] * 1000:.2f} ms per request under cProfile")
    print(f"CPU ms per attempt in process, without the profiler: quizsvc {ours:.2f}, "
          f"floor (bench/floor.py, same requests) {floor_ms:.2f}, ratio {floor_ms / ours:.2f}")
    for statement, k in res["statements"].most_common():
        print(f"  {k / n:5.2f}  {statement}")
    if res["round_trips"]:
        print(f"PostgreSQL round trips per request (psycopg level, the pool's ping included): "
              f"{sum(res['round_trips'].values()) / n:.2f}")
        for what, k in sorted(res["round_trips"].items(), key=lambda kv: -kv[1]):
            print(f"  {k / n:5.2f}  {what}")
    print(res["profile"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
