"""Multiplications and additions of a convolution's forward pass or one of its gradients."""

from __future__ import annotations

from math import prod
from typing import Any

from quizsvc.errors import ParamError, TooLargeError
from quizsvc.families import params as P
from quizsvc.families.render import group, spatial_names, torch_call, tup
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.counts import PASSES, conv_ops, input_reach, tap_reach
from quizsvc.solver.shapes import conv_out_size

NAME = "conv_flops"
VERSION = 2
TOPIC = "Computational cost"

MAX_KEY = 2**53 - 1

CONVENTION = (
    "Count operations as the definitions are written: every value is a sum of products; a sum "
    "of $m$ products costs $m$ multiplications and $m-1$ additions, and adding a bias costs one "
    "more addition. In the forward pass and in $\\partial L/\\partial w$, products with padded "
    "zeros count like any other. $\\partial L/\\partial x$ is needed at the real input positions "
    "only, each as the sum of the products that reach it (an input no window covers costs "
    "nothing)."
)

_WHAT = {
    "forward": "the forward pass $y = \\text{conv}(x, w)$",
    "grad_weight": "the weight gradient $\\partial L/\\partial w$ from the upstream gradient "
                   "$\\partial L/\\partial y$",
    "grad_input": "the input gradient $\\partial L/\\partial x$ from the upstream gradient "
                  "$\\partial L/\\partial y$",
}


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw a readable forward or weight-gradient count (easy) up to strided, grouped,
    dilated input gradients (hard)."""
    while True:
        groups = 1
        if level == "easy":
            ndim, n, k = 2, rng.choice([5, 6, 7, 8, 9, 10, 12, 14, 16]), rng.choice([2, 3, 3, 5])
            size, ks, ss, ps, ds = [n] * 2, [k] * 2, [1] * 2, [0] * 2, [1] * 2
            c_in, c_out = rng.choice([1, 1, 3]), rng.choice([1, 2, 4, 8])
            pass_ = rng.choice(["forward", "forward", "grad_weight"])
        else:
            ndim = rng.choice([1, 2, 2])
            size = [rng.between(8, 40) if level == "medium" else rng.between(12, 64)
                    for _ in range(ndim)]
            ks = [rng.between(1 if level == "medium" else 2, 5) for _ in range(ndim)]
            ss = [rng.between(1, 3) for _ in range(ndim)]
            ps = [rng.between(0, 2) for _ in range(ndim)]
            ds = [1] * ndim
            c_in, c_out = rng.choice([1, 2, 3, 4, 8]), rng.choice([1, 2, 4, 8])
            pass_ = rng.choice(PASSES)
            if level == "hard":
                ds = [rng.between(1, 3) for _ in range(ndim)]
                groups = rng.choice([1, 2, 4])
                c_in, c_out = groups * rng.choice([1, 2, 3]), groups * rng.choice([1, 2, 4])
                pass_ = rng.choice(["forward", "grad_weight", "grad_input", "grad_input"])
        out = {"in_channels": c_in, "out_channels": c_out, "in_size": size, "kernel_size": ks,
               "stride": ss, "padding": ps, "dilation": ds, "groups": groups,
               "bias": rng.chance(0.5), "pass": pass_}
        # Padding at most d(k-1): every window reaches the input (none of padded zeros only);
        # and no count of 0 (a single output position sums nothing in dL/dw).
        if all(p <= d * (k - 1) < n + 2 * p for n, k, p, d in zip(size, ks, ps, ds)) \
                and min(_ops(out).values()) > 0:
            return out


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse kernels larger than the padded input and huge counts."""
    P.only_keys(params, ("in_channels", "out_channels", "in_size", "kernel_size", "pass"),
                ("stride", "padding", "dilation", "groups", "bias"))
    size = P.size_list(params, "in_size", 1, 3, 1, P.MAX_SIDE)
    ndim = len(size)
    out = {
        "in_channels": P.integer(params, "in_channels", 1, P.MAX_CHANNELS),
        "out_channels": P.integer(params, "out_channels", 1, P.MAX_CHANNELS),
        "in_size": size,
        "kernel_size": P.per_dim(params, "kernel_size", ndim, 1, 64),
        "stride": P.per_dim(params, "stride", ndim, 1, 64, default=1),
        "padding": P.per_dim(params, "padding", ndim, 0, P.MAX_SIDE, default=0),
        "dilation": P.per_dim(params, "dilation", ndim, 1, 64, default=1),
        "groups": P.integer(params, "groups", 1, P.MAX_CHANNELS, default=1),
        "bias": P.boolean(params, "bias", default=True),
        "pass": P.one_of(params, "pass", PASSES),
    }
    for name in ("in_channels", "out_channels"):
        if out[name] % out["groups"]:
            raise ParamError(f"{name}={out[name]} is not divisible by groups={out['groups']}",
                             errors={"groups": f"must divide {name}"})
    P.window_fits(size, out["kernel_size"], out["padding"], out["dilation"])
    worst = out["out_channels"] * out["in_channels"] * prod(out["kernel_size"]) * prod(
        n + 2 * p for n, p in zip(size, out["padding"]))
    if worst > MAX_KEY:
        raise TooLargeError("the counts would exceed 2^53; use a smaller layer",
                            errors={"params": "problem too large"})
    return out


def _dims(p: dict[str, Any]) -> list[tuple[int, int, int, int, int]]:
    return list(zip(p["in_size"], p["kernel_size"], p["stride"], p["padding"], p["dilation"]))


def _ops(p: dict[str, Any], **change: Any) -> dict[str, int]:
    q = {**p, **change}
    mult, add = conv_ops(q["pass"], q["in_channels"], q["out_channels"], q["in_size"],
                         q["kernel_size"], q["stride"], q["padding"], q["dilation"], q["groups"],
                         q["bias"])
    return {"multiplications": mult, "additions": add}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"multiplications", "additions"}`` of one sample's pass."""
    return _ops(params)


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("multiplications", "integer", "Number of multiplications"),
            AnswerField("additions", "integer", "Number of additions")]


def prompt(params: dict[str, Any]) -> str:
    ndim = len(params["in_size"])
    layer = torch_call(f"Conv{ndim}d", in_channels=params["in_channels"],
                       out_channels=params["out_channels"], kernel_size=params["kernel_size"],
                       stride=params["stride"], padding=params["padding"],
                       dilation=params["dilation"], groups=params["groups"], bias=params["bias"])
    note = ""
    if params["pass"] != "forward" and params["bias"]:
        note = " Leave the bias and its gradient out of this count."
    return (f"The layer {layer} is applied to one input of shape "
            f"{tup([params['in_channels'], *params['in_size']])} (no batch dimension).\n\n"
            f"How many multiplications and how many additions does it take to compute "
            f"{_WHAT[params['pass']]}?"
            f"{note}\n\n{CONVENTION}")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    c_in, c_out, g = params["in_channels"], params["out_channels"], params["groups"]
    outs = [conv_out_size(*d) for d in _dims(params)]
    names = spatial_names(len(outs))
    k = params["kernel_size"]
    window = " \\times ".join(map(str, k))
    lines = ["The output has size "
             + ", ".join(f"${n}_{{out}} = {o}$" for n, o in zip(names, outs))
             + r" (from $\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1$), so "
             + ("$" + " \\times ".join(map(str, outs)) + f" = {group(prod(outs))}$" if len(outs) > 1
                else f"${outs[0]}$")
             + (" positions" if prod(outs) > 1 else " position") + " per output channel.", ""]
    per_in = c_in // g
    terms = per_in * prod(k)
    depth = f"{per_in} input channel" + ("s" if per_in > 1 else "") + (
        f" (its group's share of {c_in})" if g > 1 else "")
    mult, add = key["multiplications"], key["additions"]
    if params["pass"] == "forward":
        b = int(params["bias"])
        lines += [f"Each of the ${c_out} \\times {group(prod(outs))}$ outputs sums ${per_in} \\times "
                  f"{window} = {group(terms)}$ products over {depth}"
                  + (", then adds the bias" if b else "") + ":",
                  f"- multiplications: ${c_out} \\times {group(prod(outs))} \\times {group(terms)} = {group(mult)}$",
                  f"- additions: ${c_out} \\times {group(prod(outs))} \\times ({group(terms)} - 1"
                  + (" + 1" if b else "") + f") = {group(add)}$"]
    elif params["pass"] == "grad_weight":
        entries = c_out * terms
        lines += [f"$\\partial L/\\partial w$ has ${c_out} \\times {per_in} \\times {window} = "
                  f"{group(entries)}$ entries; each sums one product per output position, "
                  f"{group(prod(outs))} of them" + (" (so no additions)" if prod(outs) == 1 else "") + ":",
                  f"- multiplications: ${group(entries)} \\times {group(prod(outs))} = {group(mult)}$",
                  f"- additions: ${group(entries)} \\times ({group(prod(outs))} - 1) = {group(add)}$"]
    else:
        reach = [input_reach(*d) for d in _dims(params)]
        per_out = c_out // g
        lines += ["Each (window, tap) pair that lands on a real input position sends one product "
                  "to that position's gradient. Along each dimension:"]
        for name, dim, (products, reached) in zip(names, _dims(params), reach):
            n, kk, s, pp, d = dim
            per_tap, gaps = tap_reach(*dim)
            lines.append(f"- ${name}$: tap $t$ of window $j$ lands on input position "
                         f"${s if s > 1 else ''}j + {d if d > 1 else ''}t"
                         + (f" - {pp}" if pp else "") + f"$, which must lie in $[0, {n - 1}]$ for "
                         f"$j = 0, \\dots, {conv_out_size(*dim) - 1}$; the {kk} taps land "
                         + ("$" + " + ".join(map(str, per_tap)) + f" = {products}$" if kk > 1
                            else f"${products}$")
                         + " times; " + ("every position is reached" if not gaps else
                                         f"position{'s' if len(gaps) > 1 else ''} "
                                         + ", ".join(map(str, gaps)) + " "
                                         + ("are" if len(gaps) > 1 else "is")
                                         + f" never reached, so {reached} of the {n} are"))
        lines += ["", f"Every input channel collects these from the {per_out} output channel"
                  + ("s" if per_out > 1 else "") + " that read it"
                  + (f" (groups={g})" if g > 1 else "") + ":",
                  f"- multiplications: ${c_in} \\times {per_out} \\times "
                  + " \\times ".join(str(r[0]) for r in reach) + f" = {group(mult)}$",
                  f"- additions: one fewer than the products at each of the ${c_in} \\times "
                  + " \\times ".join(str(r[1]) for r in reach)
                  + f" = {group(mult - add)}$ reached input values: ${group(mult)} - {group(mult - add)} = {group(add)}$"]
    lines += ["", f"**Answer:** {group(mult, math=False)} multiplications, {group(add, math=False)} additions."]
    return "\n".join(lines)


def _buggy(fn):
    # No comparison with the key here: grading runs every buggy solver on each wrong answer,
    # and a buggy key equal to the right one can never explain a wrong answer anyway.
    return fn


def _one_add_per_multiply(p: dict[str, Any]) -> dict[str, int]:
    mult = solve(p)["multiplications"]
    return {"multiplications": mult, "additions": mult}


def _full_convolution(p: dict[str, Any]) -> dict[str, int] | None:
    """dL/dx as a full convolution of the zero-stuffed dL/dy, every product with a zero counted."""
    if p["pass"] != "grad_input":
        return None
    per_out, taps, inputs = p["out_channels"] // p["groups"], prod(p["kernel_size"]), prod(p["in_size"])
    terms = per_out * taps
    return {"multiplications": p["in_channels"] * inputs * terms,
            "additions": p["in_channels"] * inputs * (terms - 1)}


MISCONCEPTIONS = (
    Misconception("one_add_per_multiply", "Counted one addition per multiplication",
                  "Counting multiply-adds gives as many additions as products, but a sum of m "
                  "products needs only m - 1 additions (plus one for a bias).",
                  _buggy(_one_add_per_multiply)),
    Misconception("forgot_bias_addition", "Forgot the bias addition",
                  "With `bias=True` every output value takes one more addition: the bias.",
                  _buggy(lambda p: _ops(p, bias=False)
                         if p["bias"] and p["pass"] == "forward" else None)),
    Misconception("forgot_c_in", "Forgot the input channels",
                  "A filter reaches through all the input channels of its group: each output "
                  "sums C_in/groups products per kernel tap.",
                  _buggy(lambda p: _ops(p, in_channels=1)
                         if p["groups"] == 1 and p["pass"] != "grad_input" else None)),
    Misconception("forgot_c_out", "Counted a single output channel",
                  "Every output channel has its own filter, so the work is repeated C_out "
                  "times (in the input gradient, every input collects from all the output "
                  "channels that read it).",
                  _buggy(lambda p: _ops(p, out_channels=1) if p["groups"] == 1 else None)),
    Misconception("ignored_groups", "Ignored the groups",
                  "With groups=g each filter reads only C_in/g channels, and each input "
                  "channel feeds only C_out/g filters.",
                  _buggy(lambda p: _ops(p, groups=1) if p["groups"] > 1 else None)),
    Misconception("ignored_stride", "Ignored the stride",
                  "With stride s the windows move s positions at a time, so there are fewer "
                  "output positions than with stride 1.",
                  _buggy(lambda p: _ops(p, stride=[1] * len(p["stride"]))
                         if max(p["stride"]) > 1 else None)),
    Misconception("copied_forward", "Reused the forward pass's count",
                  "A gradient's sums are not the forward sums: dL/dw sums over output "
                  "positions for each weight, and dL/dx sums, for each input, only the "
                  "products that reach it.",
                  _buggy(lambda p: _ops(p, **{"pass": "forward", "bias": False})
                         if p["pass"] != "forward" else None)),
    Misconception("full_convolution_count", "Counted the full convolution for dL/dx",
                  "dL/dx can be computed as a full convolution of dL/dy with the flipped kernel, "
                  "but most of that convolution's products meet zeros (the padding, and the gaps "
                  "a stride leaves). By the prompt's convention only the products of a weight "
                  "and an entry of dL/dy that reach a real input count: not C_out/groups times "
                  "every kernel tap at every input position.",
                  _buggy(_full_convolution)),
)
