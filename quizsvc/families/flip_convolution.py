"""True (flipped-kernel) convolution versus PyTorch's cross-correlation: the output, or the flipped kernel."""

from __future__ import annotations

from typing import Any

import numpy as np

from quizsvc.families import params as P
from quizsvc.families import tensors as T
from quizsvc.families.render import arg
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.conv import correlate, true_convolution

NAME = "flip_convolution"
VERSION = 2
TOPIC = "Convolution versus cross-correlation"

ASKS = ("output", "flipped_kernel")
_VALUES = range(-3, 4)
_NONZERO = (-3, -2, -1, 1, 2, 3)


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw 1D (easy), small 2D (medium), padded 2D with non-square kernels (hard)."""
    while True:
        ask = "output" if rng.chance(0.7) else "flipped_kernel"
        if level == "easy":
            n, k, p = [rng.between(4, 7)], [rng.between(2, 3)], [0]
        elif level == "medium":
            size = rng.between(3, 4)
            n, k, p = [size, size], [2 if size == 3 else rng.between(2, 3)] * 2, [0, 0]
        else:
            n = [rng.between(3, 5), rng.between(3, 5)]
            k = [rng.between(2, 3), rng.between(2, 3)]
            p = [rng.between(0, k[0] - 1), rng.between(0, k[1] - 1)]
            if k[0] == k[1] and (ask == "flipped_kernel" or not any(p)):
                continue  # a square kernel without padding is a medium-level question
        if any(kk > ni + 2 * pi for ni, kk, pi in zip(n, k, p)):
            continue
        if len(n) == 1:
            x, w = T.draw(rng, _VALUES, n[0]), T.draw(rng, _NONZERO, k[0])
        else:
            x, w = T.draw_matrix(rng, _VALUES, *n), T.draw_matrix(rng, _NONZERO, *k)
        if np.array_equal(np.flip(np.asarray(w)), np.asarray(w)):
            continue  # a symmetric kernel would make the flip invisible
        return {"input": x, "kernel": w, "padding": p, "ask": ask}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse a kernel larger than the padded input."""
    P.only_keys(params, ("input", "kernel"), ("padding", "ask"))
    x = T.read(params, "input")
    nd = T.ndim_of(x)
    k = T.read(params, "kernel", nd)
    padding = P.per_dim(params, "padding", nd, 0, T.MAX_PADDING, default=0)
    T.check_fits(T.shape(x), T.shape(k), padding, [1] * nd)
    return {"input": x, "kernel": k, "padding": padding,
            "ask": P.one_of(params, "ask", ASKS, default="output")}


def _answer(p: dict[str, Any], kernel: Any, padding: list[int] | None = None) -> dict[str, Any] | None:
    """Return the key a student gives when `kernel` is what they slide (no further flip)."""
    kernel = np.asarray(kernel)
    if p["ask"] == "flipped_kernel":
        if kernel.shape != np.shape(p["kernel"]):
            return None
        return {"flipped_kernel": kernel.tolist()}
    padding = p["padding"] if padding is None else padding
    if any(kk > n + 2 * q for n, kk, q in zip(T.shape(p["input"]), kernel.shape, padding)):
        return None
    return {"output": correlate(p["input"], kernel, padding=padding).tolist()}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return the true convolution (kernel flipped along every axis) or the flipped kernel."""
    if params["ask"] == "flipped_kernel":
        return {"flipped_kernel": np.flip(np.asarray(params["kernel"])).tolist()}
    return {"output": true_convolution(params["input"], params["kernel"], params["padding"]).tolist()}


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    nd = T.ndim_of(params["input"])
    if params["ask"] == "flipped_kernel":
        return [AnswerField("flipped_kernel", T.kind(nd), "The kernel to pass to the cross-correlation")]
    label = "Output signal" if nd == 1 else "Output matrix (one row per output row)"
    return [AnswerField("output", T.kind(nd), label)]


def prompt(params: dict[str, Any]) -> str:
    nd = T.ndim_of(params["input"])
    x, k = T.tex(params["input"]), T.tex(params["kernel"])
    fn = "F.conv1d" if nd == 1 else "F.conv2d"
    if params["ask"] == "flipped_kernel":
        return (f"PyTorch's `{fn}` computes a cross-correlation: it slides the kernel over the input "
                "without flipping it. You want the **true** convolution $x * k$ of signal processing "
                f"(as `{_reference(nd)}` computes it) of\n\n$$x = {x}, \\qquad k = {k}$$\n\n"
                f"Which kernel $k'$ must you pass to `{fn}` so that it returns $x * k$?")
    pad = params["padding"]
    how = "without padding" if not any(pad) else f"after padding $x$ with {_padding_text(pad)}"
    on = " on the padded input" if any(pad) else ""
    return (f"Compute the **true** convolution $y = x * k$ (the kernel is flipped, as in signal "
            f"processing; `{_reference(nd)}`{on}), not PyTorch's cross-correlation, "
            f"{how}, with stride 1, keeping only the positions where the kernel lies entirely inside "
            f"the {'padded ' if any(pad) else ''}input.\n\n$$x = {x}, \\qquad k = {k}$$\n\n"
            f"What is $y$?")


def _padding_text(pad: list[int]) -> str:
    """Name the axis each padding belongs to: rows above and below, columns left and right."""
    def count(n: int, what: str) -> str:
        return f"{n or 'no'} {what}{'s' if n != 1 else ''}"
    if len(pad) == 1:
        return f"{count(pad[0], 'zero')} at each end"
    return (f"{count(pad[0], 'row')} of zeros above and below and {count(pad[1], 'column')} "
            f"of zeros on the left and on the right (`padding={arg(pad)}` gives the height's "
            "padding first, then the width's)")


def _reference(nd: int) -> str:
    return "np.convolve(x, k, mode='valid')" if nd == 1 else "scipy.signal.convolve2d(x, k, mode='valid')"



def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    nd = T.ndim_of(params["input"])
    flipped = np.flip(np.asarray(params["kernel"])).tolist()
    how = ("reverse its order" if nd == 1 else
           "flip it upside down **and** left to right (rotate it by 180 degrees)")
    lines = [f"A true convolution slides the flipped kernel: {how}, then cross-correlate.", "",
             f"$$k' = {T.tex(flipped)}$$"]
    if params["ask"] == "flipped_kernel":
        lines += ["", f"Passing $k'$ to `F.conv{nd}d` computes $x * k$. "
                  f"**Answer:** $k' = {T.tex(key['flipped_kernel'])}$"]
        return "\n".join(lines)
    x = np.asarray(params["input"])
    padded = np.pad(x, [(q, q) for q in params["padding"]])
    if any(params["padding"]):
        lines += ["", f"The padded input is $x_p = {T.tex(padded.tolist())}$."]
    shape = T.shape(flipped)
    out = np.asarray(key["output"])
    lines += ["", "Each output entry is the window of the input under $k'$ times $k'$:"]
    for cell in np.ndindex(*out.shape):
        window = padded[tuple(slice(c, c + s) for c, s in zip(cell, shape))].tolist()
        where = ", ".join(map(str, cell))
        lines.append(f"- $y[{where}] = {T.dot_text(window, flipped)} = {T.fmt(out[cell].item())}$")
    lines += ["", f"**Output:** ${T.tex(key['output'])}$"]
    return "\n".join(lines)


def _when_2d(transform):
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        if T.ndim_of(p["kernel"]) != 2:
            return None
        return _answer(p, transform(np.asarray(p["kernel"])))
    return solve_buggy


MISCONCEPTIONS = (
    Misconception("no_flip", "Did not flip the kernel",
                  "That is PyTorch's cross-correlation. A true convolution reverses the kernel along "
                  "every axis before sliding it.", lambda p: _answer(p, p["kernel"])),
    Misconception("flipped_rows_only", "Flipped the kernel upside down only",
                  "A 2D true convolution flips both axes: reverse the order of the rows and the "
                  "order within each row (a 180 degree rotation).", _when_2d(lambda k: k[::-1, :])),
    Misconception("flipped_columns_only", "Flipped the kernel left to right only",
                  "A 2D true convolution flips both axes: reverse the order within each row and the "
                  "order of the rows (a 180 degree rotation).", _when_2d(lambda k: k[:, ::-1])),
    Misconception("transposed_kernel", "Transposed the kernel instead of flipping it",
                  "Flipping is not transposing: k'[a, b] = k[K_H-1-a, K_W-1-b], a rotation by 180 "
                  "degrees, while the transpose mirrors across the diagonal.", _when_2d(lambda k: k.T)),
    Misconception("ignored_padding", "Ignored the padding",
                  "Pad the input with zeros first; the border windows include those zeros.",
                  lambda p: _answer(p, np.flip(np.asarray(p["kernel"])), [0] * len(p["padding"]))
                  if p["ask"] == "output" and any(p["padding"]) else None),
)
