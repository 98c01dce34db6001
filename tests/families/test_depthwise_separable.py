"""depthwise_separable: keys against dense connection masks, and PyTorch's numel."""

import numpy as np

from tests.families.harness import FamilySuite


def connections(c_out: int, c_in: int, kernel: list[int], groups: int) -> int:
    """Count the (output channel, input channel, tap) weights of a grouped layer via a mask."""
    mask = np.zeros((c_out, c_in), dtype=bool)
    for o in range(c_out):
        g = o * groups // c_out
        mask[o, g * c_in // groups:(g + 1) * c_in // groups] = True
    return int(mask.sum()) * int(np.ones(kernel, dtype=bool).sum())


class TestDepthwiseSeparable(FamilySuite):
    name = "depthwise_separable"
    bad_params = [
        ({"in_channels": 0, "out_channels": 4, "kernel_size": 3}, "in_channels"),
        ({"in_channels": 3, "out_channels": 4, "kernel_size": [3, 3, 3, 3]}, "kernel_size"),
        ({"in_channels": 3, "out_channels": 4, "kernel_size": 3, "bias": "no"}, "bias"),
        ({"in_channels": 3, "out_channels": 4, "kernel_size": 3, "groups": 3}, "unknown"),
    ]

    def independent(self, params):
        c_in, c_out, k = params["in_channels"], params["out_channels"], params["kernel_size"]
        b = params["bias"]
        standard = connections(c_out, c_in, k, 1) + (c_out if b else 0)
        depthwise = connections(c_in, c_in, k, c_in) + (c_in if b else 0)
        pointwise = connections(c_out, c_in, [1] * len(k), 1) + (c_out if b else 0)
        return {"standard": standard, "depthwise": depthwise, "pointwise": pointwise,
                "separable": depthwise + pointwise}

    def torch_key(self, params):
        import torch
        c_in, c_out, k, b = (params["in_channels"], params["out_channels"], params["kernel_size"],
                             params["bias"])
        conv = getattr(torch.nn, f"Conv{len(k)}d")

        def count(m):
            return sum(t.numel() for t in m.parameters())
        depthwise = count(conv(c_in, c_in, k, groups=c_in, bias=b, device="meta"))
        pointwise = count(conv(c_in, c_out, 1, bias=b, device="meta"))
        return {"standard": count(conv(c_in, c_out, k, bias=b, device="meta")),
                "depthwise": depthwise, "pointwise": pointwise, "separable": depthwise + pointwise}
