"""How a convolution's output shrinks as its kernel grows, and the largest kernel that fits.

Along one dimension, ``out(k) = floor((n + 2p - d(k-1) - 1)/s) + 1``: each extra tap takes
``d`` positions. The largest kernel has ``d(k-1) + 1 <= n + 2p``, so ``k_max = floor((n + 2p
- 1)/d) + 1``; with ``d = 1`` it covers the whole padded input and the output has one entry,
the layer's windows are then fully connected (discussion 001 1(e)).
"""

from __future__ import annotations

from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.buggy import differs
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.families.rng import Sampler
from quizsvc.solver.shapes import conv_out_size

NAME = "kernel_growth"
VERSION = 2
TOPIC = "Convolution arithmetic"


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw no padding (easy), padding or stride (medium), dilation too (hard)."""
    if level == "easy":
        n = rng.choice((5, 7, 8, 9, 10, 12, 16))
    else:  # longer at the hard level, where dilation and stride shrink the outputs
        n = rng.between(6, 32) if level == "medium" else rng.between(16, 64)
    p = 0 if level == "easy" else rng.choice((0, 1, 1, 2))
    s = 1 if level == "easy" else rng.choice((1, 1, 2))
    d = rng.choice((2, 2, 3)) if level == "hard" else 1
    if level == "hard" and rng.chance(0.5):
        s = rng.choice((1, 2, 3))
    top = (n + 2 * p - 1) // d + 1
    first = rng.between(1, max(1, top - 3))
    ks = sorted({first, min(top, first + rng.between(1, 2)), min(top, first + rng.between(3, 5))})
    return {"length": n, "padding": p, "stride": s, "dilation": d, "kernel_sizes": ks}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; every listed kernel must fit in the padded input (as in PyTorch)."""
    P.only_keys(params, ("length", "kernel_sizes"), ("padding", "stride", "dilation"))
    out = {"length": P.integer(params, "length", 1, P.MAX_SIDE),
           "padding": P.integer(params, "padding", 0, 64, default=0),
           "stride": P.integer(params, "stride", 1, 64, default=1),
           "dilation": P.integer(params, "dilation", 1, 16, default=1)}
    ks = params["kernel_sizes"]
    if not isinstance(ks, list) or not 1 <= len(ks) <= 8:
        raise ParamError("kernel_sizes must be a list of 1 to 8 kernel sizes",
                         errors={"kernel_sizes": "expected a list"})
    out["kernel_sizes"] = [P.integer({"kernel_sizes": k}, "kernel_sizes", 1, P.MAX_SIDE) for k in ks]
    big = [k for k in out["kernel_sizes"] if k > k_max(out)]
    if big:
        raise ParamError(f"a kernel of {big[0]} does not fit: the largest is {k_max(out)}",
                         errors={"kernel_sizes": "kernel too large"})
    return out


def k_max(p: dict[str, Any], *, padding: int | None = None, dilation: int | None = None) -> int:
    pad = p["padding"] if padding is None else padding
    d = p["dilation"] if dilation is None else dilation
    return (p["length"] + 2 * pad - 1) // d + 1


def _out(p: dict[str, Any], k: int, **kw: Any) -> int:
    return conv_out_size(p["length"], k, kw.get("stride", p["stride"]),
                         kw.get("padding", p["padding"]), kw.get("dilation", p["dilation"]))


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"sizes": out(k) per listed k, "max_kernel", "out_at_max"}``."""
    km = k_max(params)
    return {"sizes": [_out(params, k) for k in params["kernel_sizes"]], "max_kernel": km,
            "out_at_max": _out(params, km)}


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    ks = ", ".join(map(str, params["kernel_sizes"]))
    return [AnswerField("sizes", "vector", f"Output lengths for kernel sizes {ks}, in that order"),
            AnswerField("max_kernel", "integer", "Largest kernel size that fits"),
            AnswerField("out_at_max", "integer", "Output length with that kernel")]


def prompt(params: dict[str, Any]) -> str:
    n, p, s, d = params["length"], params["padding"], params["stride"], params["dilation"]
    parts = [f"stride={s}", f"padding={p}"] + ([f"dilation={d}"] if d > 1 else [])
    ks = ", ".join(map(str, params["kernel_sizes"]))
    return (f"A 1D convolution `nn.Conv1d(1, 1, kernel_size=k, {', '.join(parts)})` is applied to a "
            f"signal of length {n}" + (" without zero padding" if p == 0 else "") + ".\n\n"
            f"1. What are the output lengths for $k$ = {ks}?\n"
            "2. How does the output length change as $k$ grows, and what is the **largest** "
            "kernel size the layer accepts?\n"
            "3. What is the output length with that largest kernel?")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    n, p, s, d = params["length"], params["padding"], params["stride"], params["dilation"]
    km = key["max_kernel"]
    lines = [f"$L_{{out}}(k) = \\lfloor ({n} + 2\\cdot{p} - {d}(k-1) - 1)/{s} \\rfloor + 1$:", ""]
    for k, o in zip(params["kernel_sizes"], key["sizes"]):
        lines.append(f"- $k = {k}$: $\\lfloor ({n + 2 * p} - {d * (k - 1) + 1})/{s} \\rfloor + 1 = {o}$")
    lines += ["", f"Each extra tap widens the window by {d}, so the output shrinks by about "
              f"{d}/{s} per unit of $k$. The window must fit: ${d}(k-1)+1 \\le {n + 2 * p}$, so "
              f"$k_{{max}} = \\lfloor {n + 2 * p - 1}/{d} \\rfloor + 1 = {km}$, and then "
              f"$L_{{out}} = {key['out_at_max']}$."]
    if key["out_at_max"] == 1:
        lines.append("One output that sees the whole input: a fully connected neuron.")
    return "\n".join(lines)


def _no_plus_one(p: dict[str, Any]) -> dict[str, Any]:
    return {"sizes": [_out(p, k) - 1 for k in p["kernel_sizes"]],
            "out_at_max": _out(p, k_max(p)) - 1}


def _no_padding_max(p: dict[str, Any]) -> dict[str, Any] | None:
    if p["padding"] == 0:
        return None
    km = k_max(p, padding=0)
    return {"max_kernel": km, "out_at_max": _out(p, km)}


def _no_dilation_max(p: dict[str, Any]) -> dict[str, Any] | None:
    if p["dilation"] == 1:
        return None
    return {"max_kernel": k_max(p, dilation=1)}


def _ignored_stride(p: dict[str, Any]) -> dict[str, Any] | None:
    if p["stride"] == 1:
        return None
    return {"sizes": [_out(p, k, stride=1) for k in p["kernel_sizes"]],
            "out_at_max": _out(p, k_max(p), stride=1)}


def _no_floor(p: dict[str, Any]) -> dict[str, Any] | None:
    """Rounded the division up (ceil), as pooling's ceil_mode would."""
    if p["stride"] == 1:
        return None
    def up(k: int) -> int:
        top = p["length"] + 2 * p["padding"] - p["dilation"] * (k - 1) - 1
        return -(-top // p["stride"]) + 1
    return {"sizes": [up(k) for k in p["kernel_sizes"]], "out_at_max": up(k_max(p))}


MISCONCEPTIONS = (
    Misconception("no_plus_one", "Forgot the + 1",
                  "The window at position 0 is an output too: $\\lfloor (n + 2p - d(k-1) - 1)/s "
                  "\\rfloor + 1$ windows fit.", differs(solve, _no_plus_one)),
    Misconception("max_without_padding", "Fitted the largest kernel to the unpadded input",
                  "The kernel slides over the padded input, so it may be as wide as $n + 2p$.",
                  differs(solve, _no_padding_max)),
    Misconception("max_without_dilation", "Ignored the dilation in the largest kernel",
                  "A dilated kernel of size $k$ spans $d(k-1)+1$ positions: fewer taps fit.",
                  differs(solve, _no_dilation_max)),
    Misconception("ignored_stride", "Ignored the stride",
                  "With stride $s$ the windows start $s$ apart: divide the free room by $s$.",
                  differs(solve, _ignored_stride)),
    Misconception("rounded_up", "Rounded the division up",
                  "A convolution keeps only windows that fit entirely: the division rounds down.",
                  differs(solve, _no_floor)),
)
