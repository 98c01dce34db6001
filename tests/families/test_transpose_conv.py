"""transpose_conv: keys against a naive scatter loop, and against torch's conv_transpose."""

from tests.families.harness import FamilySuite
from tests.solver.test_conv import as2d, lift, naive_transpose_2d


class TestTransposeConv(FamilySuite):
    name = "transpose_conv"
    bad_params = [
        ({"input": [1, 2], "kernel": [1, 2], "stride": 2, "output_padding": 2}, "smaller than the stride"),
        ({"input": [1, 2], "kernel": [1, 2], "output_padding": 1}, "output_padding=1"),
        ({"input": [1], "kernel": [1, 2], "padding": 1}, "crops away"),
        ({"input": [[1, 2]], "kernel": [1, 2]}, "kernel must be a 2D list"),
        ({"input": [1, 2], "kernel": [1, 2], "stride": 9}, "stride"),
        ({"input": [[1] * 16] * 16, "kernel": [[1] * 16] * 16, "stride": 2}, "at most 1024"),
    ]

    def independent(self, params):
        nd = len(params["stride"])
        out = naive_transpose_2d(as2d(params["input"], nd), as2d(params["kernel"], nd),
                                 lift(params["stride"], 1, nd), lift(params["padding"], 0, nd),
                                 lift(params["output_padding"], 0, nd), lift(params["dilation"], 1, nd))
        return {"output": out if nd == 2 else out[0]}

    def torch_key(self, params):
        import torch
        nd = len(params["stride"])
        fn = getattr(torch.nn.functional, f"conv_transpose{nd}d")
        x = torch.tensor(params["input"], dtype=torch.float64)[None, None]
        k = torch.tensor(params["kernel"], dtype=torch.float64)[None, None]
        y = fn(x, k, stride=params["stride"], padding=params["padding"],
               output_padding=params["output_padding"], dilation=params["dilation"])
        return {"output": y[0, 0].tolist()}


def test_output_padding_allowed_below_dilation():
    """torch accepts output_padding < dilation even when it is >= stride."""
    from quizsvc import families
    params = {"input": [1, 2], "kernel": [1, 1], "stride": 1, "dilation": 2, "output_padding": 1}
    assert families.get("transpose_conv").solve(params) == {"output": [1, 2, 1, 2, 0]}
