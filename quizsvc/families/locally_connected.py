"""Parameters of a locally connected layer: a convolution without weight sharing."""

from __future__ import annotations

from math import prod
from typing import Any

from quizsvc.errors import TooLargeError
from quizsvc.families import params as P
from quizsvc.families.render import dims, group, tup
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.shapes import conv_out_size

NAME = "locally_connected"
VERSION = 2
TOPIC = "Parameter counting"

MAX_KEY = 2**53 - 1


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw 1D or small 2D inputs; stride and uneven padding from the medium level on."""
    while True:
        ndim = rng.choice([1, 2])
        if level == "easy":
            n, k = rng.choice([6, 8, 9, 10, 12, 16]), rng.choice([3, 3, 5])
            size, kernel = [n] * ndim, [k] * ndim
            stride, padding = [1] * ndim, [rng.choice([0, (k - 1) // 2])] * ndim
            c_in, c_out, bias = rng.choice([1, 1, 3]), rng.choice([1, 2, 4]), rng.chance(0.5)
        else:
            square = level == "medium"
            draw = (lambda f: [f()] * ndim) if square else (lambda f: [f() for _ in range(ndim)])
            size = draw(lambda: rng.between(5, 32) if square else rng.between(8, 40))
            kernel = draw(lambda: rng.between(2, 5))
            stride = draw(lambda: rng.between(1, 3))
            padding = draw(lambda: rng.between(0, 2))
            c_in, c_out = rng.choice([1, 3, 8, 16]), rng.choice([1, 4, 8, 16])
            bias = rng.chance(0.7)
        out = {"in_size": size, "in_channels": c_in, "out_channels": c_out, "kernel_size": kernel,
               "stride": stride, "padding": padding, "bias": bias}
        # Padding at most k - 1: a filter at a window of padded zeros only would be weights
        # that never see the input.
        if all(p <= k - 1 < n + 2 * p for n, k, p in zip(size, kernel, padding)):
            return out


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse windows larger than the padded input and huge keys."""
    P.only_keys(params, ("in_size", "in_channels", "out_channels", "kernel_size"),
                ("stride", "padding", "bias"))
    size = P.size_list(params, "in_size", 1, 2, 1, P.MAX_SIDE)
    ndim = len(size)
    out = {
        "in_size": size,
        "in_channels": P.integer(params, "in_channels", 1, P.MAX_CHANNELS),
        "out_channels": P.integer(params, "out_channels", 1, P.MAX_CHANNELS),
        "kernel_size": P.per_dim(params, "kernel_size", ndim, 1, P.MAX_SIDE),
        "stride": P.per_dim(params, "stride", ndim, 1, 64, default=1),
        "padding": P.per_dim(params, "padding", ndim, 0, P.MAX_SIDE, default=0),
        "bias": P.boolean(params, "bias", default=True),
    }
    P.window_fits(size, out["kernel_size"], out["padding"])
    if solve(out)["total"] > MAX_KEY:
        raise TooLargeError("the layer would have more than 2^53 parameters; use a smaller input "
                            "or fewer channels", errors={"params": "problem too large"})
    return out


def _dims(p: dict[str, Any]) -> list[tuple[int, int, int, int]]:
    return list(zip(p["in_size"], p["kernel_size"], p["stride"], p["padding"]))


def _out(p: dict[str, Any]) -> list[int]:
    return [conv_out_size(n, k, s, pad) for n, k, s, pad in _dims(p)]


def _real_taps(n: int, k: int, s: int, pad: int) -> int:
    """Return how many (window, tap) pairs of one dimension land on the input, not the padding."""
    total = 0
    for j in range(conv_out_size(n, k, s, pad)):
        start = j * s - pad
        total += min(start + k, n) - max(start, 0)
    return total


def _count(p: dict[str, Any], *, positions: int | None = None, taps: int | None = None,
           c_in: int | None = None, bias_count: int | None = None) -> dict[str, int]:
    """Return ``{"total"}``; the keyword overrides let the misconceptions bend one step."""
    where = prod(_out(p)) if positions is None else positions
    window = prod(p["kernel_size"]) * where if taps is None else taps
    weights = p["out_channels"] * (p["in_channels"] if c_in is None else c_in) * window
    if bias_count is None:
        bias_count = p["out_channels"] * where if p["bias"] else 0
    return {"total": weights + bias_count}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"total"}``: weights (positions, C_out, C_in*k...) plus biases (C_out, *out)."""
    return _count(params)


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("total", "integer", "Learnable parameters of the locally connected layer")]


def prompt(params: dict[str, Any]) -> str:
    ndim = len(params["in_size"])
    k, s, pad = params["kernel_size"], params["stride"], params["padding"]
    window = dims(k) if ndim == 2 else f"length-{k[0]}"
    out_dims = "L_{out}" if ndim == 1 else "H_{out}, W_{out}"
    bias = ("It has biases too, untied: one per output channel **per output position**, "
            f"shape $(C_{{out}}, {out_dims})$." if params["bias"] else "It has no biases.")
    padded = (f"the input zero-padded by {tup(pad) if ndim == 2 else pad[0]} on each side"
              if any(pad) else "the input (no padding)")
    c_out = params["out_channels"]
    return (f"An input of shape {tup([params['in_channels'], *params['in_size']])} (channels first) "
            f"goes through a **locally connected** layer: it slides a {window} window with stride "
            f"{tup(s) if ndim == 2 else s[0]} over {padded}, exactly like "
            f"`nn.Conv{ndim}d` with {c_out} output channel{'s' if c_out > 1 else ''}, but every output "
            "position has its own set of filters: no weights are shared between positions. "
            "Every filter has a full window of weights for every input channel"
            + (", including the taps that fall on padded zeros" if any(pad) else "")
            + f". {bias}\n\n"
            "How many learnable parameters does the layer have?")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    ndim = len(params["in_size"])
    outs = _out(params)
    c_in, c_out = params["in_channels"], params["out_channels"]
    names = ("L",) if ndim == 1 else ("H", "W")
    lines = ["The windows sit where a convolution's would: "
             r"$n_{out} = \lfloor (n + 2p - k)/s \rfloor + 1$ per dimension.", ""]
    for name, (n, k, s, pad), o in zip(names, _dims(params), outs):
        lines.append(f"- ${name}$: $\\lfloor ({n} + 2\\cdot{pad} - {k})/{s} \\rfloor + 1 = {o}$")
    where = prod(outs)
    window = " \\times ".join(str(v) for v in params["kernel_size"])
    weights = where * c_out * c_in * prod(params["kernel_size"])
    grid = " \\times ".join(map(str, outs)) + f" = {group(where)}" if ndim == 2 else str(where)
    lines += ["", f"There are ${grid}$ output positions, each with its own filters (an unfold "
              "followed by a separate weight matrix per position: shape "
              r"$(\text{positions}, C_{out}, C_{in} \cdot \text{window})$):",
              f"- weights: ${group(where)} \\times {c_out} \\times ({c_in} \\times {window}) = {group(weights)}$"]
    if params["bias"]:
        lines.append(f"- biases: one per output channel per position, ${c_out} \\times {group(where)} "
                     f"= {group(c_out * where)}$")
        lines.append(f"- total: ${group(weights)} + {group(c_out * where)} = {group(key['total'])}$")
    lines += ["", f"**Total:** {group(key['total'], math=False)} (a convolution would share one set: "
              f"{group(c_out * (c_in * prod(params['kernel_size']) + int(params['bias'])), math=False)})."]
    return "\n".join(lines)


def _skipped_padding(p: dict[str, Any]) -> dict[str, int] | None:
    if not any(p["padding"]):
        return None
    return _count(p, taps=prod(_real_taps(*d) for d in _dims(p)))


MISCONCEPTIONS = (
    Misconception("shared_weights", "Counted a convolution's parameters",
                  "A locally connected layer has the shape of a convolution but shares nothing: "
                  "every output position has its own filters (and biases).",
                  lambda p: _count(p, positions=1)),
    Misconception("skipped_padded_weights", "Left out the weights that meet padded zeros",
                  "A window at the edge still has a full kernel: its taps over the padding are "
                  "weights of the layer too (they just multiply zeros).",
                  _skipped_padding),
    Misconception("forgot_bias", "Forgot the biases",
                  "With biases, each output channel has one bias at every output position.",
                  lambda p: _count(p, bias_count=0) if p["bias"] else None),
    Misconception("tied_bias", "Shared the biases across positions",
                  "This layer's biases are untied: one per output channel per position, not one "
                  "per output channel.",
                  lambda p: _count(p, bias_count=p["out_channels"]) if p["bias"] else None),
    Misconception("per_input_position", "Put a filter at every input position",
                  "Filters sit at the output positions: floor((n + 2p - k)/s) + 1 per dimension, "
                  "which differs from the input size unless the padding is 'same' and the stride 1.",
                  lambda p: _count(p, positions=prod(p["in_size"]))),
    Misconception("forgot_c_in", "Forgot the input channels",
                  "Each filter extends through the depth of its input: C_in x window weights.",
                  lambda p: _count(p, c_in=1)),
)
