"""Database scale: progress and bank analytics with 1,000,000 attempts in PostgreSQL.

A throwaway database is migrated with ``quizsvc db upgrade`` and bulk-loaded
with COPY: 5,000 students, 1,000,000 attempts at about 200,000 problems (ad hoc
practice, plus a 10-item bank assigned to 500 of the students), with
parameters, keys, grades and feedback taken from real generated and graded
problems, so that rows have their real size. Then, through the app's test
client (the whole request: auth, query, Python aggregation, JSON), the median
time of ``GET /api/v1/me/progress`` for a sample of students and of
``GET /api/v1/banks/{id}/analytics`` (and ``/results``) for the 500-student
bank. The database is dropped afterwards.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from bench.common import Context, Skip
from bench.engine import typed, wrong_answer
from bench.pg import throwaway_database

PROGRESS_GOAL_MS = 20.0
ANALYTICS_GOAL_MS = 200.0
BANK_ITEMS = 10


def _copy_text(value: Any) -> str:
    """Return one value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = value if isinstance(value, str) else (
        json.dumps(value, separators=(",", ":")) if isinstance(value, (dict, list)) else str(value))
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


class Loader:
    """COPY rows into the tables the migrations made, checking that every required column is filled."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.columns: dict[str, list[tuple[str, bool, bool]]] = {}
        for table, column, nullable, default in conn.execute(
                "SELECT table_name, column_name, is_nullable = 'YES', column_default IS NOT NULL "
                "FROM information_schema.columns WHERE table_schema = 'public' "
                "ORDER BY table_name, ordinal_position"):
            self.columns.setdefault(table, []).append((column, nullable, default))

    def copy(self, table: str, fields: list[str], rows: Iterable[list[str]]) -> int:
        """COPY `rows` (values already in COPY text format, in the order of `fields`)."""
        known = {c for c, _, _ in self.columns.get(table, [])}
        if not known:
            raise Skip(f"the schema has no table {table!r}: the bench loader needs updating")
        unknown = [f for f in fields if f not in known]
        missing = [c for c, nullable, default in self.columns[table]
                   if c not in fields and not nullable and not default]
        if unknown or missing:
            raise Skip(f"the schema of {table} changed (unknown {unknown}, unfilled required "
                       f"{missing}): the bench loader needs updating")
        n = 0
        with self.conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(fields)}) FROM STDIN") as copy:
                chunk: list[str] = []
                for row in rows:
                    chunk.append("\t".join(row))
                    n += 1
                    if len(chunk) == 5000:
                        copy.write("\n".join(chunk) + "\n")
                        chunk = []
                if chunk:
                    copy.write("\n".join(chunk) + "\n")
        return n


def _pool(per_cell: int) -> list[dict[str, Any]]:
    """Return real problems with a right and a wrong graded answer, as the service stores them."""
    from quizsvc import families
    pool = []
    for name in families.names():
        try:
            fam = families.get(name)
        except ImportError:
            continue
        for level in fam.levels:
            for seed in range(per_cell):
                p = fam.generate(seed, level)
                spec = fam.answer_spec(p.params)
                graded = []
                for answer in ({f["name"]: typed(p.answer[f["name"]]) for f in p.answer_spec},
                               wrong_answer(fam, p)):
                    g = fam.grade(p.params, p.answer, spec, answer)
                    graded.append([_copy_text(answer), _copy_text(g.parsed), repr(g.score),
                                   _copy_text(g.correct), _copy_text(g.misconception),
                                   _copy_text(list(g.alternatives)), _copy_text(g.feedback),
                                   _copy_text([{"name": f.name, "score": f.score,
                                                "correct": f.correct, "feedback": f.feedback,
                                                "given": f.given, "expected": f.expected}
                                               for f in g.fields])])
                pool.append({"family": name, "version": str(fam.version), "seed": str(seed),
                             "level": level, "params": _copy_text(p.params),
                             "key": _copy_text(p.answer), "right": graded[0], "wrong": graded[1]})
    if not pool:
        raise Skip("no problem family could be loaded")
    return pool


def load(conn, students: int, attempts_total: int, bank_students: int, rng: random.Random,
         log: Callable[[str], None]) -> dict[str, int]:
    """Bulk-load users, a bank, problems and attempts; return the row counts."""
    loader = Loader(conn)
    pool = _pool(per_cell=8)
    start = datetime(2026, 9, 1, tzinfo=timezone.utc)
    ts = lambda minutes: _copy_text(start + timedelta(minutes=minutes))  # noqa: E731
    conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
    conn.execute("SET synchronous_commit = off")

    # Users: the instructor is 1, students are 2 .. students + 1.
    loader.copy("users", ["id", "role", "name", "email", "active", "created_at", "created_by_id"],
                [[str(1), "instructor", "Bench Instructor", "instructor@bench.example", "t",
                  ts(0), "\\N"]] +
                 [[str(u), "student", f"Student {u}", f"s{u}@bench.example", "t", ts(0), "1"]
                  for u in range(2, students + 2)])
    # One course: the instructor teaches it; the bank's students are enrolled in it.
    loader.copy("courses", ["id", "title", "term", "archived", "created_by_id", "created_at"],
                [["1", "Bench course", "", "f", "1", ts(0)]])
    loader.copy("enrollments", ["id", "course_id", "user_id", "role", "created_at"],
                [["1", "1", "1", "instructor", ts(0)]] +
                [[str(u), "1", str(u), "student", ts(0)] for u in range(2, bank_students + 2)])
    loader.copy("banks", ["id", "owner_id", "course_id", "whole_course", "title", "description",
                          "max_attempts", "show_key", "created_at"],
                [["1", "1", "1", "f", "Bench bank", "", "3", "after_last_attempt", ts(0)]])
    items = [pool[(i * 7) % len(pool)] for i in range(BANK_ITEMS)]
    loader.copy("bank_items", ["id", "bank_id", "position", "family", "level", "count", "seeds"],
                [[str(i + 1), "1", str(i), it["family"], it["level"], "1", "\\N"]
                 for i, it in enumerate(items)])
    bank_users = list(range(2, bank_students + 2))
    loader.copy("bank_assignments", ["id", "bank_id", "user_id", "assigned_at"],
                [[str(i + 1), "1", str(u), ts(0)] for i, u in enumerate(bank_users)])

    # Problems and their attempts: about 200 attempts per student, 1-8 per problem.
    per_student = attempts_total // students
    problems: list[list[str]] = []
    attempts: list[list[str]] = []
    pid = aid = 0
    minute = 0
    for u in range(2, students + 2):
        left = per_student + (1 if u - 2 < attempts_total % students else 0)
        plan: list[tuple[dict, int | None]] = []
        if u in range(2, bank_students + 2):
            plan += [(items[i], i) for i in range(BANK_ITEMS)]
        while left > 0:
            for proto, item in plan or [(pool[rng.randrange(len(pool))], None)]:
                pid += 1
                n = min(left, rng.randint(1, 3) if item is not None else rng.randint(1, 8))
                left -= n
                solved = rng.random() < 0.7
                minute += 1
                problems.append([str(pid), str(u), proto["family"], proto["version"],
                                 proto["seed"], proto["level"], proto["params"], proto["key"],
                                 "1" if item is not None else "\\N",
                                 str(item) if item is not None else "\\N",
                                 "0" if item is not None else "\\N",
                                 "3" if item is not None else "\\N",
                                 "after_last_attempt" if item is not None
                                 else "after_correct_or_last_attempt",
                                 str(n), ts(minute) if solved else "\\N", ts(minute)])
                for seq in range(1, n + 1):
                    aid += 1
                    graded = proto["right"] if solved and seq == n else proto["wrong"]
                    attempts.append([str(aid), str(pid), str(u), str(seq), *graded, "\\N",
                                     ts(minute + seq)])
                if left <= 0:
                    break
            plan = []
    log(f"db: {len(problems):,} problems and {len(attempts):,} attempts generated")
    t0 = time.perf_counter()
    loader.copy("problems", ["id", "owner_id", "family", "version", "seed", "level", "params",
                             "key", "bank_id", "item_index", "variant", "max_attempts",
                             "show_key", "attempt_count", "solved_at", "created_at"], problems)
    loader.copy("attempts", ["id", "problem_id", "user_id", "seq", "raw_answer",
                             "parsed_answer", "score", "correct", "misconception",
                             "alternatives", "feedback", "fields", "idempotency_key",
                             "created_at"], attempts)
    log(f"db: COPY of problems and attempts took {time.perf_counter() - t0:.1f} s")
    for table in ("users", "courses", "enrollments", "banks", "bank_items", "bank_assignments",
                  "problems", "attempts"):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                     f"(SELECT max(id) FROM {table}))")
    conn.execute("SET session_replication_role = origin")
    conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    return {"students": students, "bank_students": bank_students, "problems": len(problems),
            "attempts": len(attempts)}


def _timings(client, path: str, token: str, repeats: int) -> list[tuple[float, float]]:
    """Return (wall ms, CPU ms of this process) of `repeats` GETs after one warm-up GET."""
    headers = {"Authorization": f"Bearer {token}"}
    out = []
    for i in range(repeats + 1):
        w0, c0 = time.perf_counter(), time.process_time()
        resp = client.get(path, headers=headers)
        cpu, wall = (time.process_time() - c0) * 1000, (time.perf_counter() - w0) * 1000
        if resp.status_code != 200:
            raise RuntimeError(f"GET {path} answered {resp.status_code}: {resp.get_data(True)[:300]}")
        if i:  # the first request warms the connection pool and caches
            out.append((wall, cpu))
    return out


def run(ctx: Context) -> dict[str, Any]:
    try:
        import psycopg
        from quizsvc.app import create_app
    except ImportError as exc:
        raise Skip(f"the service or psycopg does not import: {exc}") from None
    from bench.api import quizsvc_cli

    students, total, bank_students = ((200, 20_000, 50) if ctx.quick
                                      else (5_000, 1_000_000, 500))
    repeats = 3 if ctx.quick else 10
    rng = random.Random(6)
    with throwaway_database(ctx.postgres_url, "db") as url:
        env = {"QUIZSVC_DATABASE_URL": url, "QUIZSVC_SECRET_KEY": "bench-" + os.urandom(8).hex()}
        quizsvc_cli(["db", "upgrade"], env)
        t0 = time.perf_counter()
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
            counts = load(conn, students, total, bank_students, rng, ctx.log)
        load_s = time.perf_counter() - t0
        ctx.log(f"db: loaded in {load_s:.1f} s")

        app = create_app({"DATABASE_URL": url, "SECRET_KEY": env["QUIZSVC_SECRET_KEY"],
                          "RATELIMIT_ENABLED": False, "TESTING": True,
                          "LTI_PASSBACK_WORKER": "off"})
        from quizsvc.extensions import db
        from quizsvc.services import users
        from quizsvc.store.models import User
        with app.app_context():
            sample = rng.sample(range(2, students + 2), 10)
            tokens = {}
            for uid in [1, *sample]:
                tokens[uid] = users.issue_token(db.session, db.session.get(User, uid), "bench")[1]
            db.session.commit()
        client = app.test_client()
        progress = [ms for uid in sample
                    for ms in _timings(client, "/api/v1/me/progress", tokens[uid], repeats)]
        analytics = _timings(client, "/api/v1/banks/1/analytics", tokens[1], repeats)
        results = _timings(client, "/api/v1/banks/1/results", tokens[1], repeats)
        with app.app_context():
            db.engine.dispose()  # the throwaway database is dropped next

    def summary(samples: list[tuple[float, float]]) -> dict[str, float]:
        wall = [w for w, _ in samples]
        return {"median_ms": round(statistics.median(wall), 2), "min_ms": round(min(wall), 2),
                "max_ms": round(max(wall), 2),
                "cpu_median_ms": round(statistics.median(c for _, c in samples), 2),
                "samples": len(samples)}

    out = {"rows": counts, "load_seconds": round(load_s, 1),
           "progress": summary(progress), "analytics": summary(analytics),
           "results": summary(results)}
    ctx.target(f"db: GET /me/progress at {counts['attempts']:,} attempts (median)",
               out["progress"]["median_ms"], PROGRESS_GOAL_MS, "ms", higher_is_better=False,
               note=f"{len(sample)} students, ~{total // students} attempts each")
    ctx.target(f"db: {bank_students}-student bank analytics (median)",
               out["analytics"]["median_ms"], ANALYTICS_GOAL_MS, "ms", higher_is_better=False,
               note=f"{BANK_ITEMS} items")
    out["tables"] = [(f"Database scale, PostgreSQL: {counts['attempts']:,} attempts, "
                      f"{counts['problems']:,} problems, {students:,} students "
                      f"(loaded in {out['load_seconds']} s); app test client, elapsed ms, and the "
                      "app's own CPU ms (PostgreSQL's work not included)",
                      ["request", "median", "min", "max", "CPU median", "samples"],
                      [[name, s["median_ms"], s["min_ms"], s["max_ms"], s["cpu_median_ms"],
                        s["samples"]]
                       for name, s in (("GET /api/v1/me/progress", out["progress"]),
                                       (f"GET /api/v1/banks/1/analytics ({bank_students} students)",
                                        out["analytics"]),
                                       (f"GET /api/v1/banks/1/results ({bank_students} students)",
                                        out["results"]))])]
    return out
