"""solver.counts: the per-tap reach of a convolution's input gradient against a naive loop."""

from __future__ import annotations

import itertools

from quizsvc.solver.counts import input_reach, tap_reach


def naive(n: int, k: int, s: int, p: int, d: int) -> tuple[list[int], list[int]]:
    """Walk every window and tap; count the taps that land on a real input position."""
    windows = (n + 2 * p - d * (k - 1) - 1) // s + 1
    per_tap, reached = [0] * k, set()
    for j in range(windows):
        for t in range(k):
            i = j * s + t * d - p
            if 0 <= i < n:
                per_tap[t] += 1
                reached.add(i)
    return per_tap, [i for i in range(n) if i not in reached]


def test_tap_reach_matches_a_naive_walk():
    for n, k, s, p, d in itertools.product(range(1, 12), range(1, 5), range(1, 4), range(0, 3),
                                           range(1, 4)):
        if d * (k - 1) + 1 > n + 2 * p:
            continue
        assert tap_reach(n, k, s, p, d) == naive(n, k, s, p, d), (n, k, s, p, d)
        per_tap, gaps = naive(n, k, s, p, d)
        assert input_reach(n, k, s, p, d) == (sum(per_tap), n - len(gaps))


def test_strided_input_leaves_gaps():
    # n = 7, k = 2, stride 3: windows at 0 and 3 cover 0, 1, 3, 4; positions 2, 5, 6 get nothing.
    assert tap_reach(7, 2, 3, 0, 1) == ([2, 2], [2, 5, 6])
