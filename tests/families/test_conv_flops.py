"""conv_flops: keys against enumerating every product of every sum with NumPy.

The independent count lists the (output or input position, tap) pairs of each sum explicitly
(index arithmetic and `bincount`), and the channel pairs from a dense group mask, then counts
m products and m - 1 additions per non-empty sum. PyTorch's `FlopCounterMode` (2 FLOPs per
multiply-add) checks the multiplications of the forward pass and of the weight gradient.
"""

import numpy as np
import pytest

from quizsvc import families
from tests.families.harness import FamilySuite


def group_mask(c_out: int, c_in: int, groups: int) -> np.ndarray:
    """Return the (C_out, C_in) mask of which input channels each filter reads."""
    o = np.arange(c_out)[:, None] // (c_out // groups)
    i = np.arange(c_in)[None, :] // (c_in // groups)
    return o == i


def pairs(n: int, k: int, s: int, p: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (window index, padded input index) of every (window, tap) pair of one dimension."""
    starts = np.arange(0, n + 2 * p - d * (k - 1), s)
    taps = np.arange(k) * d
    j, t = np.meshgrid(np.arange(len(starts)), taps, indexing="ij")
    return j.ravel(), (starts[:, None] + taps[None, :]).ravel()


def outer(vectors: list[np.ndarray]) -> np.ndarray:
    out = np.ones(())
    for v in vectors:
        out = np.multiply.outer(out, v)
    return out


def enumerate_ops(params: dict) -> dict:
    mask = group_mask(params["out_channels"], params["in_channels"], params["groups"])
    dims = list(zip(params["in_size"], params["kernel_size"], params["stride"], params["padding"],
                    params["dilation"]))
    per_dim = [pairs(*d) for d in dims]
    if params["pass"] == "forward":
        # Products of each output value: for every output position, its taps (padded ones too)
        # times the channels its filter reads.
        per_position = outer([np.bincount(j) for j, _ in per_dim])
        m = mask.sum(axis=1)[:, None] * per_position.ravel()[None, :]
        bias = int(params["bias"])
    elif params["pass"] == "grad_weight":
        # Products of each weight gradient entry: every output position, per tap.
        per_tap = outer([np.bincount((idx - j * s) // d, minlength=k)
                         for (j, idx), (_, k, s, _, d) in zip(per_dim, dims)])
        m = mask.astype(int)[:, :, None] * per_tap.ravel()[None, None, :]
        bias = 0
    else:
        # Products reaching each real input position: (window, tap) pairs whose padded index
        # falls inside the input, times the filters that read that input channel.
        per_input = outer([np.bincount(idx[(idx >= p) & (idx < n + p)] - p, minlength=n)
                           for (_, idx), (n, _, _, p, _) in zip(per_dim, dims)])
        m = mask.sum(axis=0)[:, None] * per_input.ravel()[None, :]
        bias = 0
    m = m.astype(np.int64)
    return {"multiplications": int(m.sum()),
            "additions": int(((m - 1 + bias) * (m > 0)).sum())}


class TestConvFlops(FamilySuite):
    name = "conv_flops"
    bad_params = [
        ({"in_channels": 3, "out_channels": 4, "in_size": [5, 5], "kernel_size": 3,
          "pass": "backward"}, "pass"),
        ({"in_channels": 3, "out_channels": 4, "in_size": [5, 5], "kernel_size": 3, "groups": 2,
          "pass": "forward"}, "divisible"),
        ({"in_channels": 3, "out_channels": 4, "in_size": [5, 5], "kernel_size": 3,
          "dilation": 3, "pass": "forward"}, "kernel spans"),
        ({"in_channels": 65536, "out_channels": 65536, "in_size": [4096, 4096], "kernel_size": 3,
          "pass": "forward"}, "2^53"),
    ]

    def independent(self, params):
        return enumerate_ops(params)

    def torch_key(self, params):
        """Let autograd count: with all-ones tensors every product contributes exactly 1.

        The forward pass and dL/dw read an input padded with ones (padded products count);
        dL/dx comes back from a zero-padded input, so only real positions receive products.
        """
        import torch
        import torch.nn.functional as F
        nd, p = len(params["in_size"]), params
        conv = getattr(F, f"conv{nd}d")
        ones = dict(dtype=torch.float64)
        w = torch.ones(p["out_channels"], p["in_channels"] // p["groups"], *p["kernel_size"],
                       **ones, requires_grad=True)
        x = torch.ones(1, p["in_channels"], *p["in_size"], **ones, requires_grad=True)
        pads = [v for pad in reversed(p["padding"]) for v in (pad, pad)]
        args = dict(stride=p["stride"], dilation=p["dilation"], groups=p["groups"])
        if p["pass"] == "grad_input":
            y = conv(x, w, padding=p["padding"], **args)
        else:
            y = conv(F.pad(x, pads, value=1.0), w, **args)
        y.backward(torch.ones_like(y))
        m = {"forward": y, "grad_weight": w.grad, "grad_input": x.grad}[p["pass"]].detach()
        bias = int(p["bias"] and p["pass"] == "forward")
        return {"multiplications": int(m.sum()),
                "additions": int(((m - 1 + bias) * (m > 0)).sum())}


def test_multiplications_match_torch_flop_counter():
    """FlopCounterMode counts 2 FLOPs per multiply-add of the forward pass and of dL/dw.

    PyTorch 2.13's counter ignores `groups` for the weight gradient, so that case is checked
    with groups=1 only.
    """
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode
    family = families.get("conv_flops")
    checked = 0
    for level in family.levels:
        for seed in range(120):
            p = family.generate(seed, level).params
            if p["pass"] == "grad_input" or (p["pass"] == "grad_weight" and p["groups"] > 1):
                continue
            x = torch.empty(1, p["in_channels"], *p["in_size"], device="meta")
            w = torch.empty(p["out_channels"], p["in_channels"] // p["groups"], *p["kernel_size"],
                            device="meta")
            conv = getattr(torch.nn.functional, f"conv{len(p['in_size'])}d")
            y = conv(x, w, stride=p["stride"], padding=p["padding"], dilation=p["dilation"],
                     groups=p["groups"])
            with FlopCounterMode(display=False) as counter:
                if p["pass"] == "forward":
                    conv(x, w, stride=p["stride"], padding=p["padding"], dilation=p["dilation"],
                         groups=p["groups"])
                else:
                    torch.ops.aten.convolution_backward(
                        torch.empty_like(y), x, w, None, p["stride"], p["padding"], p["dilation"],
                        False, [0] * len(p["in_size"]), p["groups"], [False, True, False])
            assert counter.get_total_flops() == 2 * family.solve(p)["multiplications"], p
            checked += 1
    assert checked > 100


def test_no_window_sees_padding_only():
    """Generated layers pad at most d(k-1), so every window reaches a real input (the medium and hard
    level once drew 1-wide kernels with padding up to 3)."""
    from quizsvc import families
    fam = families.get("conv_flops")
    for level in fam.levels:
        for seed in range(300):
            p = fam.generate(seed, level).params
            for k, pad, d in zip(p["kernel_size"], p["padding"], p["dilation"]):
                assert pad <= d * (k - 1), (seed, level, p)
