"""The matrix of a convolution: ``y.ravel() = A @ x.ravel()`` (a Toeplitz, or doubly block Toeplitz, matrix)."""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np

from quizsvc.families import params as P
from quizsvc.families import tensors as T
from quizsvc.families.render import arg, dims, spatial_names
from quizsvc.families.rng import Sampler
from quizsvc.families.mistakes import when
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.conv import conv_matrix
from quizsvc.solver.shapes import conv_out_size

NAME = "toeplitz_matrix"
VERSION = 3  # 3: a figure drawn from the parameters (issue 15)
TOPIC = "Convolution as a matrix"

_NONZERO = (-3, -2, -1, 1, 2, 3)


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw 1D without padding (easy), 1D padding/stride or small 2D (medium), 2D or dilated (hard)."""
    while True:
        if level == "easy":
            n, k, s, p, d = [rng.between(4, 7)], [rng.between(2, 3)], [1], [0], [1]
        elif level == "medium" and rng.chance(0.7):
            n, k = [rng.between(4, 8)], [rng.between(2, 3)]
            s, p, d = [rng.between(1, 2)], [rng.between(0, k[0] - 1)], [1]
            if s == [1] and p == [0]:
                continue
        elif level == "medium":
            n, k, s, p, d = [3, 3], [2, 2], [1, 1], [0, 0], [1, 1]
        elif rng.chance(0.2):
            n, k = [rng.between(5, 8)], [rng.between(2, 3)]
            s, p, d = [rng.between(1, 2)], [rng.between(0, 1)], [2]
        else:
            n = [rng.between(3, 4), rng.between(3, 4)]
            k = [rng.between(2, 3), rng.between(2, 3)]
            s = [rng.between(1, 2)] * 2
            p = [rng.between(0, 1)] * 2
            d = [1, 1]
        out = [conv_out_size(*a) for a in zip(n, k, s, p, d)]
        if min(out) < 1 or prod(out) * prod(n) > 144 or (level == "hard" and prod(out) < 2):
            continue
        kernel = T.draw(rng, _NONZERO, k[0]) if len(n) == 1 else T.draw_matrix(rng, _NONZERO, *k)
        return {"in_size": n, "kernel": kernel, "stride": s, "padding": p, "dilation": d}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse a kernel that does not fit and matrices over 1024 entries."""
    P.only_keys(params, ("in_size", "kernel"), ("stride", "padding", "dilation"))
    size = P.size_list(params, "in_size", 1, 2, 1, P.MAX_ARRAY_SIDE)
    nd = len(size)
    kernel = T.read(params, "kernel", nd)
    out = {"in_size": size, "kernel": kernel, **T.per_dims(params, nd)}
    T.check_fits(size, T.shape(kernel), out["padding"], out["dilation"])
    P.limit_entries(prod(_out_shape(out)) * prod(size), "the convolution matrix")
    return out


def _dims(p: dict[str, Any]) -> list[tuple[int, int, int, int, int]]:
    return list(zip(p["in_size"], T.shape(p["kernel"]), p["stride"], p["padding"], p["dilation"]))


def _out_shape(p: dict[str, Any]) -> list[int]:
    return [conv_out_size(*a) for a in _dims(p)]


def _matrix(p: dict[str, Any], kernel: Any = None, **changes: Any) -> np.ndarray | None:
    q = {**p, **changes}
    k = p["kernel"] if kernel is None else kernel
    if any(d * (kk - 1) + 1 > n + 2 * pp for n, kk, pp, d in
           zip(q["in_size"], T.shape(p["kernel"]), q["padding"], q["dilation"])):
        return None
    return conv_matrix(q["in_size"], k, q["stride"], q["padding"], q["dilation"])


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"matrix": A}``: A[output position, input position], both row-major."""
    return {"matrix": _matrix(params).tolist()}  # type: ignore[union-attr]


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("matrix", "matrix",
                        "The matrix A (one row per output position, one column per input position)")]


def _call(p: dict[str, Any]) -> str:
    nd = len(p["in_size"])
    parts = [f"stride={arg(p['stride'])}", f"padding={arg(p['padding'])}"]
    if max(p["dilation"]) > 1:
        parts.append(f"dilation={arg(p['dilation'])}")
    return f"`F.conv{nd}d(x, k, {', '.join(parts)})`"

def matrix_prompt(call: str, params: dict[str, Any], convention: str) -> str:
    """Ask for the matrix A of the convolution `call` (also the "same" variant's prompt)."""
    nd = len(params["in_size"])
    what = (f"a signal $x$ of length {params['in_size'][0]}" if nd == 1
            else f"a {dims(params['in_size'])} single-channel image $x$")
    order = ("" if nd == 1 else " Positions are numbered row by row (row-major, as `x.ravel()` "
             "numbers them), for the output as for the input.")
    return (f"The convolution {call} of {what} with the kernel $k = {T.tex(params['kernel'])}$ "
            f"({convention}" r"$y_{\text{flat}} = A\, x_{\text{flat}}$." + order + "\n\n"
            "What is the matrix $A$? It has one row per output position and one column per position "
            "of the **unpadded** input.")


def prompt(params: dict[str, Any]) -> str:
    return matrix_prompt(_call(params), params, "PyTorch's cross-correlation: the kernel is not "
                                                "flipped) is a linear map, so it can be written ")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    nd = len(params["in_size"])
    out = _out_shape(params)
    rows, cols = prod(out), prod(params["in_size"])
    lines = ["Row $r$ of $A$ computes output position $r$: it holds the kernel entries at the columns "
             "of the input entries under that window. Taps that land on padding zeros multiply "
             "nothing, so they do not appear; columns are only the real input positions.", ""]
    for name, (n, k, s, p, d) in zip(spatial_names(nd), _dims(params)):
        top = n + 2 * p - d * (k - 1) - 1
        lines.append(f"- ${name}$: $\\lfloor ({n} + 2\\cdot{p} - {d}\\cdot({k}-1) - 1)/{s} \\rfloor + 1 = "
                     f"{top // s + 1}$ output positions")
    lines += ["", f"So $A$ is {rows}x{cols}: {rows} outputs by {cols} inputs.", ""]
    kernel = params["kernel"] if nd == 2 else [params["kernel"]]
    kh, kw = _pair(T.shape(params["kernel"]), 1)
    (sh, sw), (ph, pw), (dh, dw) = (_pair(params[n], z) for n, z in
                                    (("stride", 1), ("padding", 0), ("dilation", 1)))
    h, w = params["in_size"] if nd == 2 else (1, params["in_size"][0])
    wo = out[-1]
    for r in range(rows):
        i, j = divmod(r, wo)
        taps = []
        for a in range(kh):
            for b in range(kw):
                y, x = i * sh + a * dh - ph, j * sw + b * dw - pw
                if 0 <= y < h and 0 <= x < w:
                    taps.append(f"column {y * w + x} gets $k{_idx(nd, a, b)} = {kernel[a][b]}$")
        where = f"({i}, {j})" if nd == 2 else str(j)
        lines.append(f"- Row {r} (output {where}): " + ("; ".join(taps) or "no input entry") + ".")
    if any(params["padding"]):
        shape = ("Rows whose window overlaps the padding lose the taps that land on zeros, so "
                 "the rows near the border are not shifted copies of their neighbours.")
    else:
        shape = ("Each row is the one before shifted by the stride: "
                 + ("a Toeplitz matrix." if nd == 1 else
                    "within a block of output rows; blocks of Toeplitz matrices (doubly block Toeplitz)."))
    lines += ["", "Every column not named in a row is 0. " + shape,
              "", f"**A** $= {T.tex(key['matrix'])}$"]
    return "\n".join(lines)


def _pair(values: list[int], neutral: int) -> tuple[int, int]:
    """Return (row, column) values; a 1D problem is a 1 x L picture."""
    return (values[0], values[1]) if len(values) == 2 else (neutral, values[0])


def _idx(nd: int, a: int, b: int) -> str:
    return f"[{a}, {b}]" if nd == 2 else f"[{b}]"


def _as_key(m: np.ndarray | None) -> dict[str, Any] | None:
    return None if m is None else {"matrix": m.tolist()}


def _transposed(p: dict[str, Any]) -> dict[str, Any] | None:
    return _as_key(_matrix(p).T)  # type: ignore[union-attr]


def _padded_columns(p: dict[str, Any]) -> dict[str, Any] | None:
    if not any(p["padding"]):
        return None
    size = [n + 2 * q for n, q in zip(p["in_size"], p["padding"])]
    return _as_key(_matrix(p, in_size=size, padding=[0] * len(size)))


def _column_major(p: dict[str, Any]) -> dict[str, Any] | None:
    if len(p["in_size"]) != 2:
        return None
    (h, w), (ho, wo) = p["in_size"], _out_shape(p)
    a = _matrix(p).reshape(ho, wo, h, w).transpose(1, 0, 3, 2)  # type: ignore[union-attr]
    return _as_key(a.reshape(ho * wo, h * w))



MISCONCEPTIONS = (
    Misconception("transposed", "Wrote the transpose",
                  "A maps the input to the output, so it has one row per output position and one "
                  "column per input position; you gave the matrix of the transposed convolution.",
                  _transposed),
    Misconception("padded_columns", "Kept columns for the padding zeros",
                  "The padding zeros are not inputs: A multiplies the unpadded x, so taps that land "
                  "on padding simply disappear from the row.", _padded_columns),
    Misconception("ignored_padding", "Ignored the padding",
                  "With padding there are more output positions: the windows that hang over the "
                  "border are rows too, with the taps on padding dropped.",
                  when(lambda p: any(p["padding"]),
                          lambda p: _as_key(_matrix(p, padding=[0] * len(p["padding"]))))),
    Misconception("flipped_kernel", "Flipped the kernel",
                  "PyTorch's convolution does not flip the kernel: row 0 starts with k[0], the tap "
                  "over the first input entry of the window.",
                  lambda p: _as_key(_matrix(p, kernel=np.flip(np.asarray(p["kernel"]))))),
    Misconception("ignored_stride", "Ignored the stride",
                  "With stride s consecutive rows shift the kernel by s columns, and there are fewer "
                  "rows.",
                  when(lambda p: max(p["stride"]) > 1,
                          lambda p: _as_key(_matrix(p, stride=[1] * len(p["stride"]))))),
    Misconception("column_major", "Numbered the positions column by column",
                  "Flattening is row-major (`x.ravel()`): position (i, j) of an H x W image is "
                  "number i*W + j, for the input columns as for the output rows.", _column_major),
)
