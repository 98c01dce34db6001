"""fc_param_count: keys against counting connections of the two layers, and PyTorch's numel."""

import numpy as np

from tests.families.harness import FamilySuite
from tests.families.test_conv_output_shape import positions


class TestFcParamCount(FamilySuite):
    name = "fc_param_count"
    bad_params = [
        ({"in_shape": [3, 4, 4], "out_channels": 8, "kernel_size": 7}, "kernel spans"),
        ({"in_shape": [3, 32], "out_channels": 8, "kernel_size": 3}, "in_shape"),
        ({"in_shape": [3, 32, 32], "out_channels": 0, "kernel_size": 3}, "out_channels"),
        ({"in_shape": [3, 32, 32], "out_channels": 8, "kernel_size": 3, "bias": 1}, "bias"),
        ({"in_shape": [512, 4096, 4096], "out_channels": 512, "kernel_size": 1}, "2^53"),
    ]

    def independent(self, params):
        c, h, w = params["in_shape"]
        kh, kw = params["kernel_size"]
        # The conv layer: filter o is connected to every (channel, tap) of its window; count the
        # connections of one window position, plus a bias node per filter.
        taps = np.ones((params["out_channels"], c, kh, kw), dtype=bool)
        conv = int(taps.sum()) + (params["out_channels"] if params["bias"] else 0)
        # The FC layer: one weight per (input entry, output activation) pair, found by walking
        # the windows to count the output activations.
        out_hw = [positions(n, k, s, p, 1) for n, k, s, p in
                  zip((h, w), params["kernel_size"], params["stride"], params["padding"])]
        n_out = params["out_channels"] * out_hw[0] * out_hw[1]
        n_in = np.zeros(params["in_shape"], dtype=np.int8).reshape(-1).shape[0]
        fc = (n_in + int(params["bias"])) * n_out  # per output neuron: its weights and bias
        return {"conv_total": conv, "fc_total": fc}

    def torch_key(self, params):
        import torch
        conv = torch.nn.Conv2d(params["in_shape"][0], params["out_channels"], params["kernel_size"],
                               stride=params["stride"], padding=params["padding"],
                               bias=params["bias"], device="meta")
        out = conv(torch.empty(1, *params["in_shape"], device="meta"))
        fc = torch.nn.Linear(int(np.prod(params["in_shape"])), out[0].numel(), bias=params["bias"],
                             device="meta")
        return {"conv_total": sum(t.numel() for t in conv.parameters()),
                "fc_total": sum(t.numel() for t in fc.parameters())}


def test_no_window_sees_padding_only():
    """Generated layers pad at most d(k-1), so every window reaches a real input (the hard
    level once drew 1-wide kernels with padding up to 3)."""
    from quizsvc import families
    fam = families.get("fc_param_count")
    for level in fam.levels:
        for seed in range(300):
            p = fam.generate(seed, level).params
            for k, pad, d in zip(p["kernel_size"], p["padding"], [1, 1]):
                assert pad <= d * (k - 1), (seed, level, p)
