"""filter_recovery: keys against float least squares on hand-built windows, and torch's unfold."""

import numpy as np

from tests.families.harness import FamilySuite
from tests.solver.test_conv import as2d, lift, naive_correlate_2d


def windows_by_loops(x, ks, s):
    """Return the rows of the system: each output position's window, flattened row-major."""
    rows = []
    h, w = len(x), len(x[0])
    for i in range(0, h - ks[0] + 1, s[0]):
        for j in range(0, w - ks[1] + 1, s[1]):
            rows.append([x[i + a][j + b] for a in range(ks[0]) for b in range(ks[1])])
    return rows


class TestFilterRecovery(FamilySuite):
    name = "filter_recovery"
    bad_params = [
        ({"input": [1, 2, 3, 4], "output": [1, 2], "kernel_size": 2}, "gives an output of size 3"),
        ({"input": [1, 1, 1, 1], "output": [2, 2, 2], "kernel_size": 2}, "does not determine the kernel"),
        ({"input": [1, 2, 3, 5], "output": [1, 2, 30], "kernel_size": 2}, "no kernel gives this output"),
        ({"input": [1, 2, 3, 4, 5], "output": [1, 2], "stride": 2}, "give kernel_size"),
        ({"input": [1.5, 2, 3], "output": [1, 2], "kernel_size": 2}, "integers"),
        ({"input": [[1] * 16] * 16, "output": [[1]], "kernel_size": 16}, "at most 25"),
        ({"input": [1, 2], "output": [1], "kernel_size": 3}, "kernel spans 3"),
    ]

    def independent(self, params):
        nd = len(params["kernel_size"])
        x = as2d(params["input"], nd)
        ks, s = lift(params["kernel_size"], 1, nd), lift(params["stride"], 1, nd)
        a = np.array(windows_by_loops(x, ks, s), dtype=float)
        y = np.array(params["output"], dtype=float).ravel()
        assert np.linalg.matrix_rank(a) == a.shape[1], "the generator promised a unique kernel"
        w = np.rint(np.linalg.lstsq(a, y, rcond=None)[0]).astype(int)
        kernel = w.reshape(ks).tolist()
        # The recovered kernel must reproduce the output exactly (naive loops, integers).
        again = naive_correlate_2d(x, kernel, s, [0, 0], [1, 1])
        assert again == as2d(params["output"], nd)
        return {"kernel": kernel if nd == 2 else kernel[0]}

    def torch_key(self, params):
        import torch
        nd = len(params["kernel_size"])
        ks, s = lift(params["kernel_size"], 1, nd), lift(params["stride"], 1, nd)
        x = torch.tensor(as2d(params["input"], nd), dtype=torch.float64)[None, None]
        cols = torch.nn.functional.unfold(x, ks, stride=s)[0].T  # (windows, K)
        y = torch.tensor(params["output"], dtype=torch.float64).reshape(-1, 1)
        w = torch.linalg.lstsq(cols, y).solution.reshape(ks)
        return {"kernel": w.tolist() if nd == 2 else w[0].tolist()}


def test_rational_kernel_is_recovered_exactly():
    from quizsvc import families
    fam = families.get("filter_recovery")
    # y = 2*x[i] + 1*x[i+1] would be integral; make it half of that: w = [1, 1/2].
    params = {"input": [2, 4, 6, 10], "output": [4, 7, 11]}
    assert fam.solve(params) == {"kernel": [1, 0.5]}
    assert fam.check(params, "1 1/2").correct


def test_kernel_size_inferred_at_stride_one():
    from quizsvc import families
    fam = families.get("filter_recovery")
    assert fam.validate({"input": [1, 4, 0, -2, 3], "output": [-2, 2, 11]})["kernel_size"] == [3]
