"""flip_convolution: keys against the textbook sum y[n] = sum_m x[m] k[n - m], and against torch."""

from tests.families.harness import FamilySuite


def full_convolution(x, k):
    """Return the full 2D convolution by its definition: y[n] = sum over m of x[m] * k[n - m]."""
    h, w, kh, kw = len(x), len(x[0]), len(k), len(k[0])
    out = [[0] * (w + kw - 1) for _ in range(h + kh - 1)]
    for n1 in range(h + kh - 1):
        for n2 in range(w + kw - 1):
            total = 0
            for m1 in range(h):
                for m2 in range(w):
                    if 0 <= n1 - m1 < kh and 0 <= n2 - m2 < kw:
                        total += x[m1][m2] * k[n1 - m1][n2 - m2]
            out[n1][n2] = total
    return out


def valid_of_padded(x, k, p):
    """Return the stride-1 convolution of x padded by p: entries K-1-p... of the full convolution."""
    full = full_convolution(x, k)
    kh, kw = len(k), len(k[0])
    rows = len(x) + 2 * p[0] - kh + 1
    cols = len(x[0]) + 2 * p[1] - kw + 1

    def at(i, j):
        return full[i][j] if 0 <= i < len(full) and 0 <= j < len(full[0]) else 0

    return [[at(i + kh - 1 - p[0], j + kw - 1 - p[1]) for j in range(cols)] for i in range(rows)]


class TestFlipConvolution(FamilySuite):
    name = "flip_convolution"
    bad_params = [
        ({"input": [1, 2], "kernel": [1, 2, 3]}, "kernel spans 3"),
        ({"input": [1, 2, 3], "kernel": [1, 2], "ask": "kernel"}, "ask must be one of"),
        ({"input": [[1, 2], [3, 4]], "kernel": [1, 2]}, "kernel must be a 2D list"),
        ({"input": [1, 2, 3], "kernel": [1, 2], "padding": 9}, "padding"),
    ]

    def independent(self, params):
        if params["ask"] == "flipped_kernel":
            k = params["kernel"]
            flipped = [row[::-1] for row in k[::-1]] if isinstance(k[0], list) else k[::-1]
            return {"flipped_kernel": flipped}
        one_d = not isinstance(params["input"][0], list)
        x = [params["input"]] if one_d else params["input"]
        k = [params["kernel"]] if one_d else params["kernel"]
        p = [0, params["padding"][0]] if one_d else params["padding"]
        out = valid_of_padded(x, k, p)
        return {"output": out[0] if one_d else out}

    def torch_key(self, params):
        import torch
        k = torch.tensor(params["kernel"], dtype=torch.float64)
        nd = k.dim()
        flipped = torch.flip(k, dims=list(range(nd)))
        if params["ask"] == "flipped_kernel":
            return {"flipped_kernel": flipped.tolist()}
        x = torch.tensor(params["input"], dtype=torch.float64)[None, None]
        conv = getattr(torch.nn.functional, f"conv{nd}d")
        return {"output": conv(x, flipped[None, None], padding=params["padding"])[0, 0].tolist()}


def test_numpy_convolve_agrees_in_1d():
    import numpy as np
    from quizsvc import families
    fam = families.get("flip_convolution")
    for seed in range(100):
        p = fam.generate(seed, "easy").params
        if p["ask"] == "output":
            assert fam.solve(p)["output"] == np.convolve(p["input"], p["kernel"], mode="valid").tolist()
