"""In-memory rate-limit counters that sweep expired entries once a second, not per request.

`limits`' `MemoryStorage` starts a 10 ms `threading.Timer` on every hit once
the last one has fired, and each timer sweeps *every* key. Under load that is
one new thread per request or so, and a sweep over all the class's tokens
(about 1.5 ms for 1,000 students) every 10 ms, all under the GIL of the
process serving requests. The sweep only frees memory: whether a request is
allowed is decided from the entries' own timestamps. So this storage sweeps at
most once per `SWEEP_INTERVAL`, and each sweep looks at no more than
`SWEEP_KEYS` counters, taking up where the last one stopped: a sweep over a
class of 1,000 tokens (2,000 counters) held the GIL for about 10 ms, which every
request in flight then waited for (it showed as the tail of the attempt
benchmark's latency). The limits it enforces are the same.
"""

from __future__ import annotations

import bisect
import threading
import time

from limits.storage import MemoryStorage

SCHEME = "quizsvc-memory"
SWEEP_INTERVAL = 1.0  # seconds between sweeps of expired counters
SWEEP_KEYS = 200  # counters looked at per sweep (all of them within len/SWEEP_KEYS seconds)


class SweepingMemoryStorage(MemoryStorage):
    """`MemoryStorage` whose expiry sweep runs at most once per SWEEP_INTERVAL."""

    STORAGE_SCHEME = [SCHEME]  # registered with `limits` by its metaclass

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self._next_sweep = 0.0
        self._sweep_lock = threading.Lock()
        self._sweep_from = 0
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

    # The base class's sweep over every key, as a slice of them per call (same expiry rules).
    def _MemoryStorage__expire_events(self) -> None:  # noqa: N802 - overrides a private name
        keys = list(self.events.keys())
        start = self._sweep_from if self._sweep_from < len(keys) else 0
        self._sweep_from = start + SWEEP_KEYS
        now = time.time()
        for key in keys[start:start + SWEEP_KEYS]:
            with self.locks[key]:
                if events := self.events.get(key, []):
                    oldest = bisect.bisect_left(events, -now, key=lambda event: -event.expiry)
                    self.events[key] = events[:oldest]
                if not self.events.get(key, None):
                    self.events.pop(key, None)
                    self.locks.pop(key, None)
        for key in list(self.expirations.keys())[:SWEEP_KEYS]:
            if self.expirations.get(key, now) <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)
