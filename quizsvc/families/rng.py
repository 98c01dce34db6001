"""The deterministic random source every family samples from.

A family draws all of its randomness from a `Sampler` built from
``(family, level, seed)``. It is a SplitMix64 stream implemented here rather
than NumPy's `Generator`, because NumPy does not promise that `Generator`
methods draw the same values across releases, while we promise that the same
family version, seed and level give the same problem forever. It is also
several times cheaper to create than a `Generator`, which matters at tens of
thousands of problems per second.
"""

from __future__ import annotations

import hashlib
from typing import Sequence, TypeVar

T = TypeVar("T")
_MASK = (1 << 64) - 1

SEED_MIN = 0
SEED_MAX = 2**53 - 1  # the largest integer every JSON reader keeps exactly


class Sampler:
    """A reproducible stream of integers and choices."""

    __slots__ = ("_state",)

    def __init__(self, family: str, level: str, seed: int) -> None:
        digest = hashlib.blake2b(f"{family}|{level}|{seed}".encode(), digest_size=8).digest()
        self._state = int.from_bytes(digest, "little")

    def next64(self) -> int:
        """Return the next 64 random bits."""
        self._state = z = (self._state + 0x9E3779B97F4A7C15) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def integers(self, low: int, high: int) -> int:
        """Return an integer in ``[low, high)`` (like NumPy, `high` is exclusive)."""
        span = high - low
        if span <= 0:
            raise ValueError(f"empty range [{low}, {high})")
        limit = (1 << 64) - ((1 << 64) % span)
        while True:
            x = self.next64()
            if x < limit:
                return low + x % span

    def between(self, low: int, high: int) -> int:
        """Return an integer in ``[low, high]``, both ends included."""
        return self.integers(low, high + 1)

    def choice(self, options: Sequence[T]) -> T:
        """Return one element of `options`, uniformly."""
        return options[self.integers(0, len(options))]

    def random(self) -> float:
        """Return a float in ``[0, 1)``."""
        return (self.next64() >> 11) / float(1 << 53)

    def chance(self, p: float) -> bool:
        """Return True with probability `p`."""
        return self.random() < p

    def ints(self, low: int, high: int, count: int) -> list[int]:
        """Return `count` integers in ``[low, high]``, both ends included."""
        return [self.integers(low, high + 1) for _ in range(count)]

    def matrix(self, low: int, high: int, rows: int, cols: int, *, nonzero: bool = False) -> list[list[int]]:
        """Return a ``rows x cols`` nested list of integers in ``[low, high]``."""
        out = []
        for _ in range(rows):
            row = []
            for _ in range(cols):
                v = self.between(low, high)
                while nonzero and v == 0:
                    v = self.between(low, high)
                row.append(v)
            out.append(row)
        return out

    def shuffle(self, items: list[T]) -> list[T]:
        """Shuffle `items` in place (Fisher-Yates) and return it."""
        for i in range(len(items) - 1, 0, -1):
            j = self.integers(0, i + 1)
            items[i], items[j] = items[j], items[i]
        return items
