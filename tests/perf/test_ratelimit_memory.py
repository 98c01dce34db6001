"""The in-memory rate-limit storage: the same limits as `limits`' own, without a thread per hit.

Time is a `FakeClock` moved by hand (tests/clock.py), not sleeps: windows pass exactly when
the test says, whatever the machine's load.
"""

from __future__ import annotations

import threading

import pytest
from limits import parse, strategies
from limits.storage import storage_from_string

from quizsvc.web import ratelimit_memory
from quizsvc.web.limits import storage_uri
from quizsvc.web.ratelimit_memory import SweepingMemoryStorage
from tests.clock import inject_clock


@pytest.fixture
def clock(monkeypatch):
    return inject_clock(monkeypatch)


def test_default_storage_is_the_sweeping_one_and_redis_wins_when_set():
    assert isinstance(storage_from_string(storage_uri({})), SweepingMemoryStorage)
    assert storage_uri({"REDIS_URL": "redis://h:6379/0"}) == "redis://h:6379/0"


def test_moving_window_limits_hold(clock):
    storage = SweepingMemoryStorage()
    limiter = strategies.MovingWindowRateLimiter(storage)
    limit = parse("3 per second")
    assert [limiter.hit(limit, "a") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(limit, "b")  # keys count apart
    clock.advance(0.9)
    assert not limiter.hit(limit, "a")  # still inside the window
    clock.advance(0.2)
    assert limiter.hit(limit, "a")  # the window moved on, whether or not a sweep ran


def test_fixed_window_limits_hold(clock):
    storage = SweepingMemoryStorage()
    limiter = strategies.FixedWindowRateLimiter(storage)
    limit = parse("2 per second")
    assert [limiter.hit(limit, "a") for _ in range(3)] == [True, True, False]
    clock.advance(1.05)
    assert limiter.hit(limit, "a")


def test_hits_start_at_most_one_sweep_per_interval(monkeypatch, clock):
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
    for i in range(40):  # 15 ms apart: wider than the base class's 10 ms timer
        limiter.hit(limit, f"k{i % 5}")
        clock.advance(0.015)
        if storage.timer.is_alive():
            storage.timer.join()  # the sweep has run; the base class would start another
    # 0.6 s of hits: the first sweep only; `limits`' MemoryStorage would have started ~40 timers.
    assert len(started) == 1
    clock.advance(ratelimit_memory.SWEEP_INTERVAL)
    limiter.hit(limit, "k0")
    assert len(started) == 2  # a second interval, a second sweep


def test_sweep_frees_expired_counters(monkeypatch, clock):
    monkeypatch.setattr(ratelimit_memory, "SWEEP_INTERVAL", 0.0)
    storage = SweepingMemoryStorage()
    limiter = strategies.MovingWindowRateLimiter(storage)
    limiter.hit(parse("5 per second"), "gone")
    storage.timer.join()
    clock.advance(1.1)
    limiter.hit(parse("5 per second"), "other")  # schedules a sweep
    storage.timer.join()
    # The expired counter is gone, key and all; the live one keeps its entry.
    assert not [k for k in storage.events if "gone" in k]
    assert [len(v) for k, v in storage.events.items() if "other" in k] == [1]


def test_each_sweep_looks_at_a_slice_of_the_counters_and_goes_on_from_there(monkeypatch, clock):
    monkeypatch.setattr(ratelimit_memory, "SWEEP_INTERVAL", 0.0)
    monkeypatch.setattr(ratelimit_memory, "SWEEP_KEYS", 10)
    storage = SweepingMemoryStorage()
    limiter = strategies.MovingWindowRateLimiter(storage)
    for i in range(25):
        limiter.hit(parse("5 per second"), f"old-{i}")
        storage.timer.join()
    clock.advance(1.1)  # all 25 expired
    left = []
    for sweep in range(3):
        limiter.hit(parse("5 per second"), f"new-{sweep}")  # each hit schedules one sweep
        storage.timer.join()
        left.append(sum("old-" in k for k in storage.events))
    # At most 10 counters looked at per sweep (the new ones among them), none twice in a row.
    assert left[0] >= 15 and left[1] < left[0] and left[2] == 0, left
