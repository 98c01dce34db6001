"""Per-token rate limits: 429 in our JSON error shape, and shared across app instances
(gunicorn workers) through Redis."""

from __future__ import annotations

import uuid

import pytest

from tests.hardening.conftest import bearer, make_app, new_account

SHAPE = {"code", "status", "message", "errors"}
REDIS_URL = "redis://127.0.0.1:6379/0"


def limited_app(database_url: str, **config):  # noqa: ANN001, ANN003, ANN201
    return make_app(database_url, RATELIMIT_TESTING=True, **config)


def redis_or_skip() -> None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no Redis here
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({type(exc).__name__}): the "
                    "cross-instance rate limit test needs it")


def test_limit_gives_429_in_our_error_shape(database_url):
    app = limited_app(database_url, RATELIMIT_DEFAULT="5 per minute")
    _, token = new_account(app, "student", "a@example.edu")
    _, other = new_account(app, "student", "b@example.edu")
    client = app.test_client()
    codes = [client.get("/api/v1/me", headers=bearer(token)).status_code for _ in range(5)]
    assert codes == [200] * 5
    r = client.get("/api/v1/families", headers=bearer(token))  # the limit spans all routes
    assert r.status_code == 429 and r.is_json and set(r.json) == SHAPE
    assert r.json["code"] == 429 and "5 per 1 minute" in r.json["message"]
    assert int(r.headers["Retry-After"]) > 0 and r.headers["X-RateLimit-Limit"] == "5"
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200  # per token
    assert client.get("/healthz").status_code == 200  # probes are never limited


def test_attempts_have_their_own_tighter_limit(database_url):
    app = limited_app(database_url, RATELIMIT_ATTEMPTS="3 per minute", PRACTICE_MAX_ATTEMPTS=0)
    _, token = new_account(app, "student", "a@example.edu")
    client = app.test_client()
    pid = client.post("/api/v1/problems", headers=bearer(token),
                      json={"family": "conv_output_shape", "seed": 1}).json["id"]
    codes = [client.post(f"/api/v1/problems/{pid}/attempts", headers=bearer(token),
                         json={"answer": "1, 1, 1"}).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert client.get(f"/api/v1/problems/{pid}", headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/problems/{pid}", headers=bearer(token)).json["attempts_used"] == 3


def test_requests_without_token_count_per_address(database_url):
    app = limited_app(database_url, RATELIMIT_DEFAULT="3 per minute")
    client = app.test_client()
    a = [client.get("/api/v1/me", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code
         for _ in range(4)]
    assert a == [401, 401, 401, 429]
    assert client.get("/api/v1/me", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 401


def test_disabled_and_testing_apps_are_not_limited(database_url):
    for app in (make_app(database_url, RATELIMIT_DEFAULT="1 per minute"),  # TESTING
                make_app(database_url, RATELIMIT_TESTING=True, RATELIMIT_ENABLED=False,
                         RATELIMIT_DEFAULT="1 per minute")):
        client = app.test_client()
        assert {client.get("/healthz").status_code for _ in range(3)} == {200}
        assert {client.get("/api/v1/me").status_code for _ in range(3)} == {401}


def test_limit_holds_across_two_app_instances_sharing_redis(database_url, figures):
    """Two apps (as two gunicorn workers) share one Redis: the limit is global, not per app."""
    redis_or_skip()
    prefix = f"quizsvc-test-{uuid.uuid4().hex[:12]}"  # counters of this test only
    config = {"RATELIMIT_DEFAULT": "10 per minute", "RATELIMIT_STORAGE_URL": REDIS_URL,
              "RATELIMIT_KEY_PREFIX": prefix}
    one, two = limited_app(database_url, **config), limited_app(database_url, **config)
    assert one.extensions["quizsvc.limiter"] is not two.extensions["quizsvc.limiter"]
    _, token = new_account(one, "student", "a@example.edu")
    clients = [one.test_client(), two.test_client()]
    codes = [clients[i % 2].get("/api/v1/me", headers=bearer(token)).status_code
             for i in range(14)]
    assert codes == [200] * 10 + [429] * 4  # 5 + 5 allowed in total, then both refuse
    memory = limited_app(database_url, RATELIMIT_DEFAULT="10 per minute")  # no Redis: own count
    assert memory.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200

    import redis

    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}*")
    assert keys and not any(token.encode() in k or token[3:].encode() in k for k in keys)
    redis.Redis.from_url(REDIS_URL).delete(*keys)
    figures("ratelimit_redis", {"instances": 2, "limit": 10, "requests": len(codes),
                                "allowed": codes.count(200), "refused": codes.count(429)})


def test_the_window_moves_on_with_the_clock(database_url, monkeypatch):
    """Driven by an injected clock (tests/clock.py): the refusal lasts the minute, no longer."""
    from tests.clock import inject_clock

    clock = inject_clock(monkeypatch)
    app = limited_app(database_url, RATELIMIT_DEFAULT="3 per minute")
    _, token = new_account(app, "student", "a@example.edu")
    client = app.test_client()
    codes = [client.get("/api/v1/me", headers=bearer(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    clock.advance(20)
    r = client.get("/api/v1/me", headers=bearer(token))
    # Until the first hit leaves the window, 60 s after it (rounded up to the second).
    assert r.status_code == 429 and 40 <= int(r.headers["Retry-After"]) <= 41
    clock.advance(40.5)
    r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 200 and "Retry-After" not in r.headers
    assert r.headers["X-RateLimit-Remaining"] == "2"


def test_a_failing_redis_falls_back_to_counting_in_memory(database_url, caplog):
    """Redis unreachable: requests are answered, not failed, and the limit still holds
    (counted in this process) while the failure is logged."""
    from tests.hardening.servers import free_port

    app = limited_app(database_url, RATELIMIT_DEFAULT="3 per minute",
                      RATELIMIT_STORAGE_URL=f"redis://127.0.0.1:{free_port()}/0")
    _, token = new_account(app, "student", "a@example.edu")
    client = app.test_client()
    answers = [client.get("/api/v1/me", headers=bearer(token)) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-RateLimit-Remaining"] == "2"
    assert int(answers[3].headers["Retry-After"]) > 0
    assert "rate-limit storage failed" in caplog.text
