"""The zeros `padding="same"` adds before and after each dimension of a stride-1 convolution."""

from __future__ import annotations

from typing import Any

from quizsvc.families import params as P
from quizsvc.families.render import dims, spatial_names, torch_call
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.shapes import same_padding

NAME = "same_padding"
VERSION = 2
TOPIC = "Convolution arithmetic"


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw odd kernels (easy), even ones among them (medium), dilated ones (hard).

    Kernels differ per dimension from the easy level on, so that the answer is not one
    number written twice; a 1-wide kernel (no padding at all) is never drawn.
    """
    if level == "easy":
        ndim = rng.choice([2, 2, 3])
        kernel = [rng.choice([3, 5, 7, 9, 11]) for _ in range(ndim)]
        size = [rng.choice([7, 9, 16, 28, 32, 64]) for _ in range(ndim)]
        return {"in_size": size, "kernel_size": kernel, "dilation": [1] * ndim}
    ndim = rng.choice([1, 2, 2, 3])
    size = [rng.between(8, 64 if ndim == 3 else 256) for _ in range(ndim)]
    if level == "medium":
        kernel = [rng.between(2, 10) for _ in range(ndim)]
        if all(k % 2 for k in kernel):
            kernel[rng.integers(0, ndim)] += 1  # at least one even kernel: the uneven split
        dilation = [1] * ndim
    else:
        kernel = [rng.between(2, 7) for _ in range(ndim)]
        dilation = [rng.between(1, 4) for _ in range(ndim)]
        if max(dilation) == 1:
            dilation[rng.integers(0, ndim)] = rng.between(2, 4)
    # Keep every dilated kernel inside the input, so the picture stays ordinary.
    size = [max(n, d * (k - 1) + 1) for n, k, d in zip(size, kernel, dilation)]
    return {"in_size": size, "kernel_size": kernel, "dilation": dilation}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params (the stride is always 1: PyTorch refuses "same" otherwise)."""
    P.only_keys(params, ("in_size", "kernel_size"), ("dilation",))
    size = P.size_list(params, "in_size", 1, 3, 1, P.MAX_SIDE)
    ndim = len(size)
    return {
        "in_size": size,
        "kernel_size": P.per_dim(params, "kernel_size", ndim, 1, P.MAX_SIDE),
        "dilation": P.per_dim(params, "dilation", ndim, 1, 64, default=1),
    }


def _pads(params: dict[str, Any], split) -> dict[str, Any]:
    return {"padding": [list(split(k, d)) for k, d in zip(params["kernel_size"], params["dilation"])]}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"padding": [[before, after], ...]}``, one row per spatial dimension."""
    return _pads(params, same_padding)


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    names = spatial_names(len(params["in_size"]))
    return [AnswerField("padding", "matrix",
                        f"Zeros added [before, after], one row per dimension ({', '.join(names)})",
                        symmetric=True)]


def prompt(params: dict[str, Any]) -> str:
    ndim = len(params["in_size"])
    layer = torch_call(f"Conv{ndim}d", in_channels=1, out_channels=1,
                       kernel_size=params["kernel_size"], dilation=params["dilation"],
                       padding='"same"')
    names = spatial_names(ndim)
    return (f"An input of spatial size {dims(params['in_size'])} goes through {layer} "
            "(stride 1), so the output keeps the input's size.\n\n"
            "How many zeros does PyTorch add **before** and **after** the input along each "
            f"dimension? Answer one row `[before, after]` per dimension, in the order "
            f"{', '.join(names)}.")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    lines = [r"With stride 1 the output length is $n + \text{before} + \text{after} - d(k-1)$, "
             r"so keeping $n$ needs $d(k-1)$ zeros in total. PyTorch puts "
             r"$\lfloor d(k-1)/2 \rfloor$ before the input and the rest (one more, when the "
             "total is odd) after it.", ""]
    for name, k, d, (before, after) in zip(spatial_names(len(params["in_size"])),
                                           params["kernel_size"], params["dilation"],
                                           key["padding"]):
        total = d * (k - 1)
        lines.append(f"- ${name}$: total $= {d}\\cdot({k}-1) = {total}$; "
                     f"before $= \\lfloor {total}/2 \\rfloor = {before}$, "
                     f"after $= {total} - {before} = {after}$")
    rows = "; ".join(f"[{b}, {a}]" for b, a in key["padding"])
    lines += ["", f"**Padding:** {rows}."]
    return "\n".join(lines)


def _extra_before(k: int, d: int) -> tuple[int, int]:
    before, after = same_padding(k, d)
    return after, before


def _if_differs(split):
    def solve_buggy(params: dict[str, Any]) -> dict[str, Any] | None:
        buggy = _pads(params, split)
        return None if buggy == solve(params) else buggy
    return solve_buggy


MISCONCEPTIONS = (
    Misconception("extra_before", "Put the odd zero before the input",
                  "When d(k-1) is odd the split cannot be even; PyTorch (like TensorFlow's SAME) "
                  "adds the extra zero after the input, not before it.",
                  _if_differs(_extra_before)),
    Misconception("ignored_dilation", "Ignored the dilation",
                  "A dilated kernel spans d(k-1)+1 input positions, so the total padding is "
                  "d(k-1), not k-1.",
                  _if_differs(lambda k, d: same_padding(k, 1))),
    Misconception("padding_once", "Put the whole total on each side",
                  "The padding is added on both sides, so the two sides share d(k-1) zeros "
                  "between them: each side gets about half.",
                  _if_differs(lambda k, d: (d * (k - 1), d * (k - 1)))),
    Misconception("symmetric_round_up", "Padded both sides equally, rounding up",
                  "An odd total d(k-1) cannot be split evenly; padding ceil(d(k-1)/2) on both "
                  "sides makes the output one longer than the input. PyTorch pads one side "
                  "one less.",
                  _if_differs(lambda k, d: (-(-d * (k - 1) // 2),) * 2)),
    Misconception("symmetric_round_down", "Padded both sides equally, rounding down",
                  "An odd total d(k-1) cannot be split evenly; padding floor(d(k-1)/2) on both "
                  "sides makes the output one shorter than the input. PyTorch adds the missing "
                  "zero after the input.",
                  _if_differs(lambda k, d: (d * (k - 1) // 2,) * 2)),
    Misconception("odd_kernel_formula", "Used p = (k-1)/2 on both sides",
                  "p = (k-1)/2 on each side keeps the size only for an odd kernel without "
                  "dilation. In general the total is d(k-1): PyTorch puts floor(d(k-1)/2) "
                  "before the input and the rest after it.",
                  _if_differs(lambda k, d: ((k - 1) // 2,) * 2)),
)
