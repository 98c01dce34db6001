"""In-memory rate-limit counters that sweep expired entries once a second, not per request.

`limits`' `MemoryStorage` starts a 10 ms `threading.Timer` on every hit once
the last one has fired, and each timer sweeps *every* key. Under load that is
one new thread per request or so, and a sweep over all the class's tokens
(about 1.5 ms for 1,000 students) every 10 ms, all under the GIL of the
process serving requests. The sweep only frees memory: whether a request is
allowed is decided from the entries' own timestamps. So this storage sweeps at
most once per `SWEEP_INTERVAL`; the limits it enforces are the same.
"""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

SCHEME = "quizsvc-memory"
SWEEP_INTERVAL = 1.0  # seconds between sweeps of expired counters


class SweepingMemoryStorage(MemoryStorage):
    """`MemoryStorage` whose expiry sweep runs at most once per SWEEP_INTERVAL."""

    STORAGE_SCHEME = [SCHEME]  # registered with `limits` by its metaclass

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self._next_sweep = 0.0
        self._sweep_lock = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    # The base class calls `self.__schedule_expiry()` after every hit; this is its mangled name.
    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides a private name
        now = time.monotonic()
        if now < self._next_sweep or self.timer.is_alive():
            return
        with self._sweep_lock:
            if now < self._next_sweep or self.timer.is_alive():
                return
            self._next_sweep = now + SWEEP_INTERVAL
            self.timer = threading.Timer(0.01, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()
