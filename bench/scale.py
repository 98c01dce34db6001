"""Scale-out check: two app instances on one PostgreSQL and one Redis, the load spread over both.

Two gunicorn servers of ``wsgi:app`` (each as `make serve` runs it) share a
throwaway PostgreSQL database and a Redis (``QUIZSVC_BENCH_REDIS_URL``,
default redis://127.0.0.1:6379/0, under a key prefix of this run's own, deleted
afterwards). Requests alternate between the two, all sent at once from threads:

- attempt limit: 40 answers to one problem allowing 3: exactly 3 accepted
  (201), the rest refused (409), 3 rows stored;
- idempotency: 20 retries of one answer with one Idempotency-Key: one row
  stored, every answer names that attempt;
- rate limit: 80 requests of one token, the limit 50 per minute (Redis
  storage): exactly 50 pass, 30 get 429; each instance alone would have let
  40 through, so the count is global.

- LTI passbacks (bench/scale_lti.py): both instances run the background
  sender against a counting local platform; every score marked sent reached
  the platform exactly once.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench import server
from bench.api import quizsvc_cli
from bench.common import Context, Skip
from bench.pg import throwaway_database

ANSWERS, MAX_ATTEMPTS = 40, 3
RETRIES = 20
RATE_REQUESTS, RATE_LIMIT = 80, 50


def _send(port: int, method: str, path: str, token: str, body: Any = None,
          headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=data,
                                 headers={"Content-Type": "application/json",
                                          "Authorization": f"Bearer {token}", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _redis(url: str) -> Any:
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        return client
    except Exception as exc:  # noqa: BLE001 - any failure means no Redis to share
        raise Skip(f"Redis is not reachable at {url} ({type(exc).__name__}): the instances "
                   "would have nothing to share their rate limits through") from None


def _all_at_once(calls: list[Any]) -> list[Any]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def check(ports: list[int], tokens: list[str]) -> dict[str, Any]:
    """Run the three checks with students tokens[0..2]; return their counts."""
    def problem(token: str) -> int:
        status, body = _send(ports[0], "POST", "/api/v1/problems", token,
                             {"family": "conv_output_shape", "level": "easy", "seed": 5})
        assert status == 201, (status, body)
        return body["id"]

    out: dict[str, Any] = {}
    pid = problem(tokens[0])
    answer = {"answer": {"shape": "1, 1, 1"}}
    replies = _all_at_once([
        (lambda i=i: _send(ports[i % 2], "POST", f"/api/v1/problems/{pid}/attempts", tokens[0],
                           answer)) for i in range(ANSWERS)])
    _, stored = _send(ports[1], "GET", f"/api/v1/problems/{pid}/attempts", tokens[0])
    codes = [s for s, _ in replies]
    out["attempt_limit"] = {"sent": ANSWERS, "allowed": MAX_ATTEMPTS,
                            "accepted": codes.count(201), "refused_409": codes.count(409),
                            "other": len(codes) - codes.count(201) - codes.count(409),
                            "stored": stored["total"],
                            "ok": codes.count(201) == MAX_ATTEMPTS == stored["total"]
                            and codes.count(409) == ANSWERS - MAX_ATTEMPTS}

    pid = problem(tokens[1])
    key = secrets.token_hex(8)
    replies = _all_at_once([
        (lambda i=i: _send(ports[i % 2], "POST", f"/api/v1/problems/{pid}/attempts", tokens[1],
                           answer, {"Idempotency-Key": key})) for i in range(RETRIES)])
    _, stored = _send(ports[0], "GET", f"/api/v1/problems/{pid}/attempts", tokens[1])
    ids = {body.get("id") for s, body in replies if s == 201}
    out["idempotency"] = {"sent": RETRIES, "accepted": sum(s == 201 for s, _ in replies),
                          "distinct_attempts_named": len(ids), "stored": stored["total"],
                          "ok": stored["total"] == 1 and len(ids) == 1
                          and all(s == 201 for s, _ in replies)}

    replies = _all_at_once([(lambda i=i: _send(ports[i % 2], "GET", "/api/v1/me", tokens[2]))
                            for i in range(RATE_REQUESTS)])
    codes = [s for s, _ in replies]
    out["rate_limit"] = {"sent": RATE_REQUESTS, "limit": RATE_LIMIT,
                         "passed": codes.count(200), "refused_429": codes.count(429),
                         "per_instance_alone_would_pass": RATE_REQUESTS // 2,
                         "ok": codes.count(200) == RATE_LIMIT
                         and codes.count(429) == RATE_REQUESTS - RATE_LIMIT}
    return out


def run(ctx: Context) -> dict[str, Any]:
    import os

    redis_url = os.environ.get("QUIZSVC_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = _redis(redis_url)
    prefix = f"quizsvc-bench-scale-{secrets.token_hex(4)}"
    try:
        with throwaway_database(ctx.postgres_url, "scale") as url:
            env = {"QUIZSVC_DATABASE_URL": url, "QUIZSVC_SECRET_KEY": secrets.token_hex(32),
                   "QUIZSVC_PRACTICE_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
                   "QUIZSVC_RATELIMIT_STORAGE_URL": redis_url,
                   "QUIZSVC_RATELIMIT_KEY_PREFIX": prefix,
                   "QUIZSVC_RATELIMIT_DEFAULT": f"{RATE_LIMIT} per minute",
                   # Both instances run the background passback sender, sweeping every second.
                   "QUIZSVC_LTI_PASSBACK_WORKER": "thread", "QUIZSVC_LTI_PASSBACK_SWEEP": "1"}
            quizsvc_cli(["db", "upgrade"], env)
            instructor = quizsvc_cli(["create-user", "--role", "instructor", "--name", "scale"],
                                     env).strip().splitlines()[-1]
            with server.gunicorn("wsgi:app", env, ctx.workdir / "scale-a.log") as a, \
                    server.gunicorn("wsgi:app", env, ctx.workdir / "scale-b.log") as b:
                roster = "email,name\n" + "".join(f"scale{i}@bench.example,S {i}\n"
                                                   for i in range(3))
                req = urllib.request.Request(
                    f"http://127.0.0.1:{a}/api/v1/users/roster?tokens=true", method="POST",
                    data=roster.encode(), headers={"Content-Type": "text/csv",
                                                   "Authorization": f"Bearer {instructor}"})
                with urllib.request.urlopen(req, timeout=60) as resp:
                    tokens = [r["token"] for r in json.loads(resp.read())["rows"]]
                out = check([a, b], tokens)
                try:
                    from bench import scale_lti
                except ImportError as exc:  # the local platform lives in the test suite
                    ctx.log(f"scale: LTI passback check skipped: {exc}")
                else:
                    out["lti_passback"] = scale_lti.check(url, env["QUIZSVC_SECRET_KEY"], [a, b])
    finally:
        keys = list(client.scan_iter(f"*{prefix}*"))
        if keys:
            client.delete(*keys)
    ctx.log(f"scale: {out}")
    for name, res in out.items():
        ctx.target(f"scale-out (2 instances, 1 PostgreSQL, 1 Redis): {name} holds",
                   1.0 if res["ok"] else 0.0, 1.0, "pass",
                   note=", ".join(f"{k} {v}" for k, v in res.items() if k != "ok"))
    rows = [[name, "pass" if res["ok"] else "FAIL",
             ", ".join(f"{k} {v}" for k, v in res.items() if k != "ok")] for name, res in out.items()]
    return {"checks": out, "redis": redis_url.rsplit("@", 1)[-1],
            "tables": [("Scale-out: two gunicorn instances of wsgi:app on one PostgreSQL and one "
                        "Redis, requests alternating between them, all sent at once",
                        ["check", "result", "counts"], rows)]}
