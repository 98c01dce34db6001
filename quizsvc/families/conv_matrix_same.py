"""The matrix of a convolution with ``padding="same"``: square, one row per output = per input.

``F.convNd(x, k, padding="same")`` pads ``d(k-1)`` zeros along each dimension, the odd one
after the input (PyTorch's rule), so the output has the input's size and ``y.ravel() =
A @ x.ravel()`` with A square. Rows whose window hangs over the border lose the taps that land on
padding (discussion 000 2(d), 001 1(a)).
"""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families import tensors as T
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.families.render import spatial_names
from quizsvc.families.rng import Sampler
from quizsvc.families.toeplitz_matrix import matrix_prompt
from quizsvc.solver.conv import correlate, zero_pad
from quizsvc.solver.shapes import same_padding

NAME = "conv_matrix_same"
VERSION = 1
TOPIC = "Convolution as a matrix"

_NONZERO = (-3, -2, -1, 1, 2, 3)


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw odd kernels, 1D or 3x3 on a small image (easy), even kernels or 2D (medium), 2D or
    dilated (hard)."""
    if level == "easy" and rng.chance(0.25):
        n, ks, d = [rng.between(2, 3), 3], [3, 3], [1, 1]  # 2D: one zero around, as in 1D
    elif level == "easy":
        k = rng.choice((3, 3, 3, 5))
        n, ks, d = [rng.between(max(4, k), 8)], [k], [1]
    elif level == "medium" and rng.chance(0.6):
        k = rng.choice((2, 4, 3))
        n, ks, d = [rng.between(max(4, k), 8)], [k], [1]
    elif level == "medium":
        n, ks, d = [3, 3], [rng.choice((2, 3))] * 2, [1, 1]
    elif rng.chance(0.25):
        n, ks, d = [rng.between(5, 8)], [rng.choice((2, 3))], [2]
    else:
        n = [rng.between(3, 4), rng.between(3, 4)]
        ks, d = [rng.between(2, 3), rng.between(2, 3)], [1, 1]
    kernel = T.draw(rng, _NONZERO, ks[0]) if len(n) == 1 else T.draw_matrix(rng, _NONZERO, *ks)
    return {"in_size": n, "kernel": kernel, "dilation": d}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse a kernel wider than the input and matrices over 1024 entries."""
    P.only_keys(params, ("in_size", "kernel"), ("dilation",))
    size = P.size_list(params, "in_size", 1, 2, 1, P.MAX_ARRAY_SIDE)
    nd = len(size)
    kernel = T.read(params, "kernel", nd)
    dil = P.per_dim(params, "dilation", nd, 1, T.MAX_DILATION, default=1)
    for i, (n, k, d) in enumerate(zip(size, T.shape(kernel), dil)):
        if d * (k - 1) + 1 > 2 * n:
            raise ParamError(f"dimension {i}: the kernel spans {d * (k - 1) + 1} positions, more than "
                             f"twice the input's {n}: some outputs would see only padding",
                             errors={"kernel": "too wide for the input"})
    P.limit_entries(prod(size) ** 2, "the convolution matrix")
    return {"in_size": size, "kernel": kernel, "dilation": dil}


def pads(p: dict[str, Any], *, swap: bool = False) -> tuple[list[int], list[int]]:
    """Return the zeros (before, after) per dimension; `swap` puts the odd one before."""
    pairs = [same_padding(k, d) for k, d in zip(T.shape(p["kernel"]), p["dilation"])]
    if swap:
        pairs = [(a, b)[::-1] for a, b in pairs]
    return [a for a, _ in pairs], [b for _, b in pairs]


def matrix(p: dict[str, Any], kernel: Any = None, *, before: list[int] | None = None,
           after: list[int] | None = None) -> np.ndarray:
    """Return A: (outputs, inputs), both row-major: the correlation of every unit input."""
    k = np.asarray(p["kernel"] if kernel is None else kernel)
    b, a = pads(p)
    b, a = (b if before is None else before), (a if after is None else after)
    count = prod(p["in_size"])
    basis = np.eye(count, dtype=np.int64).reshape(count, *p["in_size"])
    out = correlate(zero_pad(basis, b, a), k, dilation=p["dilation"])
    return out.reshape(count, -1).T


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"matrix": A}``: A[output position, input position], square."""
    return {"matrix": matrix(params).tolist()}


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("matrix", "matrix",
                        "The matrix A (one row per output position, one column per input position)")]


def _call(p: dict[str, Any]) -> str:
    nd = len(p["in_size"])
    extra = f", dilation={p['dilation'][0]}" if max(p["dilation"]) > 1 else ""
    return f'`F.conv{nd}d(x, k, padding="same"{extra})`'


def prompt(params: dict[str, Any]) -> str:
    return matrix_prompt(_call(params), params,
                         "PyTorch's cross-correlation: no flip; \"same\" pads $d(k-1)$ zeros per "
                         "dimension, the odd one after the input) keeps the input's size. It is "
                         "linear: ")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    n = prod(params["in_size"])
    before, after = pads(params)
    lines = []
    for name, k, d, b, a in zip(spatial_names(len(params["in_size"])), T.shape(params["kernel"]),
                                params["dilation"], before, after):
        lines.append(f"- ${name}$: the kernel spans ${d}\\cdot({k}-1)+1 = {d * (k - 1) + 1}$, so "
                     f"\"same\" pads {d * (k - 1)} zeros: {b} before, {a} after.")
    lines += ["", f"So $A$ is {n}x{n}. Row $r$ holds the kernel taps of output $r$'s window at the "
              "columns of the inputs under them; taps on padding zeros drop out, which is why the "
              "first and last rows are shorter. The rows in between are the valid convolution's "
              "rows, shifted: a (doubly block) Toeplitz band.", "",
              f"**A** $= {T.tex(key['matrix'])}$"]
    return "\n".join(lines)


def _as_key(m: np.ndarray | None) -> dict[str, Any] | None:
    return None if m is None else {"matrix": m.tolist()}


def _valid(p: dict[str, Any]) -> dict[str, Any] | None:
    nd = len(p["in_size"])
    if any(d * (k - 1) + 1 > n for n, k, d in zip(p["in_size"], T.shape(p["kernel"]), p["dilation"])):
        return None
    return _as_key(matrix(p, before=[0] * nd, after=[0] * nd))


def _padded_columns(p: dict[str, Any]) -> dict[str, Any] | None:
    before, after = pads(p)
    size = [n + b + a for n, b, a in zip(p["in_size"], before, after)]
    if prod(size) * prod(p["in_size"]) > P.MAX_ARRAY_ENTRIES:
        return None
    q = {**p, "in_size": size}
    nd = len(size)
    full = matrix(q, before=[0] * nd, after=[0] * nd)
    return _as_key(full)


def _odd_zero_before(p: dict[str, Any]) -> dict[str, Any] | None:
    before, after = pads(p)
    if before == after:
        return None
    b, a = pads(p, swap=True)
    return _as_key(matrix(p, before=b, after=a))


def _column_major(p: dict[str, Any]) -> dict[str, Any] | None:
    if len(p["in_size"]) != 2:
        return None
    h, w = p["in_size"]
    a = matrix(p).reshape(h, w, h, w).transpose(1, 0, 3, 2)
    return _as_key(a.reshape(h * w, h * w))


def _transposed(p: dict[str, Any]) -> dict[str, Any]:
    return _as_key(matrix(p).T)  # type: ignore[return-value]


MISCONCEPTIONS = (
    Misconception("transposed", "Wrote the transpose",
                  "Row r of A computes output r; you gave the matrix of the transposed "
                  "convolution (column r holds output r's taps).", _transposed),
    Misconception("ignored_padding", "Wrote the valid convolution's matrix",
                  "\"same\" keeps one output per input: the windows that hang over the border are "
                  "rows too, with their taps on padding dropped.", _valid),
    Misconception("padded_columns", "Kept columns for the padding zeros",
                  "The padding zeros are not inputs: A multiplies the unpadded x, so it is square "
                  "and taps that land on padding simply disappear.", _padded_columns),
    Misconception("flipped_kernel", "Flipped the kernel",
                  "PyTorch's convolution does not flip the kernel: within a full row, k[0] comes "
                  "first, over the first input of the window.",
                  lambda p: _as_key(matrix(p, kernel=np.flip(np.asarray(p["kernel"]))))),
    Misconception("odd_zero_before", "Put the odd padding zero before the input",
                  "With an even span d(k-1), \"same\" cannot pad evenly; PyTorch puts the extra zero "
                  "after the input, so the last row, not the first, loses an extra tap.",
                  _odd_zero_before),
    Misconception("column_major", "Numbered the positions column by column",
                  "Flattening is row-major (`x.ravel()`): position (i, j) of an H x W image is "
                  "number i*W + j, for the input columns as for the output rows.", _column_major),
)
