"""The output of a single-channel convolution (PyTorch's cross-correlation) on concrete numbers."""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np

from quizsvc.families import params as P
from quizsvc.families import tensors as T
from quizsvc.families.render import arg, spatial_names
from quizsvc.families.rng import Sampler
from quizsvc.families.mistakes import when
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.conv import correlate
from quizsvc.solver.shapes import conv_out_size

NAME = "conv_forward"
VERSION = 3  # 3: a figure drawn from the parameters (issue 15)
TOPIC = "Convolution on numbers"

_SMALL = range(-3, 4)
_VALUES = range(-4, 5)
_NONZERO = (-3, -2, -1, 1, 2, 3)


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw stride 1 without padding (easy), padding or stride (medium), 2D with dilation (hard)."""
    while True:
        if level == "easy":
            if rng.chance(0.5):
                n, k = [rng.between(5, 8)], [rng.between(2, 3)]
            else:
                n = [rng.choice([3, 4, 4, 5])] * 2
                k = [rng.choice([2, 3])] * 2 if n[0] > 3 else [2, 2]
            s, p, d = [1] * len(n), [0] * len(n), [1] * len(n)
        elif level == "medium":
            nd = rng.choice([1, 2, 2])
            n = [rng.between(5, 9)] if nd == 1 else [rng.between(3, 6)] * 2
            k = [rng.between(2, 3)] * nd
            s = [rng.between(1, 2)] * nd
            p = [rng.between(0, k[0] - 1)] * nd
            d = [1] * nd
            if s[0] == 1 and p[0] == 0:
                continue
        else:
            n = [rng.between(4, 7), rng.between(4, 7)]
            k = [rng.between(2, 3), rng.between(2, 3)]
            s = [rng.between(1, 3), rng.between(1, 3)]
            p = [rng.between(0, 2), rng.between(0, 2)]
            d = [rng.between(1, 2), rng.between(1, 2)]
            if max(d) == 1 and max(s) == 1:
                continue
        out = [conv_out_size(*a) for a in zip(n, k, s, p, d)]
        if min(out) < 1 or (len(n) == 2 and out[0] * out[1] > 25):
            continue
        values = _SMALL if level == "easy" else _VALUES
        if len(n) == 1:
            x, w = T.draw(rng, values, n[0]), T.draw(rng, _NONZERO, k[0])
        else:
            x, w = T.draw_matrix(rng, values, *n), T.draw_matrix(rng, _NONZERO, *k)
        return {"input": x, "kernel": w, "stride": s, "padding": p, "dilation": d}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse a kernel that does not fit and oversized outputs."""
    P.only_keys(params, ("input", "kernel"), ("stride", "padding", "dilation"))
    x = T.read(params, "input")
    nd = T.ndim_of(x)
    k = T.read(params, "kernel", nd)
    out = {"input": x, "kernel": k, **T.per_dims(params, nd)}
    T.check_fits(T.shape(x), T.shape(k), out["padding"], out["dilation"])
    P.limit_entries(prod(_out_shape(out)), "the output")
    return out


def _dims(p: dict[str, Any]) -> list[tuple[int, int, int, int, int]]:
    return list(zip(T.shape(p["input"]), T.shape(p["kernel"]), p["stride"], p["padding"], p["dilation"]))


def _out_shape(p: dict[str, Any]) -> list[int]:
    return [conv_out_size(*a) for a in _dims(p)]


def _conv(p: dict[str, Any], kernel: Any = None, **changes: Any) -> dict[str, Any] | None:
    """Return ``{"output": ...}`` for params `p` with some settings changed (None if impossible)."""
    q = {**p, **changes}
    k = p["kernel"] if kernel is None else kernel
    if any(d * (kk - 1) + 1 > n + 2 * pp for n, kk, pp, d in
           zip(T.shape(p["input"]), T.shape(p["kernel"]), q["padding"], q["dilation"])):
        return None
    return {"output": correlate(p["input"], k, q["stride"], q["padding"], q["dilation"]).tolist()}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"output": y}``: y[i] = sum_a k[a] x_padded[i*s + a*d] (no flip), as torch."""
    return _conv(params)  # type: ignore[return-value]


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    nd = T.ndim_of(params["input"])
    label = "Output signal" if nd == 1 else "Output matrix (one row per output row)"
    return [AnswerField("output", T.kind(nd), label)]


def prompt(params: dict[str, Any]) -> str:
    nd = T.ndim_of(params["input"])
    call = (f"`F.conv{nd}d(x, k, stride={arg(params['stride'])}, padding={arg(params['padding'])}, "
            f"dilation={arg(params['dilation'])})`")
    return (f"A single-channel input $x$ ({T.shape_text(params['input'])}) is convolved with the "
            f"kernel $k$ ({T.shape_text(params['kernel'])}) as {call} computes it: PyTorch's "
            "convolution is a cross-correlation, so the kernel is **not** flipped.\n\n"
            f"$$x = {T.tex(params['input'])}, \\qquad k = {T.tex(params['kernel'])}$$\n\n"
            f"What is the output {'signal' if nd == 1 else 'matrix'}?")



def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    nd = T.ndim_of(params["input"])
    names = spatial_names(nd)
    if nd == 1:
        formula = r"y[i] = \sum_{a} k[a]\, x_p[i s + a d]"
    else:
        formula = r"y[i, j] = \sum_{a}\sum_{b} k[a, b]\, x_p[i s_H + a d_H,\; j s_W + b d_W]"
    lines = [f"Each output entry is the sum of the kernel times the input entries under it: ${formula}$, "
             "where $x_p$ is the input with the padding zeros added.", ""]
    for name, (n, k, s, p, d) in zip(names, _dims(params)):
        top = n + 2 * p - d * (k - 1) - 1
        lines.append(f"- ${name}$: $\\lfloor ({n} + 2\\cdot{p} - {d}\\cdot({k}-1) - 1)/{s} \\rfloor + 1 = "
                     f"{top // s + 1}$ output positions")
    padded = _padded(params["input"], params["padding"])
    if any(params["padding"]):
        lines += ["", f"The padded input is $x_p = {T.tex(padded if nd == 2 else padded[0])}$."]
    (kh, kw), (sh, sw), (dh, dw) = _lift(T.shape(params["kernel"]), params["stride"], params["dilation"])
    out = key["output"] if nd == 2 else [key["output"]]
    kernel = params["kernel"] if nd == 2 else [params["kernel"]]
    lines += ["", "Every entry, window by window:"]
    cells = [(i, j) for i in range(len(out)) for j in range(len(out[0]))]
    for i, j in cells:
        window = [[padded[i * sh + a * dh][j * sw + b * dw] for b in range(kw)] for a in range(kh)]
        where = f"{i}, {j}" if nd == 2 else str(j)
        lines.append(f"- $y[{where}] = {T.dot_text(window, kernel)} = {T.fmt(out[i][j])}$")
    lines += ["", f"**Output:** ${T.tex(key['output'])}$"]
    return "\n".join(lines)


def _padded(x: list, padding: list[int]) -> list[list[Any]]:
    """Return the zero-padded input as rows (a 1D input as one row)."""
    rows = x if T.ndim_of(x) == 2 else [x]
    ph, pw = padding if len(padding) == 2 else (0, padding[0])
    width = len(rows[0]) + 2 * pw
    blank = [[0] * width for _ in range(ph)]
    return blank + [[0] * pw + row + [0] * pw for row in rows] + [r[:] for r in blank]


def _lift(*per_dim: list[int]) -> list[tuple[int, int]]:
    """Return 1D per-dimension values as (row, column) pairs of a 1 x L picture."""
    return [(v[0], v[1]) if len(v) == 2 else (1, v[0]) for v in per_dim]


def _flipped(p: dict[str, Any]) -> dict[str, Any] | None:
    return _conv(p, kernel=np.flip(np.asarray(p["kernel"])))



MISCONCEPTIONS = (
    Misconception("flipped_kernel", "Flipped the kernel",
                  "PyTorch's convolution is a cross-correlation: the kernel slides over the input "
                  "as written, without being flipped (that would be a true convolution).", _flipped),
    Misconception("ignored_padding", "Ignored the padding",
                  "`padding=p` adds p zeros on each side before the kernel slides; the windows at "
                  "the border include those zeros.",
                  when(lambda p: any(p["padding"]), lambda p: _conv(p, padding=[0] * len(p["padding"])))),
    Misconception("ignored_stride", "Ignored the stride",
                  "With stride s the window jumps s positions between outputs, so only every s-th "
                  "stride-1 output is kept.",
                  when(lambda p: max(p["stride"]) > 1, lambda p: _conv(p, stride=[1] * len(p["stride"])))),
    Misconception("ignored_dilation", "Ignored the dilation",
                  "With dilation d the kernel taps are d positions apart: the kernel skips d-1 input "
                  "entries between taps.",
                  when(lambda p: max(p["dilation"]) > 1,
                          lambda p: _conv(p, dilation=[1] * len(p["dilation"])))),
    Misconception("dilation_gaps", "Left d gaps between the taps instead of d-1",
                  "Dilation d means the taps are d positions apart, so there are d-1 skipped entries "
                  "between neighbouring taps (dilation 1 is an ordinary kernel).",
                  when(lambda p: max(p["dilation"]) > 1,
                          lambda p: _conv(p, dilation=[d + 1 if d > 1 else 1 for d in p["dilation"]]))),
)
