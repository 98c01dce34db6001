"""Receptive fields: of a stack of layers, or of small kernels standing in for a large one.

Two variants, picked by the ``variant`` parameter:

- ``stack``: ``layers`` is a list of ``{"type": "conv" | "maxpool", "kernel_size", "stride",
  "dilation"}`` (square, so one size each); the key is the receptive field, on the input, of
  one output unit of the last layer: ``{"receptive_field"}``.
- ``factorize``: how many stride-1 ``kernel_size`` layers cover the receptive field of one
  ``large_kernel`` layer, and the fraction of weights saved: ``{"layers",
  "weights_saved_fraction"}``.
"""

from __future__ import annotations

from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception, Tolerance

NAME = "receptive_field"
VERSION = 3  # 3: a figure drawn from the parameters (issue 15)
TOPIC = "Receptive fields"

VARIANTS = ("stack", "factorize")
LAYER_TYPES = ("conv", "maxpool")
MAX_LAYERS = 12
_REQUIRED = {"stack": ("variant", "layers"), "factorize": ("variant", "large_kernel", "kernel_size")}


def _layer(kind: str, k: int, s: int = 1, d: int = 1) -> dict[str, Any]:
    return {"type": kind, "kernel_size": k, "stride": s, "dilation": d}


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw a stack (stride 1 at the easy level) or a factorization (k = 3 or 5 at the easy level)."""
    if rng.chance(0.4):
        k = {"easy": rng.choice([3, 5]), "medium": rng.choice([3, 5, 7]),
             "hard": rng.choice([2, 3, 4, 5, 7])}[level]
        layers = rng.between(2, {"easy": 6, "medium": 7, "hard": 8}[level])
        return {"variant": "factorize", "large_kernel": layers * (k - 1) + 1, "kernel_size": k}
    if level == "easy":
        stack = [_layer("conv", rng.choice([1, 3, 3, 5, 7, 9, 11])) for _ in range(rng.between(2, 4))]
        if all(layer["kernel_size"] == 1 for layer in stack):
            stack[0] = _layer("conv", 3)
        return {"variant": "stack", "layers": stack}
    stack = []
    for _ in range(rng.between(3, 5) if level == "medium" else rng.between(4, 7)):
        if stack and rng.chance(0.3):
            stack.append(_layer("maxpool", 2, 2) if rng.chance(0.7) else _layer("maxpool", 3, 2))
        else:
            d = rng.choice([1, 1, 2, 3]) if level == "hard" else 1
            stack.append(_layer("conv", rng.choice([1, 3, 3, 5, 7]), rng.choice([1, 1, 2]), d))
    return {"variant": "stack", "layers": stack}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params for either variant."""
    variant = params.get("variant") if isinstance(params, dict) else None
    if variant in _REQUIRED:
        P.only_keys(params, _REQUIRED[variant])
    else:
        P.only_keys(params, ("variant",), {k for keys in _REQUIRED.values() for k in keys})
        P.one_of(params, "variant", VARIANTS)
    if variant == "factorize":
        big = P.integer(params, "large_kernel", 2, 1025)
        k = P.integer(params, "kernel_size", 2, 1025)
        if k >= big:
            raise ParamError(f"kernel_size ({k}) must be smaller than large_kernel ({big})",
                             errors={"kernel_size": "not smaller than large_kernel"})
        if (big - 1) % (k - 1):
            raise ParamError(f"no whole number of {k}x{k} layers has a {big}x{big} receptive "
                             f"field: large_kernel - 1 must be a multiple of kernel_size - 1",
                             errors={"large_kernel": "not reachable with kernel_size layers"})
        return {"variant": variant, "large_kernel": big, "kernel_size": k}
    layers = params["layers"]
    if not isinstance(layers, (list, tuple)) or not 1 <= len(layers) <= MAX_LAYERS:
        raise ParamError(f"layers must be a list of 1 to {MAX_LAYERS} layers",
                         errors={"layers": f"expected 1-{MAX_LAYERS} layers"})
    out = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict):
            raise ParamError(f"layer {i} must be an object with kernel_size, stride, dilation",
                             errors={"layers": "not an object"})
        P.only_keys(layer, ("kernel_size",), ("type", "stride", "dilation"))
        out.append(_layer(P.one_of(layer, "type", LAYER_TYPES, default="conv"),
                          P.integer(layer, "kernel_size", 1, 64),
                          P.integer(layer, "stride", 1, 8, default=1),
                          P.integer(layer, "dilation", 1, 16, default=1)))
    return {"variant": variant, "layers": out}


def _stack_rf(layers: list[dict[str, Any]], *, overlap: int = 1, stride: bool = True,
              dilation: bool = True, own_stride: bool = False) -> int:
    """Return 1 + sum (k-1)d * jump, the jump being the product of the earlier strides.

    The keyword switches reproduce the misconceptions: ``overlap=0`` adds whole spans,
    ``stride=False`` ignores the jumps, ``own_stride`` counts a layer's own stride in its jump.
    """
    rf, jump = 1, 1
    for layer in layers:
        d = layer["dilation"] if dilation else 1
        if own_stride:
            jump *= layer["stride"]
        rf += (d * (layer["kernel_size"] - 1) + 1 - overlap) * jump
        if stride and not own_stride:
            jump *= layer["stride"]
    return rf if overlap else rf - 1


def _factorize(big: int, k: int, layers: int) -> dict[str, Any]:
    return {"layers": layers, "weights_saved_fraction": 1 - layers * k * k / (big * big)}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"receptive_field"}`` or ``{"layers", "weights_saved_fraction"}``."""
    if params["variant"] == "stack":
        return {"receptive_field": _stack_rf(params["layers"])}
    big, k = params["large_kernel"], params["kernel_size"]
    return _factorize(big, k, (big - 1) // (k - 1))


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    if params["variant"] == "stack":
        return [AnswerField("receptive_field", "integer",
                            "Receptive field of one output unit (side length, in input pixels)")]
    return [AnswerField("layers", "integer", "Number of small layers"),
            AnswerField("weights_saved_fraction", "number",
                        "Fraction of the weights saved, between 0 and 1 (0.5 for half)",
                        tolerance=Tolerance(sig=3))]


def _describe(layer: dict[str, Any]) -> str:
    k, s, d = layer["kernel_size"], layer["stride"], layer["dilation"]
    name = "max pooling" if layer["type"] == "maxpool" else "convolution"
    text = f"{k}x{k} {name}, stride {s}"
    return text + (f", dilation {d}" if d > 1 else "")


def prompt(params: dict[str, Any]) -> str:
    if params["variant"] == "stack":
        rows = "\n".join(f"{i}. {_describe(layer)}" for i, layer in enumerate(params["layers"], 1))
        return ("An image goes through these layers, in order (padding does not change a "
                f"receptive field's size):\n\n{rows}\n\n"
                "How large is the receptive field of one unit of the last layer's output on the "
                "input image? Give its side length in pixels.")
    big, k = params["large_kernel"], params["kernel_size"]
    return (f"A stack of {k}x{k} convolutions with stride 1 (no pooling) should see as much of "
            f"the input as one {big}x{big} convolution does.\n\n"
            f"How many {k}x{k} layers are needed, and what fraction of the weights does the "
            f"stack save compared with the single {big}x{big} layer? Count the weights of one "
            "single-channel filter per layer and no biases (with C channels in and out every "
            "count is multiplied by C², so the fraction is the same). Give the fraction as a "
            "number between 0 and 1.")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    if params["variant"] == "factorize":
        big, k = params["large_kernel"], params["kernel_size"]
        n = key["layers"]
        return "\n".join([
            f"Each stride-1 {k}x{k} layer widens the receptive field by $k - 1 = {k - 1}$: after "
            f"$L$ layers it is $1 + L(k-1)$.",
            f"$$1 + L \\cdot {k - 1} = {big} \\implies L = {big - 1}/{k - 1} = {n}.$$",
            f"Weights: ${n} \\times {k}^2 = {n * k * k}$ for the stack against ${big}^2 = "
            f"{big * big}$ for the single layer, so the stack saves "
            f"$({big * big} - {n * k * k})/{big * big} = {key['weights_saved_fraction']:.4f}$ "
            f"of them ({key['weights_saved_fraction']:.1%}).",
        ])
    lines = [r"The receptive field grows by $(k_l - 1)\,d_l$ times the jump $J_l$ of each "
             r"layer, where the jump is the product of the strides of the layers before it: "
             r"$r = 1 + \sum_l (k_l - 1)\, d_l\, J_l$.", "",
             "| layer | $k$ | $s$ | $d$ | $J$ | $r$ after it |", "|---|---|---|---|---|---|"]
    rf, jump = 1, 1
    for i, layer in enumerate(params["layers"], 1):
        k, s, d = layer["kernel_size"], layer["stride"], layer["dilation"]
        rf += (k - 1) * d * jump
        lines.append(f"| {i} ({layer['type']}) | {k} | {s} | {d} | {jump} | "
                     f"$r = {rf - (k - 1) * d * jump} + ({k}-1)\\cdot{d}\\cdot{jump} = {rf}$ |")
        jump *= s
    lines += ["", f"**Receptive field:** {key['receptive_field']}x{key['receptive_field']} pixels."]
    return "\n".join(lines)


def _stack_bug(**switches: Any):
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        if p["variant"] != "stack":
            return None
        rf = _stack_rf(p["layers"], **switches)
        return None if rf == solve(p)["receptive_field"] else {"receptive_field": rf}
    return solve_buggy


def _without_pooling(p: dict[str, Any]) -> dict[str, Any] | None:
    """Leave the pooling layers out of the stack, as if only convolutions had a field."""
    if p["variant"] != "stack" or all(layer["type"] == "conv" for layer in p["layers"]):
        return None
    convs = [layer for layer in p["layers"] if layer["type"] == "conv"]
    return {"receptive_field": _stack_rf(convs)} if convs else None


def _factor_bug(fn):
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        if p["variant"] != "factorize":
            return None
        out = fn(p["large_kernel"], p["kernel_size"])
        return None if out is None or out == solve(p) else out
    return solve_buggy


def _percent(big: int, k: int) -> dict[str, Any]:
    n = (big - 1) // (k - 1)
    return {"layers": n, "weights_saved_fraction": 100 * _factorize(big, k, n)["weights_saved_fraction"]}


def _kept(big: int, k: int) -> dict[str, Any]:
    n = (big - 1) // (k - 1)
    return {"layers": n, "weights_saved_fraction": n * k * k / (big * big)}


MISCONCEPTIONS = (
    Misconception("added_kernels", "Added the kernel sizes",
                  "Consecutive windows overlap: a k x k layer on top of a receptive field r "
                  "widens it to r + (k - 1), not r + k (two 5x5 layers see 9x9, not 10x10).",
                  _stack_bug(overlap=0)),
    Misconception("ignored_stride", "Ignored the strides",
                  "After a layer with stride s, neighbouring units of the next layer are s input "
                  "steps apart, so later kernels grow the field s times faster (the jump).",
                  _stack_bug(stride=False)),
    Misconception("ignored_dilation", "Ignored the dilation",
                  "A dilated kernel of size k spans d(k - 1) + 1 positions, so it widens the "
                  "field by d(k - 1).",
                  _stack_bug(dilation=False)),
    Misconception("own_stride", "Counted a layer's own stride in its jump",
                  "A layer's stride spaces the units of the layers *after* it. The taps of its "
                  "own kernel are one unit of its input apart, that is J input pixels, J being "
                  "the product of the strides of the layers before it.",
                  _stack_bug(own_stride=True)),
    Misconception("tiled_layers", "Tiled the large kernel with small ones",
                  "Stacked layers overlap rather than tile: each stride-1 k x k layer widens the "
                  "receptive field by k - 1, so L layers reach 1 + L(k - 1).",
                  _factor_bug(lambda big, k: _factorize(big, k, -(-big // k)))),
    Misconception("forgot_first_layer", "Left out the first layer",
                  "The first k x k layer already sees k pixels; each further layer adds k - 1. "
                  "Solving k + (L - 1)(k - 1) = K counts that first layer too.",
                  _factor_bug(lambda big, k: _factorize(big, k, (big - k) // (k - 1))
                              if big - k >= k - 1 else None)),
    Misconception("kept_fraction", "Gave the fraction kept instead of saved",
                  "The question asks for the weights saved: 1 - (L k²)/K², not (L k²)/K².",
                  _factor_bug(_kept)),
    Misconception("percent_not_fraction", "Gave a percentage instead of a fraction",
                  "The fraction saved is a number between 0 and 1: 72% saved is 0.72.",
                  _factor_bug(_percent)),
    Misconception("ignored_pooling", "Left the pooling layers out",
                  "A pooling window widens the receptive field like a convolution of the same "
                  "size, (k - 1) times the jump, and its stride multiplies the jump of every "
                  "layer after it.",
                  _without_pooling),
)
