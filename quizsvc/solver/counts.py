"""Operation counts of a convolution's forward pass and of its two gradients.

The convention, stated to students in the `conv_flops` prompt: every value is computed as the
sum written in its definition; a sum of m products costs m multiplications and m - 1
additions, and a bias costs one addition more.

- forward, ``y[o, j] = b[o] + sum_{c, t} w[o, c, t] * x_pad[c, j*s + t*d]``: products with
  padded zeros count like any other.
- grad_weight, ``dw[o, c, t] = sum_j dy[o, j] * x_pad[c, j*s + t*d]``: a sum over every output
  position, padded zeros included.
- grad_input, ``dx[c, i] = sum of dy[o, j] * w[o, c, t] over the (o, j, t) with
  j*s + t*d - p == i``: needed at real input positions only; an input no window reaches costs
  nothing (its gradient is simply zero).
"""

from __future__ import annotations

from math import prod
from typing import Literal, Sequence

from quizsvc.solver.shapes import conv_out_size

Pass = Literal["forward", "grad_weight", "grad_input"]
PASSES: tuple[str, ...] = ("forward", "grad_weight", "grad_input")


def tap_reach(n: int, kernel: int, stride: int, padding: int,
              dilation: int) -> tuple[list[int], list[int]]:
    """Return, along one dimension of length `n`, the products each tap sends and the gaps.

    Tap t of window j lands on input position ``j*s + t*d - p``; the first list counts, for
    each tap t, the windows whose tap t lands on a real position (0 <= i < n); the second
    lists the input positions no (window, tap) pair lands on.
    """
    out = conv_out_size(n, kernel, stride, padding, dilation)
    per_tap, reached = [], set()
    for t in range(kernel):
        offset = t * dilation - padding
        # Windows j with 0 <= j*s + offset < n.
        lo = max(0, -(offset // stride) if offset < 0 else 0)
        hi = min(out - 1, (n - 1 - offset) // stride) if n - 1 - offset >= 0 else -1
        per_tap.append(max(0, hi - lo + 1))
        if hi >= lo:
            reached.update(range(lo * stride + offset, hi * stride + offset + 1, stride))
    return per_tap, [i for i in range(n) if i not in reached]


def input_reach(n: int, kernel: int, stride: int, padding: int, dilation: int) -> tuple[int, int]:
    """Return ``(products, reached)`` along one dimension of length `n`.

    `products` counts the (window, tap) pairs that land on a real input position;
    `reached` counts the input positions at least one of them lands on.
    """
    per_tap, gaps = tap_reach(n, kernel, stride, padding, dilation)
    return sum(per_tap), n - len(gaps)


def conv_ops(pass_: str, in_channels: int, out_channels: int, in_size: Sequence[int],
             kernel_size: Sequence[int], stride: Sequence[int], padding: Sequence[int],
             dilation: Sequence[int], groups: int = 1, bias: bool = False) -> tuple[int, int]:
    """Return ``(multiplications, additions)`` of one sample's `pass_` (see the module doc).

    x: (C_in, *in_size); w: (C_out, C_in/groups, *kernel_size); y: (C_out, *out).
    """
    dims = list(zip(in_size, kernel_size, stride, padding, dilation))
    per_group_in, per_group_out = in_channels // groups, out_channels // groups
    if pass_ == "grad_input":
        reach = [input_reach(*d) for d in dims]
        mult = in_channels * per_group_out * prod(r[0] for r in reach)
        return mult, mult - in_channels * prod(r[1] for r in reach)
    positions = prod(conv_out_size(*d) for d in dims)
    terms = per_group_in * prod(kernel_size)  # products in one output value
    if pass_ == "forward":
        outputs = out_channels * positions
        return outputs * terms, outputs * (terms - 1 + int(bias))
    if pass_ == "grad_weight":
        entries = out_channels * terms
        return entries * positions, entries * (positions - 1)
    raise ValueError(f"unknown pass {pass_!r}")
