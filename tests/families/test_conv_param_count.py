"""conv_param_count: keys against counting the entries of the weight tensor built for real."""

import numpy as np

from tests.families.harness import FamilySuite


class TestConvParamCount(FamilySuite):
    name = "conv_param_count"
    bad_params = [
        ({"in_channels": 6, "out_channels": 8, "kernel_size": 3, "groups": 4}, "divisible"),
        ({"in_channels": 6, "out_channels": 8, "kernel_size": 0}, "kernel_size"),
        ({"in_channels": 6, "out_channels": 8, "kernel_size": 3, "bias": "yes"}, "bias"),
    ]

    def independent(self, params):
        g = params["groups"]
        # Build the grouped weight as a dense (C_out, C_in, *k) mask: filter o sees the channels
        # of its group only; count the entries that can be non-zero.
        c_in, c_out = params["in_channels"], params["out_channels"]
        mask = np.zeros((c_out, c_in), dtype=bool)
        for o in range(c_out):
            grp = o // (c_out // g)
            mask[o, grp * (c_in // g):(grp + 1) * (c_in // g)] = True
        weights = int(mask.sum()) * int(np.ones(params["kernel_size"]).size)
        biases = c_out if params["bias"] else 0
        return {"weights": weights, "biases": biases, "total": weights + biases}

    def torch_key(self, params):
        import torch
        ndim = len(params["kernel_size"])
        conv = getattr(torch.nn, f"Conv{ndim}d")(
            params["in_channels"], params["out_channels"], params["kernel_size"],
            groups=params["groups"], bias=params["bias"], device="meta")
        weights = conv.weight.numel()
        biases = conv.bias.numel() if conv.bias is not None else 0
        return {"weights": weights, "biases": biases, "total": weights + biases}


def test_reference_homework_param_count():
    """Homework 002 Q1.1: 10 filters 6x6 over 10 channels with bias: 3610 (the key is right)."""
    from quizsvc import families
    key = families.get("conv_param_count").solve(
        {"in_channels": 10, "out_channels": 10, "kernel_size": 6, "bias": True})
    assert key == {"weights": 3600, "biases": 10, "total": 3610}
