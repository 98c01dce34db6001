"""Learnable parameters of a `nn.Conv*d` layer: weights, biases and their total."""

from __future__ import annotations

from math import prod
from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.render import group, spatial_names, torch_call, tup
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception

NAME = "conv_param_count"
VERSION = 2
TOPIC = "Parameter counting"


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw a layer; groups appear only at the hard level."""
    ndim = 2 if level == "easy" else rng.choice([1, 2, 3, 3])
    k = rng.choice([1, 3, 5, 7]) if level == "easy" else rng.between(1, 7)
    kernel = [k] * ndim if level != "hard" else [rng.between(1, 7) for _ in range(ndim)]
    groups = 1
    if level == "hard":
        groups = rng.choice([1, 2, 4, 8])
    c_in = groups * rng.choice([1, 2, 3, 4, 8, 16]) if groups > 1 else rng.choice([1, 3, 8, 16, 32, 64])
    c_out = groups * rng.choice([1, 2, 4, 8, 16])
    bias = True if level == "easy" else rng.chance(0.7)
    return {"in_channels": c_in, "out_channels": c_out, "kernel_size": kernel, "groups": groups,
            "bias": bias}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; groups must divide both channel counts."""
    P.only_keys(params, ("in_channels", "out_channels", "kernel_size"), ("groups", "bias"))
    kernel = params.get("kernel_size")
    ndim = len(kernel) if isinstance(kernel, list) else 2
    out = {
        "in_channels": P.integer(params, "in_channels", 1, P.MAX_CHANNELS),
        "out_channels": P.integer(params, "out_channels", 1, P.MAX_CHANNELS),
        "kernel_size": P.per_dim(params, "kernel_size", ndim, 1, 64),
        "groups": P.integer(params, "groups", 1, P.MAX_CHANNELS, default=1),
        "bias": P.boolean(params, "bias", default=True),
    }
    if not 1 <= ndim <= 3:
        raise ParamError("kernel_size must have 1 to 3 dimensions", errors={"kernel_size": "1-3 sizes"})
    for name in ("in_channels", "out_channels"):
        if out[name] % out["groups"]:
            raise ParamError(f"{name}={out[name]} is not divisible by groups={out['groups']}",
                             errors={"groups": f"must divide {name}"})
    return out


def _count(c_in: int, c_out: int, kernel: list[int], groups: int, bias: bool) -> dict[str, int]:
    weights = c_out * (c_in // groups) * prod(kernel)
    biases = c_out if bias else 0
    return {"weights": weights, "biases": biases, "total": weights + biases}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"weights", "biases", "total"}``; weights have shape (C_out, C_in/groups, *k)."""
    return _count(params["in_channels"], params["out_channels"], params["kernel_size"],
                  params["groups"], params["bias"])


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("weights", "integer", "Number of weights"),
            AnswerField("biases", "integer", "Number of biases"),
            AnswerField("total", "integer", "Total learnable parameters")]


def prompt(params: dict[str, Any]) -> str:
    ndim = len(params["kernel_size"])
    layer = torch_call(f"Conv{ndim}d", in_channels=params["in_channels"],
                       out_channels=params["out_channels"], kernel_size=params["kernel_size"],
                       groups=params["groups"], bias=params["bias"])
    return (f"How many learnable parameters does {layer} have? "
            "Give the number of weights, the number of biases and the total.")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    c_in, c_out, g = params["in_channels"], params["out_channels"], params["groups"]
    k = params["kernel_size"]
    shape = tup([c_out, c_in // g, *k])
    product = r" \times ".join(str(v) for v in (c_out, c_in // g, *k))
    k_names = ", ".join(f"k_{n}" for n in spatial_names(len(k)))
    filters = "the one filter sees" if c_out == 1 else f"each of the {c_out} filters sees"
    channels = f"{c_in // g} input channel" + ("s" if c_in // g > 1 else "")
    lines = [f"The weight tensor has shape $(C_{{out}}, C_{{in}}/\\text{{groups}}, {k_names})"
             f" = {shape}$: {filters} {channels}"
             + (f" (the {c_in} input channels are split into {g} groups)" if g > 1 else "") + ".",
             "", f"- weights: ${product} = {group(key['weights'])}$",
             "- biases: " + (f"one per output channel, $C_{{out}} = {group(key['biases'])}$"
                              if params["bias"] else "`bias=False`, so none: $0$"),
             f"- total: ${group(key['weights'])} + {group(key['biases'])} = {group(key['total'])}$"]
    return "\n".join(lines)


def _buggy(fn):
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any]:
        return fn(p["in_channels"], p["out_channels"], p["kernel_size"], p["groups"], p["bias"])
    return solve_buggy


MISCONCEPTIONS = (
    Misconception("forgot_bias", "Forgot the bias",
                  "With `bias=True` every output channel has one bias parameter.",
                  _buggy(lambda ci, co, k, g, b: _count(ci, co, k, g, False) if b else None)),
    Misconception("forgot_c_in", "Forgot the input channels",
                  "A filter extends through the depth of its input: each one has C_in/groups weights "
                  "per kernel tap.",
                  _buggy(lambda ci, co, k, g, b: _count(g, co, k, g, b))),
    Misconception("ignored_groups", "Ignored the groups",
                  "With groups=g each filter sees only C_in/g input channels.",
                  _buggy(lambda ci, co, k, g, b: _count(ci, co, k, 1, b) if g > 1 else None)),
    Misconception("bias_per_input_channel", "Counted one bias per input channel",
                  "Biases belong to the outputs: one per output channel, not per input channel.",
                  _buggy(lambda ci, co, k, g, b: {**_count(ci, co, k, g, False),
                                                  "biases": ci, "total": _count(ci, co, k, g, False)["weights"] + ci} if b else None)),
    Misconception("bias_per_weight", "Counted a bias for every kernel",
                  "A filter's bias is one number shared by all of its input channels.",
                  _buggy(lambda ci, co, k, g, b: {**_count(ci, co, k, g, False),
                                                  "biases": co * (ci // g),
                                                  "total": _count(ci, co, k, g, False)["weights"] + co * (ci // g)} if b else None)),
    Misconception("groups_divide_out_channels", "Divided the output channels by the groups too",
                  "With groups=g there are still C_out filters in all (C_out/g per group); only "
                  "the input channels each filter sees are divided: C_out x C_in/g weights per "
                  "kernel tap.",
                  _buggy(lambda ci, co, k, g, b: {**_count(ci, co // g, k, g, False),
                                                  "biases": co if b else 0,
                                                  "total": _count(ci, co // g, k, g, False)["weights"]
                                                  + (co if b else 0)} if g > 1 else None)),
)
