"""The first and last output elements of a 1D convolution, in symbols: ``k1*x1 + k2*x2 + k3*x3``.

`F.conv1d` of ``x = [x1 ... xn]`` with ``k = [k1 ... kK]`` (no flip): output j (0-based) is
``sum_t k_{t+1} * xpad[j*s + t*d]``, where ``xpad`` is x with `before` zeros in front and
`after` behind; taps on padding zeros drop out of the sum. ``padding="same"`` pads
``d(K-1)`` zeros, the odd one behind (PyTorch's rule).
"""

from __future__ import annotations

import re
from typing import Any

from quizsvc.answers.symbolic import linear, matches
from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.families.rng import Sampler
from quizsvc.solver.shapes import conv_out_size, same_padding

NAME = "first_last_symbolic"
VERSION = 2
TOPIC = "Weight sharing"

MAX_LENGTH = 32
MAX_KERNEL = 9


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw valid or "same" convolutions (easy), padding and stride (medium), dilation (hard)."""
    while True:
        if level == "easy":
            k = rng.choice((2, 3, 3, 4, 5))
            p: Any = rng.choice((0, "same")) if k % 2 else 0
            out = {"length": rng.between(max(5, k + 1), 14), "kernel_size": k, "stride": 1,
                   "padding": p, "dilation": 1}
        elif level == "medium":
            k, s = rng.between(2, 5), rng.choice((1, 1, 2))
            p = rng.choice(("same", rng.between(0, k - 1))) if s == 1 else rng.between(0, k - 1)
            out = {"length": rng.between(8, 20), "kernel_size": k, "stride": s, "padding": p,
                   "dilation": 1}
        else:
            k, s, d = rng.between(2, 4), rng.between(1, 3), rng.choice((1, 2, 2))
            p = "same" if s == 1 and rng.chance(0.3) else rng.between(0, d * (k - 1))
            out = {"length": rng.between(16, 32), "kernel_size": k, "stride": s, "padding": p,
                   "dilation": d}
            if (s, d) == (1, 1):
                continue
        try:
            return validate(out)
        except ParamError:
            continue


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse windows that see only padding and "same" with a stride."""
    P.only_keys(params, ("length", "kernel_size"), ("stride", "padding", "dilation"))
    out = {"length": P.integer(params, "length", 1, MAX_LENGTH),
           "kernel_size": P.integer(params, "kernel_size", 1, MAX_KERNEL),
           "stride": P.integer(params, "stride", 1, 8, default=1),
           "padding": params.get("padding", 0),
           "dilation": P.integer(params, "dilation", 1, 4, default=1)}
    if out["padding"] == "same":
        if out["stride"] != 1:
            raise ParamError('padding="same" needs stride 1 (PyTorch refuses it otherwise)',
                             errors={"padding": "same with stride"})
    else:
        out["padding"] = P.integer(params, "padding", 0, 16, default=0)
    if length(out) < 1:
        raise ParamError(f"the kernel spans {out['dilation'] * (out['kernel_size'] - 1) + 1} "
                         f"positions but the padded input has only "
                         f"{out['length'] + sum(pads(out))}", errors={"kernel_size": "too large"})
    for j in (0, length(out) - 1):
        if not taps(out, j):
            raise ParamError(f"the padding is so wide that output {j} sees only padding zeros",
                             errors={"padding": "a window of zeros only"})
    return out


def pads(p: dict[str, Any]) -> tuple[int, int]:
    """Return the zeros (before, after) the input gets."""
    if p["padding"] == "same":
        return same_padding(p["kernel_size"], p["dilation"])
    return p["padding"], p["padding"]


def length(p: dict[str, Any]) -> int:
    """Return the output length."""
    before, after = pads(p)
    return conv_out_size(p["length"] + before + after, p["kernel_size"], p["stride"], 0,
                         p["dilation"])


def taps(p: dict[str, Any], j: int) -> list[tuple[int, int]]:
    """Return the (kernel index, input index), both 1-based, of output j's taps on real inputs."""
    b, s, d = pads(p)[0], p["stride"], p["dilation"]
    out = []
    for t in range(p["kernel_size"]):
        i = j * s + t * d - b
        if 0 <= i < p["length"]:
            out.append((t + 1, i + 1))
    return out


def _expr(pairs: list[tuple[int, int]]) -> str:
    return linear([(1, [f"k{a}", f"x{b}"]) for a, b in pairs])


def _key(p: dict[str, Any]) -> dict[str, Any]:
    n = length(p)
    return {"length": n, "first": _expr(taps(p, 0)), "last": _expr(taps(p, n - 1))}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"length", "first", "last"}``: the output length and two elements in symbols."""
    return _key(params)


def symbols(params: dict[str, Any]) -> tuple[str, ...]:
    return (tuple(f"k{i}" for i in range(1, params["kernel_size"] + 1))
            + tuple(f"x{i}" for i in range(1, params["length"] + 1)))


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    names = symbols(params)
    return [AnswerField("length", "integer", "Length of the output"),
            AnswerField("first", "expression", "First output element, in k and x", names),
            AnswerField("last", "expression", "Last output element, in k and x", names)]


def _call(p: dict[str, Any]) -> str:
    parts = [f"stride={p['stride']}"]
    parts.append('padding="same"' if p["padding"] == "same" else f"padding={p['padding']}")
    if p["dilation"] > 1:
        parts.append(f"dilation={p['dilation']}")
    return f"`F.conv1d(x, k, {', '.join(parts)})`"


def _vec(letter: str, n: int) -> str:
    if n <= 4:
        return "[" + r"\ ".join(f"{letter}_{{{i}}}" for i in range(1, n + 1)) + "]"
    return f"[{letter}_1\\ {letter}_2\\ \\dots\\ {letter}_{{{n}}}]"


def prompt(params: dict[str, Any]) -> str:
    n, k = params["length"], params["kernel_size"]
    return (f"A signal $x = {_vec('x', n)}$ of length {n} is convolved with the kernel "
            f"$k = {_vec('k', k)}$ by {_call(params)} (PyTorch's cross-correlation: the kernel is "
            "not flipped; padding adds zeros).\n\n"
            "1. How long is the output?\n"
            "2. What is its **first** element, in the symbols $k_i$ and $x_i$?\n"
            "3. What is its **last** element?\n\n"
            "Write an element like `k1*x1 + k2*x2` (or `k_1x_1 + k_2x_2`); terms in any order.")


def _tex(expr: str) -> str:
    return re.sub(r"([kx])(\d+)", r"\1_{\2}", expr.replace("*", r"\,"))


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    n, k, s, d = params["length"], params["kernel_size"], params["stride"], params["dilation"]
    before, after = pads(params)
    same = (f' (`"same"`: $d(K-1) = {d * (k - 1)}$ zeros in all, the odd one behind)'
            if params["padding"] == "same" else "")
    n_out = key["length"]
    pad = (f"Padding puts {before} zero(s) before $x_1$ and {after} after $x_{{{n}}}${same}."
           if before or after else "There is no padding: the windows lie on the signal itself.")
    lines = [pad,
             "",
             f"- Length: $\\lfloor ({n} + {before} + {after} - {d}\\cdot({k}-1) - 1)/{s} "
             f"\\rfloor + 1 = {n_out}$.",
             f"- Output 0 reads the padded positions $0, {d}, \\dots, {d * (k - 1)}$; tap $t$ "
             f"multiplies $k_{{t+1}}$ with the entry under it. Taps on zeros drop out: "
             f"${_tex(key['first'])}$.",
             f"- The last output, number {n_out - 1}, starts at padded position "
             f"${n_out - 1}\\cdot{s} = {(n_out - 1) * s}$: ${_tex(key['last'])}$.",
             "", "Every output uses the same $k_1, \\dots, k_K$: that is weight sharing."]
    return "\n".join(lines)


def _flipped(p: dict[str, Any]) -> dict[str, Any]:
    size, n_out = p["kernel_size"], length(p)

    def flip(pairs: list[tuple[int, int]]) -> str:
        return _expr([(size + 1 - a, b) for a, b in pairs])
    return {"first": flip(taps(p, 0)), "last": flip(taps(p, n_out - 1))}


def _off_by_one(p: dict[str, Any]) -> dict[str, Any] | None:
    n_out = length(p)
    if n_out < 2:
        return None
    return {"length": n_out - 1, "last": _expr(taps(p, n_out - 2))}


def _valid_key(q: dict[str, Any]) -> dict[str, Any] | None:
    if length(q) < 1 or not taps(q, 0) or not taps(q, length(q) - 1):
        return None
    return _key(q)


def _ignored_padding(p: dict[str, Any]) -> dict[str, Any] | None:
    return _valid_key({**p, "padding": 0}) if any(pads(p)) else None


def _taps_from_k1(p: dict[str, Any]) -> dict[str, Any] | None:
    first = taps(p, 0)
    return {"first": _expr([(a, b) for a, (_, b) in enumerate(first, start=1)])}


def _ignored_stride(p: dict[str, Any]) -> dict[str, Any] | None:
    if p["stride"] == 1:
        return None
    q = {**p, "stride": 1}
    return {"length": length(q), "last": _expr(taps(q, length(q) - 1))}


def _ignored_dilation(p: dict[str, Any]) -> dict[str, Any] | None:
    if p["dilation"] == 1 or p["padding"] == "same":
        return None  # "same" re-pads for the new span: a different layer, not the same slip
    return _valid_key({**p, "dilation": 1})


def _differs(fn):
    """Return the whole answer `fn`'s slip gives, or None where it equals the key."""
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        buggy = fn(p)
        if buggy is None:
            return None
        key = _key(p)
        same = all(v == key[f] if f == "length" else matches(v, key[f]) for f, v in buggy.items())
        return None if same else {**key, **buggy}  # the fields the slip leaves alone are right
    return solve_buggy


MISCONCEPTIONS = (
    Misconception("flipped_kernel", "Flipped the kernel",
                  "PyTorch's convolution does not flip the kernel: the first tap $k_1$ multiplies "
                  "the first entry of the window, $k_K$ the last.", _differs(_flipped)),
    Misconception("off_by_one_window", "Stopped one window early",
                  "The windows start at $0, s, 2s, \\dots$ while the whole kernel still fits: "
                  "there are $\\lfloor (n + 2p - d(K-1) - 1)/s \\rfloor + 1$ of them, the $+1$ "
                  "counting the window at position 0.", _differs(_off_by_one)),
    Misconception("ignored_padding", "Ignored the padding",
                  "With padding the first window starts on the zeros before $x_1$, so the first "
                  "element has fewer taps and there are more outputs.", _differs(_ignored_padding)),
    Misconception("taps_from_k1", "Paired the real inputs with k1, k2, ...",
                  "The zeros of the padding sit under the first taps of the first window: $x_1$ "
                  "is multiplied by the tap that lands on it, not by $k_1$.",
                  _differs(_taps_from_k1)),
    Misconception("ignored_stride", "Ignored the stride",
                  "With stride $s$ the windows start $s$ positions apart, so there are fewer of "
                  "them and the last one may stop before the end of the signal.",
                  _differs(_ignored_stride)),
    Misconception("ignored_dilation", "Ignored the dilation",
                  "With dilation $d$ the taps of a window are $d$ positions apart: "
                  "$k_1 x_1 + k_2 x_{1+d} + \\dots$", _differs(_ignored_dilation)),
)
