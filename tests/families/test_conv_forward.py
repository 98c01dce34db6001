"""conv_forward: keys against naive loops over output positions, and against torch."""

from tests.families.harness import FamilySuite
from tests.solver.test_conv import as2d, lift, naive_correlate_2d


class TestConvForward(FamilySuite):
    name = "conv_forward"
    bad_params = [
        ({"input": [1, 2, 3], "kernel": [1, 2, 3, 4]}, "kernel spans 4"),
        ({"input": [[1, 2], [3, 4]], "kernel": [[1, 1, 1]], "dilation": 2}, "padded input"),
        ({"input": [[1, 2], [3, 4]], "kernel": [1, 1]}, "kernel must be a 2D list"),
        ({"input": [[1, 2], [3]], "kernel": [[1]]}, "rectangular"),
        ({"input": [1, 2, 3], "kernel": [1], "stride": 0}, "stride"),
        ({"input": [1, 2, 3], "kernel": [1], "padding": -1}, "padding"),
        ({"input": [1, "a", 3], "kernel": [1]}, "numbers"),
        ({"input": [1, 2, 3], "kernel": [1], "padding": 9}, "padding"),
        ({"input": [0] * 17, "kernel": [1]}, "too large"),
    ]

    def independent(self, params):
        nd = len(params["stride"])
        out = naive_correlate_2d(as2d(params["input"], nd), as2d(params["kernel"], nd),
                                 lift(params["stride"], 1, nd), lift(params["padding"], 0, nd),
                                 lift(params["dilation"], 1, nd))
        return {"output": out if nd == 2 else out[0]}

    def torch_key(self, params):
        import torch
        nd = len(params["stride"])
        conv = getattr(torch.nn.functional, f"conv{nd}d")
        x = torch.tensor(params["input"], dtype=torch.float64)[None, None]
        k = torch.tensor(params["kernel"], dtype=torch.float64)[None, None]
        y = conv(x, k, stride=params["stride"], padding=params["padding"], dilation=params["dilation"])
        return {"output": y[0, 0].tolist()}


def test_real_valued_input_gives_real_key():
    from quizsvc import families
    fam = families.get("conv_forward")
    key = fam.solve({"input": [0.5, 1, 2], "kernel": [1, -1]})
    assert key == {"output": [-0.5, -1.0]}
    assert fam.check({"input": [0.5, 1, 2], "kernel": [1, -1]}, "-0.5 -1").correct
