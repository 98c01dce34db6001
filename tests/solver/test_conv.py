"""The convolution solver against naive loop versions, over many random small cases."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest

from quizsvc.solver.conv import conv_matrix, conv_transpose, correlate, true_convolution, unfold
from quizsvc.solver.exact import Inconsistent, NoUniqueSolution, solve_exact


# -- naive versions: one output (or input) position at a time, plain Python --------------------
def naive_correlate_2d(x, k, s, p, d):
    """Slide the dilated kernel over the zero-padded input, one output entry at a time."""
    h, w = len(x), len(x[0])
    kh, kw = len(k), len(k[0])

    def at(i, j):
        i, j = i - p[0], j - p[1]
        return x[i][j] if 0 <= i < h and 0 <= j < w else 0

    out = []
    i = 0
    while i + d[0] * (kh - 1) < h + 2 * p[0]:
        row, j = [], 0
        while j + d[1] * (kw - 1) < w + 2 * p[1]:
            row.append(sum(k[a][b] * at(i + a * d[0], j + b * d[1]) for a in range(kh) for b in range(kw)))
            j += s[1]
        out.append(row)
        i += s[0]
    return out


def naive_transpose_2d(x, k, s, p, op, d):
    """Scatter: every input entry adds x[i][j] * k at (i*s + a*d, j*s + b*d); then crop."""
    h, w = len(x), len(x[0])
    kh, kw = len(k), len(k[0])
    full_h = (h - 1) * s[0] + d[0] * (kh - 1) + 1 + op[0]
    full_w = (w - 1) * s[1] + d[1] * (kw - 1) + 1 + op[1]
    full = [[0] * full_w for _ in range(full_h)]
    for i in range(h):
        for j in range(w):
            for a in range(kh):
                for b in range(kw):
                    full[i * s[0] + a * d[0]][j * s[1] + b * d[1]] += x[i][j] * k[a][b]
    return [row[p[1]:full_w - p[1]] for row in full[p[0]:full_h - p[0]]]


def rand_case(rng, ndim):
    n = [rng.randint(1, 7) for _ in range(ndim)]
    ks = [rng.randint(1, 4) for _ in range(ndim)]
    s = [rng.randint(1, 3) for _ in range(ndim)]
    p = [rng.randint(0, 2) for _ in range(ndim)]
    d = [rng.randint(1, 3) for _ in range(ndim)]
    return n, ks, s, p, d


def as2d(v, ndim):
    """Return a 1D list as a 1 x L matrix (the naive versions are 2D only)."""
    return v if ndim == 2 else [v]


def lift(v, neutral, ndim):
    """Return per-dim values for the 1 x L view: the dummy row axis gets `neutral`."""
    return v if ndim == 2 else [neutral, *v]


@pytest.mark.parametrize("ndim", [1, 2])
def test_correlate_matches_naive(ndim):
    rng = random.Random(ndim)
    done = 0
    while done < 400:
        n, ks, s, p, d = rand_case(rng, ndim)
        if any(di * (k - 1) + 1 > ni + 2 * pi for ni, k, pi, di in zip(n, ks, p, d)):
            continue
        x = np.array([rng.randint(-5, 5) for _ in range(int(np.prod(n)))]).reshape(n)
        k = np.array([rng.randint(-5, 5) for _ in range(int(np.prod(ks)))]).reshape(ks)
        got = correlate(x, k, s, p, d)
        want = naive_correlate_2d(as2d(x.tolist(), ndim), as2d(k.tolist(), ndim),
                                  lift(s, 1, ndim), lift(p, 0, ndim), lift(d, 1, ndim))
        assert got.dtype.kind == "i"
        assert as2d(got.tolist(), ndim) == want, (x, k, s, p, d)
        done += 1


@pytest.mark.parametrize("ndim", [1, 2])
def test_conv_transpose_matches_naive(ndim):
    rng = random.Random(10 + ndim)
    done = 0
    while done < 400:
        n, ks, s, p, d = rand_case(rng, ndim)
        op = [rng.randint(0, max(si, di) - 1) for si, di in zip(s, d)]
        if any((ni - 1) * si - 2 * pi + di * (k - 1) + o + 1 < 1
               for ni, k, si, pi, di, o in zip(n, ks, s, p, d, op)):
            continue
        x = np.array([rng.randint(-5, 5) for _ in range(int(np.prod(n)))]).reshape(n)
        k = np.array([rng.randint(-5, 5) for _ in range(int(np.prod(ks)))]).reshape(ks)
        got = conv_transpose(x, k, s, p, op, d)
        want = naive_transpose_2d(as2d(x.tolist(), ndim), as2d(k.tolist(), ndim), lift(s, 1, ndim),
                                  lift(p, 0, ndim), lift(op, 0, ndim), lift(d, 1, ndim))
        assert as2d(got.tolist(), ndim) == want, (x, k, s, p, op, d)
        done += 1


def test_conv_matrix_times_input_is_convolution():
    rng = random.Random(3)
    for _ in range(300):
        ndim = rng.choice([1, 2])
        n, ks, s, p, d = rand_case(rng, ndim)
        if any(di * (k - 1) + 1 > ni + 2 * pi for ni, k, pi, di in zip(n, ks, p, d)):
            continue
        x = np.array([rng.randint(-5, 5) for _ in range(int(np.prod(n)))]).reshape(n)
        k = np.array([rng.randint(-5, 5) for _ in range(int(np.prod(ks)))]).reshape(ks)
        a = conv_matrix(n, k, s, p, d)
        y = correlate(x, k, s, p, d)
        assert a.shape == (y.size, x.size)
        # Column j is the response to the j-th unit input, computed by the naive loops.
        for j in range(x.size):
            e = np.zeros(x.size, dtype=int)
            e[j] = 1
            col = naive_correlate_2d(as2d(e.reshape(n).tolist(), ndim), as2d(k.tolist(), ndim),
                                     lift(s, 1, ndim), lift(p, 0, ndim), lift(d, 1, ndim))
            assert a[:, j].tolist() == [v for row in col for v in row]
        assert (a @ x.ravel()).tolist() == y.ravel().tolist()


def test_unfold_rows_are_windows():
    x = np.arange(16).reshape(4, 4)
    u = unfold(x, [2, 2], [2, 2])
    assert u.tolist() == [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]]


def test_true_convolution_flips_both_axes():
    x = [[1, 2, 0], [0, 1, 3], [2, 2, 1]]
    k = [[1, 2], [3, 4]]
    # Textbook definition: y[i][j] = sum_a sum_b x[i + 1 - a][j + 1 - b] * k[a][b].
    want = [[sum(x[i + 1 - a][j + 1 - b] * k[a][b] for a in range(2) for b in range(2)) for j in range(2)]
            for i in range(2)]
    assert true_convolution(x, k).tolist() == want
    assert np.convolve([1, 2, 3, 4], [1, 0, -1], mode="valid").tolist() == \
        true_convolution([1, 2, 3, 4], [1, 0, -1]).tolist()


def test_matches_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = random.Random(5)
    for _ in range(200):
        n, ks, s, p, d = rand_case(rng, 2)
        x = torch.tensor([[rng.randint(-5, 5) for _ in range(n[1])] for _ in range(n[0])], dtype=torch.float64)
        k = torch.tensor([[rng.randint(-5, 5) for _ in range(ks[1])] for _ in range(ks[0])], dtype=torch.float64)
        if all(di * (kk - 1) + 1 <= ni + 2 * pi for ni, kk, pi, di in zip(n, ks, p, d)):
            want = F.conv2d(x[None, None], k[None, None], stride=s, padding=p, dilation=d)[0, 0]
            assert correlate(x.numpy(), k.numpy(), s, p, d).tolist() == want.tolist()
        op = [rng.randint(0, max(si, di) - 1) for si, di in zip(s, d)]
        if all((ni - 1) * si - 2 * pi + di * (kk - 1) + o + 1 >= 1
               for ni, kk, si, pi, di, o in zip(n, ks, s, p, d, op)):
            want = F.conv_transpose2d(x[None, None], k[None, None], stride=s, padding=p,
                                      output_padding=op, dilation=d)[0, 0]
            assert conv_transpose(x.numpy(), k.numpy(), s, p, op, d).tolist() == want.tolist()


def test_solve_exact():
    assert solve_exact([[1, 4, 0], [4, 0, -2], [0, -2, 3]], [-2, 2, 11]) == [2, -1, 3]
    assert solve_exact([[2, 0], [0, 3]], [1, 1]) == [Fraction(1, 2), Fraction(1, 3)]
    with pytest.raises(NoUniqueSolution):
        solve_exact([[1, 2], [2, 4], [3, 6]], [1, 2, 3])
    with pytest.raises(Inconsistent):
        solve_exact([[1, 0], [0, 1], [1, 1]], [1, 1, 3])
    # Against float least squares on random overdetermined consistent integer systems.
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(1, 6)
        m = rng.randint(n, 9)
        a = [[rng.randint(-3, 3) for _ in range(n)] for _ in range(m)]
        x = [rng.randint(-4, 4) for _ in range(n)]
        b = [sum(r[j] * x[j] for j in range(n)) for r in a]
        if np.linalg.matrix_rank(np.array(a, dtype=float)) < n:
            with pytest.raises(NoUniqueSolution):
                solve_exact(a, b)
        else:
            assert solve_exact(a, b) == x
