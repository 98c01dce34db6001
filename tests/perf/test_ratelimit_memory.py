"""The in-memory rate-limit storage: the same limits as `limits`' own, without a thread per hit."""

from __future__ import annotations

import threading
import time

from limits import parse, strategies
from limits.storage import storage_from_string

from quizsvc.web import ratelimit_memory
from quizsvc.web.limits import storage_uri
from quizsvc.web.ratelimit_memory import SweepingMemoryStorage


def test_default_storage_is_the_sweeping_one_and_redis_wins_when_set():
    assert isinstance(storage_from_string(storage_uri({})), SweepingMemoryStorage)
    assert storage_uri({"REDIS_URL": "redis://h:6379/0"}) == "redis://h:6379/0"


def test_moving_window_limits_hold():
    storage = SweepingMemoryStorage()
    limiter = strategies.MovingWindowRateLimiter(storage)
    limit = parse("3 per second")
    assert [limiter.hit(limit, "a") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(limit, "b")  # keys count apart
    time.sleep(1.05)
    assert limiter.hit(limit, "a")  # the window moved on, whether or not a sweep ran


def test_fixed_window_limits_hold():
    storage = SweepingMemoryStorage()
    limiter = strategies.FixedWindowRateLimiter(storage)
    limit = parse("2 per second")
    assert [limiter.hit(limit, "a") for _ in range(3)] == [True, True, False]
    time.sleep(1.05)
    assert limiter.hit(limit, "a")


def test_hits_start_at_most_one_sweep_per_interval(monkeypatch):
    started = []
    real = threading.Timer

    class CountingTimer(real):  # type: ignore[misc, valid-type]
        def start(self) -> None:
            started.append(self)
            super().start()

    monkeypatch.setattr(ratelimit_memory.threading, "Timer", CountingTimer)
    storage = SweepingMemoryStorage()
    started.clear()  # the base class's constructor starts one timer of its own
    limiter = strategies.MovingWindowRateLimiter(storage)
    limit = parse("1000 per minute")
    for i in range(40):  # spaced wider than the base class's 10 ms timer
        limiter.hit(limit, f"k{i % 5}")
        time.sleep(0.015)
    # 0.6 s of hits: the first sweep only; `limits`' MemoryStorage would have started ~40 timers.
    assert len(started) == 1


def test_sweep_frees_expired_counters():
    storage = SweepingMemoryStorage()
    monkey_interval = ratelimit_memory.SWEEP_INTERVAL
    try:
        ratelimit_memory.SWEEP_INTERVAL = 0.0
        limiter = strategies.MovingWindowRateLimiter(storage)
        limiter.hit(parse("5 per second"), "gone")
        time.sleep(1.1)
        limiter.hit(parse("5 per second"), "other")  # schedules a sweep
        time.sleep(0.2)
        # `limits` keeps the key with an empty list of entries; the entries are what it frees.
        assert [v for k, v in storage.events.items() if "gone" in k] == [[]]
    finally:
        ratelimit_memory.SWEEP_INTERVAL = monkey_interval
