"""The matrix of a convolution without weight sharing (locally connected) and its weight count.

Every window gets its own filter, so row r of the matrix holds filter r's taps. How many weights
that is depends on a convention, and the course material uses both, so the variant states it:

- ``all_taps``: every tap of every window is a weight, padded ones included (``nn.Unfold`` then
  one weight per column entry): ``outputs * prod(kernel)``.
- ``real_taps``: only taps that meet a real input are weights (the nonzero entries of the
  matrix; discussion 000 2(e) counts 21 + 4 this way).
"""

from __future__ import annotations

from math import prod
from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.buggy import differs
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.families.render import dims, tup
from quizsvc.families.rng import Sampler
from quizsvc.solver.shapes import conv_out_size, same_padding

NAME = "unshared_matrix"
VERSION = 2
TOPIC = "Weight sharing"

CONVENTIONS = ("all_taps", "real_taps")
_SAID = {"all_taps": "count **every tap of every window** as a weight, also the taps that land "
                     "on padding zeros",
         "real_taps": "count only the taps that meet a **real input** (the nonzero entries of the "
                      "matrix); taps on padding zeros are not weights"}


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw 1D valid/same (easy), 1D stride and padding (medium), 2D (hard)."""
    convention = rng.choice(CONVENTIONS)
    while True:
        if level == "easy":
            k = rng.choice((3, 3, 5))
            out = {"in_size": [rng.between(max(5, k + 1), 16)], "kernel_size": [k], "stride": [1],
                   "padding": rng.choice((0, "same"))}
        elif level == "medium":
            k = rng.between(2, 5)
            out = {"in_size": [rng.between(8, 24)], "kernel_size": [k], "stride": [rng.between(1, 3)],
                   "padding": [rng.between(1, k - 1) if k > 1 else 0]}
        else:
            out = {"in_size": [rng.between(4, 10), rng.between(4, 10)],
                   "kernel_size": [rng.between(2, 4), rng.between(2, 4)],
                   "stride": [rng.between(1, 2)] * 2}
            out["padding"] = "same" if out["stride"] == [1, 1] and rng.chance(0.4) else \
                [rng.between(0, k - 1) for k in out["kernel_size"]]
        out["convention"] = convention
        try:
            return validate(out)
        except ParamError:
            continue


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; padding below the kernel, "same" only with stride 1."""
    P.only_keys(params, ("in_size", "kernel_size", "convention"), ("stride", "padding"))
    size = P.size_list(params, "in_size", 1, 2, 1, 64)
    nd = len(size)
    out: dict[str, Any] = {"in_size": size,
                           "kernel_size": P.per_dim(params, "kernel_size", nd, 1, 16),
                           "stride": P.per_dim(params, "stride", nd, 1, 8, default=1),
                           "convention": P.one_of(params, "convention", CONVENTIONS)}
    pad = params.get("padding", 0)
    if pad == "same":
        if max(out["stride"]) > 1:
            raise ParamError('padding="same" needs stride 1', errors={"padding": "same with stride"})
        out["padding"] = "same"
    else:
        out["padding"] = P.per_dim(params, "padding", nd, 0, 16, default=0)
        for i, (k, p) in enumerate(zip(out["kernel_size"], out["padding"])):
            if p > k - 1:
                raise ParamError(f"dimension {i}: padding {p} is at least the kernel size {k}, so "
                                 "a window would see padding only", errors={"padding": "too wide"})
    for i, (n, k, (b, a)) in enumerate(zip(size, out["kernel_size"], pads(out))):
        if k > n + b + a:
            raise ParamError(f"dimension {i}: the kernel spans {k} positions but the padded input "
                             f"has only {n + b + a}", errors={"kernel_size": "too large"})
    return out


def pads(p: dict[str, Any]) -> list[tuple[int, int]]:
    if p["padding"] == "same":
        return [same_padding(k) for k in p["kernel_size"]]
    return [(q, q) for q in p["padding"]]


def _dims(p: dict[str, Any], padded: bool = True) -> list[tuple[int, int, int, int, int]]:
    return [(n, k, s, b, a) if padded else (n, k, s, 0, 0) for n, k, s, (b, a)
            in zip(p["in_size"], p["kernel_size"], p["stride"], pads(p))]


def _windows(n: int, k: int, s: int, b: int, a: int) -> int:
    return conv_out_size(n + b + a, k, s)


def _real(n: int, k: int, s: int, b: int, a: int) -> int:
    """Return the (window, tap) pairs of one dimension that land on a real input."""
    return sum(min(j * s - b + k, n) - max(j * s - b, 0) for j in range(_windows(n, k, s, b, a)))


def count(p: dict[str, Any], convention: str, *, padded: bool = True) -> dict[str, Any]:
    d = _dims(p, padded)
    rows = prod(_windows(*x) for x in d)
    if convention == "all_taps":
        weights = rows * prod(p["kernel_size"])
    else:
        weights = prod(_real(*x) for x in d)
    return {"shape": [rows, prod(p["in_size"])], "weights": weights}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"shape": [outputs, inputs], "weights"}`` under the stated convention."""
    return count(params, params["convention"])


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("shape", "shape", "Shape of the matrix (rows x columns)"),
            AnswerField("weights", "integer", "Number of weights (learnable parameters)")]


def _pad_text(p: dict[str, Any]) -> str:
    if p["padding"] == "same":
        return 'padding="same" (zeros so that the output keeps the input\'s size; an odd one after)'
    return f"padding {tup(p['padding']) if len(p['padding']) > 1 else p['padding'][0]}"


def prompt(params: dict[str, Any]) -> str:
    nd = len(params["in_size"])
    what = (f"a signal of length {params['in_size'][0]}" if nd == 1
            else f"a {dims(params['in_size'])} single-channel image (positions numbered row by row)")
    k = params["kernel_size"]
    ks = str(k[0]) if nd == 1 else dims(k)
    s = params["stride"]
    return (f"A single-channel layer slides a window of size {ks} over {what} with stride "
            f"{s[0] if nd == 1 else tup(s)} and {_pad_text(params)}, like a convolution, but **without "
            "weight sharing**: every window position has its own filter, no bias. As a linear map "
            r"$y = Kx$ of the unpadded input, row $r$ of $K$ holds the filter of output $r$." + "\n\n"
            f"Convention: {_SAID[params['convention']]}.\n\n"
            "1. What is the shape of $K$?\n2. How many weights does the layer have?")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    rows, cols = key["shape"]
    lines = []
    for i, (n, k, s, b, a) in enumerate(_dims(params)):
        lines.append(f"- dimension {i}: {b} zero(s) before, {a} after: "
                     f"$\\lfloor ({n} + {b + a} - {k})/{s} \\rfloor + 1 = {_windows(n, k, s, b, a)}$ "
                     f"windows, {_real(n, k, s, b, a)} (window, tap) pairs on real inputs")
    lines += ["", f"$K$ has one row per output ({rows}) and one column per input ({cols}): "
              f"{rows}x{cols}."]
    every = rows * prod(params["kernel_size"])
    real = count(params, "real_taps")["weights"]
    if params["convention"] == "all_taps":
        lines.append(f"Counting every tap: ${rows} \\times {prod(params['kernel_size'])} = {every}$ "
                     f"weights (only {real} of them ever meet a real input).")
    else:
        lines.append(f"Counting the taps on real inputs, the product of the per-dimension counts: "
                     f"{real} weights (every tap would be {every}).")
    lines.append("A shared convolution would have only "
                 f"{prod(params['kernel_size'])}: one filter for every window.")
    return "\n".join(lines)


def _other(p: dict[str, Any]) -> dict[str, Any]:
    other = "real_taps" if p["convention"] == "all_taps" else "all_taps"
    return {"weights": count(p, other)["weights"]}


def _valid(p: dict[str, Any]) -> dict[str, Any] | None:
    if not any(b + a for b, a in pads(p)):
        return None
    if any(k > n for n, k in zip(p["in_size"], p["kernel_size"])):
        return None
    return count(p, p["convention"], padded=False)


def _transposed(p: dict[str, Any]) -> dict[str, Any]:
    rows, cols = count(p, p["convention"])["shape"]
    return {"shape": [cols, rows]}


MISCONCEPTIONS = (
    Misconception("other_convention", "Counted under the other convention",
                  "The question states which taps count as weights: every tap of every window, or "
                  "only the taps that meet a real input. The two differ by the taps on padding.",
                  differs(solve, _other)),
    Misconception("shared_count", "Counted one shared filter",
                  "Without weight sharing every window has its own filter: multiply by the number "
                  "of windows.", differs(solve, lambda p: {"weights": prod(p["kernel_size"])})),
    Misconception("dense_count", "Counted every entry of the matrix",
                  "A locally connected layer is still sparse: each row has at most one weight per "
                  "tap of its window, not one per input.",
                  differs(solve, lambda p: {"weights": prod(count(p, p["convention"])["shape"])})),
    Misconception("ignored_padding", "Ignored the padding",
                  "Padding adds windows that hang over the border: more rows, each with its own "
                  "filter.", differs(solve, _valid)),
    Misconception("transposed", "Wrote the shape of the transpose",
                  "K maps the input to the output: one row per output position, one column per "
                  "input position.", differs(solve, _transposed)),
)
