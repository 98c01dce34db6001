"""Weights of fully connected layers given their numbers of neurons (quiz 003 section 2.1).

A layer `nn.Linear(d_in, m)` on a flattened input of ``d_in`` values has ``m * d_in`` weights
and, with a bias, ``m`` biases: every neuron sees every input. A stack of layers adds up.
"""

from __future__ import annotations

from math import prod
from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.buggy import differs
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.families.render import dims, group
from quizsvc.families.rng import Sampler

NAME = "fc_neurons"
VERSION = 2
TOPIC = "Parameter counting"

MAX_KEY = 2**53 - 1


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw an image and one layer (easy, medium) or a stack of two or three layers (hard)."""
    side = rng.choice((8, 16, 28, 32, 64, 128, 224, 256))
    shape = [side, side, rng.choice((1, 3, 3))]
    if level == "easy":
        return {"in_shape": shape, "neurons": [rng.choice((10, 100, 256, 500, 1000))],
                "bias": False}
    if level == "medium":
        shape = [rng.between(4, 64), rng.between(4, 64), rng.choice((1, 3, 8, 16))]
        return {"in_shape": shape, "neurons": [rng.between(2, 1024)], "bias": rng.chance(0.7)}
    layers = [rng.choice((64, 128, 256, 512, 1000)) for _ in range(rng.between(2, 3))]
    return {"in_shape": shape, "neurons": layers, "bias": rng.chance(0.6)}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse keys beyond 2^53."""
    P.only_keys(params, ("in_shape", "neurons"), ("bias",))
    shape = params["in_shape"]
    if not isinstance(shape, list) or not 1 <= len(shape) <= 4:
        raise ParamError("in_shape must be a list of 1 to 4 sizes, like [256, 256, 3]",
                         errors={"in_shape": "expected a list of sizes"})
    shape = [P.integer({"in_shape": v}, "in_shape", 1, P.MAX_SIDE) for v in shape]
    neurons = params["neurons"]
    if isinstance(neurons, int) and not isinstance(neurons, bool):
        neurons = [neurons]
    if not isinstance(neurons, list) or not 1 <= len(neurons) <= 6:
        raise ParamError("neurons must be a number or a list of 1 to 6 layer widths",
                         errors={"neurons": "expected a list"})
    neurons = [P.integer({"neurons": v}, "neurons", 1, 1 << 20) for v in neurons]
    out = {"in_shape": shape, "neurons": neurons, "bias": P.boolean(params, "bias", default=True)}
    if solve(out)["total"] > MAX_KEY:
        raise ParamError("the layers would have more than 2^53 parameters",
                         errors={"params": "problem too large"})
    return out


def _count(p: dict[str, Any], *, inputs: int | None = None, bias: bool | None = None,
           bias_per_input: bool = False) -> dict[str, int]:
    widths = [prod(p["in_shape"]) if inputs is None else inputs, *p["neurons"]]
    use_bias = p["bias"] if bias is None else bias
    weights = sum(a * b for a, b in zip(widths, widths[1:]))
    biases = sum(widths[:-1] if bias_per_input else widths[1:]) if use_bias else 0
    return {"per_neuron": widths[0], "total": weights + biases}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"per_neuron": weights of one first-layer neuron, "total": parameters}``."""
    return _count(params)


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("per_neuron", "integer", "Weights of one neuron of the first layer"),
            AnswerField("total", "integer", "Learnable parameters of all the layers")]


def prompt(params: dict[str, Any]) -> str:
    n = params["neurons"]
    bias = "with biases" if params["bias"] else "without biases (weights only)"
    layers = (f"a fully connected layer with {n[0]} neurons" if len(n) == 1 else
              f"{len(n)} fully connected layers of {', '.join(map(str, n))} neurons, one after the other")
    return (f"An input of dimensions ${dims(params['in_shape'])}$ is flattened into a vector and "
            f"fed to {layers}, {bias}.\n\n"
            "1. How many weights does one neuron of the first layer have?\n"
            "2. How many learnable parameters do the layers have in all?")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    d = key["per_neuron"]
    widths = [d, *params["neurons"]]
    sizes = r" \times ".join(map(str, params["in_shape"]))
    lines = [f"The flattened input has ${sizes} = {group(d)}$ values; every neuron sees all of "
             f"them, so it has {group(d, math=False)} weights.", ""]
    layers = []
    for i, (a, b) in enumerate(zip(widths, widths[1:]), start=1):
        extra = f" + {group(b)}" if params["bias"] else ""
        layers.append(a * b + (b if params["bias"] else 0))
        lines.append(f"- layer {i}: ${group(b)} \\times {group(a)}{extra} = {group(layers[-1])}$")
    total = (f"${' + '.join(map(group, layers))} = {group(key['total'])}$" if len(layers) > 1
             else f"{group(key['total'], math=False)}")
    lines += ["", f"Total: {total}."]
    return "\n".join(lines)


MISCONCEPTIONS = (
    Misconception("forgot_bias", "Left out the biases",
                  "Each neuron has one bias besides its weights (`nn.Linear` has `bias=True` by "
                  "default).", differs(solve, lambda p: _count(p, bias=False))),
    Misconception("bias_per_input", "One bias per input",
                  "A bias belongs to a neuron (an output), not to an input.",
                  differs(solve, lambda p: _count(p, bias_per_input=True))),
    Misconception("forgot_channels", "Left out the channels",
                  "A neuron sees every value of the input, all channels of every pixel: "
                  "H x W x C of them.",
                  differs(solve, lambda p: _count(p, inputs=prod(p["in_shape"][:-1]))
                          if len(p["in_shape"]) > 1 and p["in_shape"][-1] > 1 else None)),
    Misconception("added_instead", "Added inputs and neurons",
                  "Every neuron connects to every input: the weights multiply, inputs x neurons.",
                  differs(solve, lambda p: {"total": prod(p["in_shape"]) + sum(p["neurons"])})),
    Misconception("first_layer_only", "Counted the first layer only",
                  "The later layers have weights too: layer i has (width of layer i-1) x "
                  "(width of layer i) of them.",
                  differs(solve, lambda p: _count({**p, "neurons": p["neurons"][:1]})
                          if len(p["neurons"]) > 1 else None)),
)
