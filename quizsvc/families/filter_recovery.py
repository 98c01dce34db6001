"""Recover the kernel of a convolution from its input and output (a linear system in the kernel)."""

from __future__ import annotations

from functools import lru_cache
from math import prod
from typing import Any

import numpy as np

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families import tensors as T
from quizsvc.families.render import dims, num
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.exact import Inconsistent, NoUniqueSolution, solve_exact
from quizsvc.solver.shapes import conv_out_size

NAME = "filter_recovery"
VERSION = 2
TOPIC = "Convolution as a linear system"

MAX_KERNEL_ENTRIES = 25
_VALUES = range(-3, 4)
_NONZERO = (-3, -2, -1, 1, 2, 3)
# (input size, kernel size, stride) of the 2D problems: at least as many outputs as unknowns.
_MEDIUM_2D = (([3, 3], [2, 2], [1, 1]),)
_HARD_2D = (([4, 4], [2, 2], [1, 1]), ([5, 5], [2, 2], [2, 2]), ([5, 5], [3, 3], [1, 1]),
            ([4, 5], [2, 3], [1, 1]), ([5, 4], [3, 2], [1, 1]), ([3, 4], [2, 2], [1, 1]))


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw an input and an integer kernel whose windows determine it; the output follows."""
    while True:
        if level == "easy":
            k = rng.between(2, 3)
            n, ks, s = [rng.between(2 * k - 1, 7)], [k], [1]
        elif level == "medium" and rng.chance(0.6):
            k = rng.between(2, 3)
            n, ks, s = [rng.between(3 * k - 2, 3 * k)], [k], [2]
        elif level == "medium":
            n, ks, s = rng.choice(_MEDIUM_2D)
        else:
            n, ks, s = rng.choice(_HARD_2D)
        if len(n) == 1:
            x, w = T.draw(rng, _VALUES, n[0]), T.draw(rng, _NONZERO, ks[0])
        else:
            x, w = T.draw_matrix(rng, _VALUES, *n), T.draw_matrix(rng, _NONZERO, *ks)
        flat_w = w if len(n) == 1 else [v for row in w for v in row]
        flat_y = [sum(a * b for a, b in zip(win, flat_w)) for win in _windows(x, ks, s)]
        if len(n) == 1:
            y = flat_y
        else:
            wo = _out(n[1], ks[1], s[1])
            y = [flat_y[i:i + wo] for i in range(0, len(flat_y), wo)]
        found, _ = _recover(_key(x), _key(y), tuple(ks), tuple(s))
        if found is not None:
            return {"input": x, "output": y, "kernel_size": ks, "stride": s}


def _out(n: int, k: int, s: int) -> int:
    return (n - k) // s + 1


def _windows(x: Any, ks: list[int] | tuple, stride: list[int] | tuple) -> list[list[int]]:
    """Return the windows of `x` (no padding) as rows of Python ints, row-major.

    The same matrix as `solver.conv.unfold`, built in Python because the exact solver
    needs Python ints and the arrays are tiny.
    """
    if len(ks) == 1:
        k, s = ks[0], stride[0]
        return [list(x[i:i + k]) for i in range(0, len(x) - k + 1, s)]
    (kh, kw), (sh, sw) = ks, stride
    return [[v for row in x[i:i + kh] for v in row[j:j + kw]]
            for i in range(0, len(x) - kh + 1, sh) for j in range(0, len(x[0]) - kw + 1, sw)]


def _key(value: list) -> tuple:
    return tuple(map(tuple, value)) if T.ndim_of(value) == 2 else tuple(value)


@lru_cache(maxsize=4096)
def _recover(x: tuple, y: tuple, kernel_size: tuple, stride: tuple) -> tuple[tuple | None, str]:
    """Return (the unique kernel as a flat tuple of Fractions, "") or (None, why not).

    Cached because validation, solving and the generator all need the same exact solve.
    """
    windows = _windows(x, kernel_size, stride)
    targets = list(y) if len(kernel_size) == 1 else [v for row in y for v in row]
    try:
        return tuple(solve_exact(windows, targets)), ""
    except NoUniqueSolution:
        return None, "unique"
    except Inconsistent:
        return None, "none"


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse outputs no kernel gives, or that many kernels give."""
    P.only_keys(params, ("input", "output"), ("kernel_size", "stride"))
    x = T.read(params, "input", integral=True)
    nd = T.ndim_of(x)
    y = T.read(params, "output", nd, integral=True)
    n, m = T.shape(x), T.shape(y)
    stride = P.per_dim(params, "stride", nd, 1, T.MAX_STRIDE, default=1)
    if params.get("kernel_size") is None:
        ks = _infer_kernel_size(n, m, stride)
    else:
        ks = P.per_dim(params, "kernel_size", nd, 1, P.MAX_ARRAY_SIDE)
    P.limit_entries(prod(ks), "the kernel", MAX_KERNEL_ENTRIES)
    T.check_fits(n, ks, [0] * nd, [1] * nd)
    expected = [conv_out_size(a, b, c) for a, b, c in zip(n, ks, stride)]
    if expected != m:
        raise ParamError(f"a kernel of size {dims(ks)} with stride {dims(stride)} on an input of "
                         f"size {dims(n)} gives an output of size {dims(expected)}, "
                         f"not {dims(m)}", errors={"output": "wrong size"})
    found, why = _recover(_key(x), _key(y), tuple(ks), tuple(stride))
    if found is None:
        if why == "unique":
            raise ParamError(f"the input does not determine the kernel: its {prod(m)} windows span "
                             f"fewer than the {prod(ks)} dimensions a kernel of size {dims(ks)} has, "
                             "so many kernels give this output", errors={"input": "kernel not unique"})
        raise ParamError("no kernel gives this output from this input (the equations contradict "
                         "each other)", errors={"output": "no solution"})
    return {"input": x, "output": y, "kernel_size": ks, "stride": stride}


def _infer_kernel_size(n: list[int], m: list[int], stride: list[int]) -> list[int]:
    sizes = []
    for i, (ni, mi, si) in enumerate(zip(n, m, stride)):
        fits = [k for k in range(1, ni + 1) if conv_out_size(ni, k, si) == mi]
        if len(fits) != 1:
            why = "no kernel size" if not fits else f"kernel sizes {fits[0]} to {fits[-1]} all"
            raise ParamError(f"dimension {i}: {why} give(s) {mi} outputs from {ni} inputs with stride "
                             f"{si}; give kernel_size", errors={"kernel_size": "needed"})
        sizes.append(fits[0])
    return sizes


def _shaped(flat: tuple, ks: list[int]) -> list:
    values = [int(v) if v.denominator == 1 else float(v) for v in flat]
    if len(ks) == 1:
        return values
    return [values[i * ks[1]:(i + 1) * ks[1]] for i in range(ks[0])]


def _solution_of(p: dict[str, Any], stride: list[int] | None = None) -> list | None:
    stride = p["stride"] if stride is None else stride
    found, _ = _recover(_key(p["input"]), _key(p["output"]), tuple(p["kernel_size"]), tuple(stride))
    return None if found is None else _shaped(found, p["kernel_size"])


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"kernel": w}``, the unique w with conv(input, w, stride) == output (exact)."""
    return {"kernel": _solution_of(params)}


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    nd = len(params["kernel_size"])
    return [AnswerField("kernel", T.kind(nd), "The kernel" + ("" if nd == 1 else " (one row per kernel row)"))]


def prompt(params: dict[str, Any]) -> str:
    nd = len(params["kernel_size"])
    s = params["stride"]
    stride = str(s[0]) if len(set(s)) == 1 else str(tuple(s))
    size = f"length {params['kernel_size'][0]}" if nd == 1 else f"size {dims(params['kernel_size'])}"
    return (f"An unknown kernel $w$ of {size} was applied to the input $x$ by `F.conv{nd}d(x, w, "
            f"stride={stride})`: no padding, and no flip (PyTorch's convolution is a "
            "cross-correlation). It produced $y$.\n\n"
            f"$$x = {T.tex(params['input'])}, \\qquad y = {T.tex(params['output'])}$$\n\n"
            "What was the kernel $w$?")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    ks = params["kernel_size"]
    nd = len(ks)
    names = [f"w_{{{i + 1}}}" for i in range(prod(ks))] if nd == 1 else \
        [f"w_{{{a + 1}{b + 1}}}" for a in range(ks[0]) for b in range(ks[1])]
    windows = _windows(params["input"], ks, params["stride"])
    targets = params["output"] if nd == 1 else [v for row in params["output"] for v in row]
    lines = ["Each output entry is a window of the input times the kernel, so every entry of $y$ "
             f"gives one linear equation in the {len(names)} unknowns:", ""]
    for row, t in zip(windows, targets):
        terms = " + ".join(f"({v}){n}" for v, n in zip(row, names))
        lines.append(f"- ${terms} = {t}$")
    flat = key["kernel"] if nd == 1 else [v for r in key["kernel"] for v in r]
    lines += ["", f"The {len(targets)} windows span all {len(names)} directions of the kernel (the "
              f"{len(targets)}x{len(names)} matrix of windows has rank {len(names)}), so the system "
              "has exactly one solution. Solving it (elimination; least squares gives the same "
              f"here) gives ${', '.join(f'{n} = {num(v)}' for n, v in zip(names, flat))}$.",
              "", "Check the first equation: "
              f"${' + '.join(f'({a})({num(b)})' for a, b in zip(windows[0], flat))} = {targets[0]}$.",
              "", f"**Kernel:** $w = {T.tex(key['kernel'])}$"]
    return "\n".join(lines)


def _transform(fn):
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        w = _solution_of(p)
        out = fn(np.asarray(w), p)
        return None if out is None else {"kernel": out.tolist()}
    return solve_buggy


def _ignored_stride(p: dict[str, Any]) -> dict[str, Any] | None:
    if max(p["stride"]) == 1:
        return None
    ones = [1] * len(p["stride"])
    # The student's windows start one position apart; only the first len(y) of them are used.
    x = np.asarray(p["input"])
    m = T.shape(p["output"])
    cut = [mi + k - 1 for mi, k in zip(m, p["kernel_size"])]
    head = x[tuple(slice(0, c) for c in cut)].tolist()
    w = _solution_of({**p, "input": head}, ones)
    return None if w is None else {"kernel": w}


MISCONCEPTIONS = (
    Misconception("flipped_kernel", "Gave the flipped kernel",
                  "The equations of a cross-correlation pair the first kernel entry with the first "
                  "entry of each window; reading them as a true convolution reverses the kernel.",
                  _transform(lambda w, p: np.flip(w))),
    Misconception("transposed_kernel", "Transposed the kernel",
                  "Kernel entry w[a, b] multiplies the input at row i + a and column j + b: rows of "
                  "the kernel go with rows of the input.",
                  _transform(lambda w, p: w.T if w.ndim == 2 else None)),
    Misconception("ignored_stride", "Ignored the stride",
                  "With stride s consecutive outputs come from windows s positions apart, so the "
                  "equations use every s-th window, not neighbouring ones.", _ignored_stride),
)
