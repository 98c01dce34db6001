"""A clock tests move by hand, injected where rate-limit counters read the time."""

from __future__ import annotations

import time as _time
from types import SimpleNamespace

import pytest


class FakeClock:
    """`time.time()` and `time.monotonic()` that only move when `advance` says."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def module(self) -> SimpleNamespace:
        """A stand-in for the `time` module: our two clocks, the rest of the real one."""
        real = {name: getattr(_time, name) for name in dir(_time) if not name.startswith("_")}
        return SimpleNamespace(**{**real, "time": self.time, "monotonic": self.monotonic})


def inject_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Make the rate-limit code read a `FakeClock`: `limits`' memory storage and strategies,
    our limiter's headers and our sweeping storage."""
    import limits.storage.memory
    import limits.strategies

    from quizsvc.web import limits as our_limits
    from quizsvc.web import ratelimit_memory

    clock = FakeClock()
    fake = clock.module()
    for module in (limits.storage.memory, limits.strategies, our_limits, ratelimit_memory):
        if hasattr(module, "time"):
            monkeypatch.setattr(module, "time", fake)
    return clock
