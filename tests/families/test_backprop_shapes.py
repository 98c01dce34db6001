"""backprop_shapes: keys against a direct NumPy forward and backward pass on random data,
and against PyTorch's autograd on meta tensors."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tests.families.harness import FamilySuite

BATCH = 1  # samples actually convolved (see `independent`)


def conv_and_grads(x: np.ndarray, w: np.ndarray, bias: bool, stride: list[int],
                   padding: list[int], dilation: list[int], groups: int) -> dict[str, np.ndarray]:
    """Convolve `x` (N, C_in, *S) with `w` (C_out, C_in/g, *K), then backpropagate a random
    upstream gradient; return the output and the gradients as arrays.

    The output's spatial size is however many windows NumPy's sliding view fits in the padded
    input, stepped by the stride; each gradient is accumulated window by window into an array
    of the shape its values land in. The adjoint identities <y, dy> = <x, dx> = <w, dw> check
    that the backward pass is the forward pass's transpose.
    """
    n, c_in, *spatial = x.shape
    c_out, cig, *k = w.shape
    nd, g = len(spatial), groups
    xp = np.pad(x, [(0, 0), (0, 0), *((p, p) for p in padding)])
    extent = [d * (kk - 1) + 1 for d, kk in zip(dilation, k)]
    win = sliding_window_view(xp, extent, axis=tuple(range(2, 2 + nd)))
    win = win[(slice(None), slice(None), *(slice(None, None, s) for s in stride),
               *(slice(None, None, d) for d in dilation))]  # (N, C_in, *O, *K)
    out = list(win.shape[2:2 + nd])
    cog = c_out // g
    sp, kp = tuple(range(3, 3 + nd)), tuple(range(3 + nd, 3 + 2 * nd))
    win = win.reshape(n, g, cig, *out, *k)
    wg = w.reshape(g, cog, cig, *k)
    # Per group, contractions as matrix products (tensordot): y = win . w, dw = win . dy,
    # and each window's share of dx = dy . w.
    y = np.stack([np.moveaxis(np.tensordot(win[:, i], wg[i], axes=((1, *[a - 1 for a in kp]),
                                                                    (1, *range(2, 2 + nd)))),
                              -1, 1) for i in range(g)], axis=1).reshape(n, c_out, *out)
    dy = np.random.default_rng(1).standard_normal(y.shape, dtype=x.dtype)
    dyg = dy.reshape(n, g, cog, *out)
    dw = np.stack([np.moveaxis(np.tensordot(dyg[:, i], win[:, i],
                                            axes=((0, *[a - 1 for a in sp]),
                                                  (0, *[a - 1 for a in sp]))), 1, 1)
                   for i in range(g)]).reshape(w.shape)
    dwin = np.stack([np.moveaxis(np.tensordot(dyg[:, i], wg[i], axes=((1,), (0,))),
                                 1 + nd, 1) for i in range(g)], axis=1).reshape(n, c_in, *out, *k)
    dxp = np.zeros_like(xp)
    for offset in np.ndindex(*k):  # each kernel tap adds its share to the inputs it read
        index = tuple(slice(t * d, t * d + s * (o - 1) + 1, s)
                      for t, d, s, o in zip(offset, dilation, stride, out))
        dxp[(slice(None), slice(None), *index)] += dwin[(Ellipsis, *offset)]
    dx = dxp[(slice(None), slice(None), *(slice(p, p + m) for p, m in zip(padding, spatial)))]
    inner = float(np.vdot(y, dy))
    assert np.isclose(inner, np.vdot(x, dx), rtol=1e-3) and np.isclose(inner, np.vdot(w, dw),
                                                                        rtol=1e-3)
    grads = {"output": y, "grad_output": dy, "grad_input": dx, "grad_weight": dw}
    if bias:
        y = y + 0.5  # a bias of 0.5 per output channel
        grads["output"], grads["grad_bias"] = y, dy.sum(axis=(0, *range(2, dy.ndim)))
    return grads


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
        # Real channels, groups, kernel, stride, padding, dilation and spatial size; the batch
        # is BATCH samples: a convolution treats samples alike and apart, so every array's first
        # axis is the input's (checked below), and the answer's is the batch asked for.
        n, c_in, *spatial = params["in_shape"]
        rng = np.random.default_rng(0)
        x = rng.standard_normal((min(n, BATCH), c_in, *spatial), dtype=np.float32)
        w = rng.standard_normal((params["out_channels"], c_in // params["groups"],
                                 *params["kernel_size"]), dtype=np.float32)
        arrays = conv_and_grads(x, w, params["bias"], params["stride"], params["padding"],
                                params["dilation"], params["groups"])
        shapes = {name: list(a.shape) for name, a in arrays.items()}
        for name in ("output", "grad_output", "grad_input"):
            assert shapes[name][0] == x.shape[0]
            shapes[name][0] = n
        return shapes

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


def test_backward_pass_matches_finite_differences():
    """The test's own backward pass, checked once on a tiny grouped, strided, dilated layer."""
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((1, 4, 7, 6)), rng.standard_normal((6, 2, 2, 3))
    conf = dict(bias=False, stride=[2, 1], padding=[1, 2], dilation=[2, 1], groups=2)
    grads = conv_and_grads(x, w, **conf)
    dy = grads["grad_output"]
    eps = 1e-6
    for index in [(0, 0, 0, 0), (0, 3, 6, 5), (0, 2, 3, 1)]:
        bumped = x.copy()
        bumped[index] += eps
        slope = (np.vdot(conv_and_grads(bumped, w, **conf)["output"], dy)
                 - np.vdot(grads["output"], dy)) / eps
        assert np.isclose(slope, grads["grad_input"][index], atol=1e-4)
    assert grads["output"].shape == (1, 6, 4, 8)  # (7 + 2 - 2 - 1) // 2 + 1 and 6 + 4 - 3 + 1
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
