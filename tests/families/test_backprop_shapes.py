"""backprop_shapes: keys against a naive NumPy forward and backward pass on a tiny batch,
and against PyTorch's autograd on meta tensors."""

import numpy as np

from tests.families.harness import FamilySuite
from tests.families.test_conv_output_shape import positions


def naive_grads(n: int, c_in: int, c_out: int, spatial_out: list[int], params: dict) -> dict:
    """Run a loop-based backward pass (1-3D, grouped) on random data; return the arrays' shapes.

    The spatial output size is walked window by window; the gradients are accumulated entry by
    entry, so each array's shape is whatever the loops had to allocate to hold them.
    """
    rng = np.random.default_rng(0)
    g, k, s, p, d = (params["groups"], params["kernel_size"], params["stride"],
                     params["padding"], params["dilation"])
    spatial = params["in_shape"][2:]
    x = rng.standard_normal((n, c_in, *spatial))
    w = rng.standard_normal((c_out, c_in // g, *k))
    dy = rng.standard_normal((n, c_out, *spatial_out))
    xp = np.pad(x, [(0, 0), (0, 0), *((q, q) for q in p)])
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for o in range(c_out):
        first = (o // (c_out // g)) * (c_in // g)
        for j in np.ndindex(*spatial_out):
            index = tuple(slice(jj * ss, jj * ss + dd * (kk - 1) + 1, dd)
                          for jj, ss, dd, kk in zip(j, s, d, k))
            for b in range(n):
                patch = xp[(b, slice(first, first + c_in // g), *index)]
                dw[o] += dy[(b, o, *j)] * patch
                dxp[(b, slice(first, first + c_in // g), *index)] += dy[(b, o, *j)] * w[o]
    dx = dxp[(slice(None), slice(None), *(slice(q, q + m) for q, m in zip(p, spatial)))]
    out = {"output": list(dy.shape), "grad_output": list(dy.shape), "grad_input": list(dx.shape),
           "grad_weight": list(dw.shape)}
    if params["bias"]:
        out["grad_bias"] = list(dy.sum(axis=(0, *range(2, dy.ndim))).shape)
    return out


class TestBackpropShapes(FamilySuite):
    name = "backprop_shapes"
    bad_params = [
        ({"in_shape": [1, 3, 4, 4], "out_channels": 8, "kernel_size": 7}, "kernel spans"),
        ({"in_shape": [3, 4, 4], "out_channels": 8, "kernel_size": 5}, "kernel spans"),
        ({"in_shape": [1, 6, 8, 8], "out_channels": 8, "kernel_size": 3, "groups": 4},
         "divisible"),
        ({"in_shape": [1, 3], "out_channels": 8, "kernel_size": 3}, "in_shape"),
        ({"in_shape": [1, 3, 8, 8, 8, 8], "out_channels": 8, "kernel_size": 3}, "in_shape"),
    ]

    def independent(self, params):
        # Channel and batch sizes scale the loops, not the shapes' structure: run the loops on
        # a small stand-in (1 sample, one channel per group in and out, size-limited spatial
        # output) and put the real counts back where the loops put the stand-in's.
        n, c_in = params["in_shape"][:2]
        c_out, g = params["out_channels"], params["groups"]
        spatial_out = [positions(*dims) for dims in zip(
            params["in_shape"][2:], params["kernel_size"], params["stride"], params["padding"],
            params["dilation"])]
        small = naive_grads(1, g, g, [min(v, 2) for v in spatial_out], params)
        assert small["grad_input"][2:] == params["in_shape"][2:]
        return {
            "output": [n, c_out, *spatial_out], "grad_output": [n, c_out, *spatial_out],
            "grad_input": [n, c_in, *small["grad_input"][2:]],
            "grad_weight": [c_out, small["grad_weight"][1] * (c_in // g), *small["grad_weight"][2:]],
            **({"grad_bias": [c_out]} if "grad_bias" in small else {}),
        }

    def torch_key(self, params):
        import torch
        ndim = len(params["in_shape"]) - 2
        conv = getattr(torch.nn, f"Conv{ndim}d")(
            params["in_shape"][1], params["out_channels"], params["kernel_size"],
            stride=params["stride"], padding=params["padding"], dilation=params["dilation"],
            groups=params["groups"], bias=params["bias"], device="meta")
        x = torch.empty(*params["in_shape"], device="meta", requires_grad=True)
        y = conv(x)
        y.retain_grad()
        y.sum().backward()
        out = {"output": list(y.shape), "grad_output": list(y.grad.shape),
               "grad_input": list(x.grad.shape), "grad_weight": list(conv.weight.grad.shape)}
        if params["bias"]:
            out["grad_bias"] = list(conv.bias.grad.shape)
        return out


def test_no_window_sees_padding_only():
    """Generated layers pad at most d(k-1), so every window reaches a real input (the medium and hard
    level once drew 1-wide kernels with padding up to 3)."""
    from quizsvc import families
    fam = families.get("backprop_shapes")
    for level in fam.levels:
        for seed in range(300):
            p = fam.generate(seed, level).params
            for k, pad, d in zip(p["kernel_size"], p["padding"], p["dilation"]):
                assert pad <= d * (k - 1), (seed, level, p)
