"""API throughput: gunicorn on loopback, driven by a separate load process.

For each database (SQLite, then PostgreSQL in a throwaway database), with the
same gunicorn settings: the bare Flask baseline (`bench.bare`), then quizsvc's
``POST /api/v1/problems`` and ``POST /api/v1/problems/{id}/attempts``, each at
32 connections after a short warm-up. The requests come from a class of 1,000
students, each with their own token (imported as a CSV roster), since the
service limits requests per token; attempts go to one problem per student,
created beforehand with a known seed, half with the right answer and half
with a catalogued mistake. Ad hoc problems get unlimited attempts for the run
(``QUIZSVC_PRACTICE_MAX_ATTEMPTS=0``), so every request grades and writes.
The headline is grading throughput over bare-endpoint throughput.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import load, server
from bench.common import ROOT, Context, Skip, family_cells
from bench.engine import typed, wrong_answer
from bench.pg import throwaway_database

CONNECTIONS = 32
RATIO_GOAL = 0.5
FLOOR_RATIO_GOAL = 0.5  # POST /attempts at least half the floor's throughput...
FLOOR_P99_GOAL = 2.0  # ...and at most twice its p99
P99_GOAL_MS = 50.0
STUDENTS = 1000
# Runs of 2 s before POST /attempts (and the floor) are measured. A correct answer's worked
# solution is rendered once per variant and worker; each run sends every problem about 1.5
# times over connections the kernel spreads across the two workers, so after k runs about
# 2^-k of the variants are still cold in a given worker: 4 runs leave about 6% of them.
ATTEMPT_WARMUPS = 4


def quizsvc_cli(args: list[str], env: dict[str, str]) -> str:
    """Run the `quizsvc` command; return its standard output."""
    script = Path(sys.executable).with_name("quizsvc")
    cmd = [str(script)] if script.exists() else [sys.executable, "-c",
                                                 "from quizsvc.cli import main; main()"]
    proc = subprocess.run(cmd + args, cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)
    if proc.returncode:
        raise RuntimeError(f"quizsvc {' '.join(args)} failed: {proc.stderr.strip()[-600:]}")
    return proc.stdout


def _post(port: int, path: str, token: str, body: Any, content_type: str = "application/json"
          ) -> dict[str, Any]:
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST", data=data,
                                 headers={"Content-Type": content_type,
                                          "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def _measure(ctx: Context, wrk: str | None, port: int, requests: list[dict[str, Any]],
             name: str, seconds: float, warmups: int = 1) -> dict[str, Any]:
    """Warm up (`warmups` runs of up to 2 s; the first one's figures are kept as `cold`), then
    measure `seconds`."""
    cold = None
    for k in range(warmups):
        run = load.drive(ctx, wrk, port, requests, connections=CONNECTIONS,
                         seconds=min(2, seconds), name=f"{name}-warmup{k}")
        cold = cold or run
    result = load.drive(ctx, wrk, port, requests, connections=CONNECTIONS, seconds=seconds,
                        name=name)
    ctx.log(f"api: {name}: {result['requests_per_s']:,.0f} req/s, p50 {result['p50_ms']} ms, "
            f"p99 {result['p99_ms']} ms, {result['errors']} errors; first warm-up "
            f"{cold['requests_per_s']:,.0f} req/s, p99 {cold['p99_ms']} ms")
    return {**result, "cold": {k: cold[k] for k in ("requests_per_s", "p50_ms", "p99_ms")}}


def cpu_per_request(ctx: Context, env: dict[str, str], create: list[dict[str, Any]],
                    attempts: list[dict[str, Any]], n: int) -> dict[str, float]:
    """Return the CPU ms one request costs in process (Flask's test client), per endpoint.

    A noise-free companion to the throughput figures: on a shared machine the
    elapsed rates move with the neighbours' load, CPU per request much less.
    PostgreSQL's own work is not included.
    """
    from bench.bare import app as bare_app
    from quizsvc.app import create_app

    from quizsvc.extensions import db

    app = create_app({"DATABASE_URL": env["QUIZSVC_DATABASE_URL"],
                      "SECRET_KEY": env["QUIZSVC_SECRET_KEY"], "PRACTICE_MAX_ATTEMPTS": 0,
                      "LTI_PASSBACK_WORKER": "off"})

    def cost(client, requests: list[dict[str, Any]]) -> float:
        def send(r: dict[str, Any]) -> None:
            headers = {"Authorization": r["auth"]} if r.get("auth") else {}
            resp = client.open(r["path"], method=r["method"], json=r["body"], headers=headers)
            if resp.status_code >= 400:
                raise RuntimeError(f"{r['method']} {r['path']}: {resp.status_code} "
                                   f"{resp.get_data(True)[:300]}")
        for r in requests[:10]:
            send(r)
        c0 = time.process_time()
        for i in range(n):
            send(requests[(10 + i) % len(requests)])
        return round((time.process_time() - c0) / n * 1000, 3)

    out = {"bare": cost(bare_app.test_client(), [{"method": "POST", "path": "/bare",
                                                  "body": {"answer": "[16, 32, 32]"}}]),
           "problems": cost(app.test_client(), create),
           "attempts": cost(app.test_client(), attempts)}
    with app.app_context():
        db.engine.dispose()  # the throwaway database is dropped next: leave no connection behind
    ctx.log(f"api: CPU per request in process: {out}")
    return out


def run_backend(ctx: Context, wrk: str | None, backend: str, url: str, seconds: float,
                n_students: int) -> dict[str, Any]:
    """Measure bare, POST /problems and POST /attempts against one database.

    A class of `n_students` students, each with their own token (the service
    limits requests per token, as it should), each with one problem.
    """
    env = {"QUIZSVC_DATABASE_URL": url, "QUIZSVC_SECRET_KEY": secrets.token_hex(32),
           "QUIZSVC_PRACTICE_MAX_ATTEMPTS": "0", "QUIZSVC_LTI_PASSBACK_WORKER": "off"}
    quizsvc_cli(["db", "upgrade"], env)
    instructor = quizsvc_cli(["create-user", "--role", "instructor", "--name", "bench"],
                             env).strip().splitlines()[-1]
    out: dict[str, Any] = {}

    with server.gunicorn("bench.bare:app", {}, ctx.workdir / f"bare-{backend}.log") as port:
        out["bare"] = _measure(ctx, wrk, port, [{"method": "POST", "path": "/bare",
                                                 "body": {"answer": "[16, 32, 32]"}}],
                               f"{backend}-bare", seconds)

    cells = family_cells()
    log = ctx.workdir / f"quizsvc-{backend}.log"
    with server.gunicorn("wsgi:app", env, log, health="/healthz") as port:
        roster = "email,name\n" + "".join(f"s{i}@bench.example,Student {i}\n"
                                           for i in range(n_students))
        rows = _post(port, "/api/v1/users/roster?tokens=true", instructor, roster, "text/csv")["rows"]
        tokens = [r["token"] for r in rows]

        create = [{"method": "POST", "path": "/api/v1/problems", "auth": f"Bearer {tokens[i]}",
                   "body": {"family": fam.name, "level": level}}
                  for i, (fam, level) in ((i, cells[i % len(cells)]) for i in range(n_students))]
        out["problems"] = _measure(ctx, wrk, port, create, f"{backend}-problems", seconds)

        # One problem per student with a known seed, so that the bench knows its key.
        def make(i: int) -> dict[str, Any]:
            fam, level = cells[i % len(cells)]
            seed = 7_000_000 + i
            pid = _post(port, "/api/v1/problems", tokens[i],
                        {"family": fam.name, "level": level, "seed": seed})["id"]
            problem = fam.generate(seed, level)
            answer = ({f["name"]: typed(problem.answer[f["name"]]) for f in problem.answer_spec}
                      if i % 2 == 0 else wrong_answer(fam, problem))
            return {"method": "POST", "path": f"/api/v1/problems/{pid}/attempts",
                    "auth": f"Bearer {tokens[i]}", "body": {"answer": answer}}

        with ThreadPoolExecutor(8) as pool:
            attempts = list(pool.map(make, range(n_students)))
        # Warm-ups (ATTEMPT_WARMUPS): the first answers of each variant in each worker render
        # its worked solution (a visible key); after some passes over the class's problems the
        # render caches hold nearly all of them and what is measured is the steady state. The
        # first warm-up's figures are reported too ("cold").
        out["attempts"] = _measure(ctx, wrk, port, attempts, f"{backend}-attempts", seconds,
                                   warmups=ATTEMPT_WARMUPS)
    # The floor: the same SQL and the same grader on bare Flask, same gunicorn, same database,
    # the same requests (the problems allow unlimited attempts, so both keep writing), warmed
    # up as long.
    with server.gunicorn("bench.floor:app", {"QUIZSVC_DATABASE_URL": url},
                         ctx.workdir / f"floor-{backend}.log") as port:
        out["floor"] = _measure(ctx, wrk, port, attempts, f"{backend}-floor", seconds,
                                warmups=ATTEMPT_WARMUPS)
    out["cpu_ms_per_request"] = cpu_per_request(ctx, env, create, attempts, 40 if ctx.quick else 200)
    out["students"] = n_students
    out["ratio_attempts_to_bare"] = round(out["attempts"]["requests_per_s"]
                                          / out["bare"]["requests_per_s"], 3)
    out["ratio_problems_to_bare"] = round(out["problems"]["requests_per_s"]
                                          / out["bare"]["requests_per_s"], 3)
    out["ratio_attempts_to_floor"] = round(out["attempts"]["requests_per_s"]
                                           / max(out["floor"]["requests_per_s"], 1e-9), 3)
    out["p99_attempts_over_floor"] = round(out["attempts"]["p99_ms"]
                                           / max(out["floor"]["p99_ms"], 0.001), 3)
    return out


def run(ctx: Context) -> dict[str, Any]:
    try:
        import wsgi  # noqa: F401 - the service's entry point must import
        from quizsvc import families  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import failure means "not ready"
        raise Skip(f"the service does not import yet (wsgi.py): {exc}") from None
    if not shutil.which("gunicorn", path=str(Path(sys.executable).parent)) and \
            not shutil.which("gunicorn"):
        raise Skip("gunicorn is not installed")
    wrk = load.ensure_wrk(ctx)
    seconds = 1.0 if ctx.quick else 8.0
    n_students = 40 if ctx.quick else STUDENTS
    backends: dict[str, Any] = {}
    skipped: dict[str, str] = {}

    sqlite_url = f"sqlite:///{ctx.workdir / 'api-bench.sqlite3'}"
    backends["sqlite"] = run_backend(ctx, wrk, "sqlite", sqlite_url, seconds, n_students)
    try:
        with throwaway_database(ctx.postgres_url, "api") as pg_url:
            backends["postgresql"] = run_backend(ctx, wrk, "postgresql", pg_url, seconds,
                                                 n_students)
    except Skip as exc:
        skipped["postgresql"] = str(exc)
        ctx.log(f"api: PostgreSQL skipped: {exc}")

    pg = backends.get("postgresql")
    ctx.target("api: POST /attempts / floor (same SQL, raw psycopg, bare Flask) throughput, "
               "PostgreSQL", pg["ratio_attempts_to_floor"] if pg else None, FLOOR_RATIO_GOAL, "x",
               note=(f"{pg['attempts']['requests_per_s']:,.0f} vs "
                     f"{pg['floor']['requests_per_s']:,.0f} req/s" if pg
                     else skipped.get("postgresql", "")))
    ctx.target("api: POST /attempts p99 / floor p99, PostgreSQL",
               pg["p99_attempts_over_floor"] if pg else None, FLOOR_P99_GOAL, "x",
               higher_is_better=False,
               note=(f"{pg['attempts']['p99_ms']} vs {pg['floor']['p99_ms']} ms" if pg
                     else skipped.get("postgresql", "")))
    sq = backends.get("sqlite")
    if sq:
        ctx.log(f"api: SQLite POST /attempts / floor {sq['ratio_attempts_to_floor']}x, "
                f"p99 {sq['p99_attempts_over_floor']}x the floor's")
    ctx.target("api: grading endpoint / bare Flask throughput, PostgreSQL",
               pg["ratio_attempts_to_bare"] if pg else None, RATIO_GOAL, "x",
               note=(f"{pg['attempts']['requests_per_s']:,.0f} vs {pg['bare']['requests_per_s']:,.0f}"
                     " req/s" if pg else skipped.get("postgresql", "")))
    ctx.target("api: grading endpoint p99 at 32 connections, PostgreSQL",
               pg["attempts"]["p99_ms"] if pg else None, P99_GOAL_MS, "ms", higher_is_better=False,
               note=f"p50 {pg['attempts']['p50_ms']} ms" if pg else skipped.get("postgresql", ""))
    cpu_table = [[backend, res["cpu_ms_per_request"]["bare"], res["cpu_ms_per_request"]["problems"],
                  res["cpu_ms_per_request"]["attempts"],
                  round(res["cpu_ms_per_request"]["bare"] / res["cpu_ms_per_request"]["attempts"], 3)]
                 for backend, res in backends.items()]
    table = []
    for backend, res in backends.items():
        for name in ("bare", "floor", "problems", "attempts"):
            r = res[name]
            table.append([backend, {"bare": "bare Flask POST /bare",
                                    "floor": "floor: same SQL + grader, bare Flask",
                                    "problems": "POST /api/v1/problems",
                                    "attempts": "POST /api/v1/problems/{id}/attempts"}[name],
                          r["requests_per_s"], r["p50_ms"], r["p99_ms"], r["errors"],
                          round(r["requests_per_s"] / max(res["bare"]["requests_per_s"], 1e-9), 3),
                          round(r["requests_per_s"] / max(res["floor"]["requests_per_s"], 1e-9),
                                3)])
            if name == "attempts" and r.get("cold"):
                c = r["cold"]
                table.append([backend, "  the same, first 2 s after start (render caches empty)",
                              c["requests_per_s"], c["p50_ms"], c["p99_ms"], "",
                              round(c["requests_per_s"] / max(res["bare"]["requests_per_s"], 1e-9), 3),
                              round(c["requests_per_s"] / max(res["floor"]["cold"]["requests_per_s"],
                                                              1e-9), 3)])
    tool = next(iter(backends.values()))["bare"]["tool"]
    return {"backends": backends, "skipped_backends": skipped, "load_tool": tool,
            "gunicorn": server.settings(), "connections": CONNECTIONS, "seconds": seconds,
            "tables": [(f"API at {CONNECTIONS} connections, {seconds:g} s each, load from {tool}; "
                        f"gunicorn {server.settings()['args']}",
                        ["database", "endpoint", "req/s", "p50 ms", "p99 ms", "errors", "x bare",
                         "x floor"],
                        table),
                       ("CPU ms per request in process (Flask test client; the database server's "
                        "work not included)", ["database", "bare", "POST /problems",
                                               "POST /attempts", "bare / attempts"], cpu_table)]}
