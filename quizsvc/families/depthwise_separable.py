"""Parameters of a standard convolution against a depthwise separable one."""

from __future__ import annotations

from math import prod
from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.render import dims, group, torch_call
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception

NAME = "depthwise_separable"
VERSION = 2
TOPIC = "Parameter counting"

_FIELDS = ("standard", "depthwise", "pointwise", "separable")


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw small square 2D layers (easy) up to 1-3D, non-square, wide ones (hard)."""
    if level == "easy":
        # No single-channel inputs: with C_in = 1 the "depthwise" layer is a plain convolution.
        c_in = rng.choice([2, 3, 3, 4, 8, 16])
        c_out = rng.choice([2, 4, 8, 16, 32])
        k = rng.choice([3, 3, 5])
        return {"in_channels": c_in, "out_channels": c_out, "kernel_size": [k, k],
                "bias": rng.chance(0.5)}
    if level == "medium":
        ndim, c_in = 2, rng.choice([3, 16, 24, 32, 64, 128])
        kernel = [rng.choice([3, 5, 7])] * 2
    else:
        ndim, c_in = rng.choice([1, 2, 2, 3]), rng.choice([24, 32, 96, 144, 256, 384])
        kernel = [rng.between(1, 7) for _ in range(ndim)]
        if prod(kernel) == 1:
            kernel[0] = 3
    c_out = rng.choice([8, 16, 32, 64, 128, 256] if level == "medium" else [32, 64, 128, 256, 512])
    return {"in_channels": c_in, "out_channels": c_out, "kernel_size": kernel,
            "bias": rng.chance(0.7)}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; the kernel has 1 to 3 dimensions (2 for a plain integer)."""
    P.only_keys(params, ("in_channels", "out_channels", "kernel_size"), ("bias",))
    kernel = params.get("kernel_size")
    ndim = len(kernel) if isinstance(kernel, (list, tuple)) else 2
    if not 1 <= ndim <= 3:
        raise ParamError("kernel_size must have 1 to 3 dimensions", errors={"kernel_size": "1-3 sizes"})
    return {
        "in_channels": P.integer(params, "in_channels", 1, P.MAX_CHANNELS),
        "out_channels": P.integer(params, "out_channels", 1, P.MAX_CHANNELS),
        "kernel_size": P.per_dim(params, "kernel_size", ndim, 1, 64),
        "bias": P.boolean(params, "bias", default=True),
    }


def _count(c_in: int, c_out: int, area: int, bias: bool, *, dw_filters: int | None = None,
           dw_in: int = 1, pw_area: int = 1, one_bias: bool = False,
           std_c_in: int | None = None) -> dict[str, int]:
    """Return the four totals; the keyword overrides let the misconceptions bend one step."""
    b = int(bias)
    dw_filters = c_in if dw_filters is None else dw_filters
    standard = c_out * ((c_in if std_c_in is None else std_c_in) * area + b)
    depthwise = dw_filters * (dw_in * area + (0 if one_bias else b))
    pointwise = c_out * (c_in * pw_area + b)
    return {"standard": standard, "depthwise": depthwise, "pointwise": pointwise,
            "separable": depthwise + pointwise}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return the parameter totals of the standard, depthwise, pointwise and separable layers."""
    return _count(params["in_channels"], params["out_channels"], prod(params["kernel_size"]),
                  params["bias"])


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("standard", "integer", "Parameters of the standard convolution"),
            AnswerField("depthwise", "integer", "Parameters of the depthwise convolution"),
            AnswerField("pointwise", "integer", "Parameters of the pointwise convolution"),
            AnswerField("separable", "integer", "Parameters of the depthwise separable layer (both parts)")]


def _kernel(k: list[int]) -> str:
    """Return "a 3x5 kernel", or "a kernel of size 3" in 1D."""
    return f"a {dims(k)} kernel" if len(k) > 1 else f"a kernel of size {k[0]}"


def prompt(params: dict[str, Any]) -> str:
    c_in, c_out, k, b = (params["in_channels"], params["out_channels"], params["kernel_size"],
                         params["bias"])
    cls = f"Conv{len(k)}d"
    one = [1] * len(k)
    standard = torch_call(cls, in_channels=c_in, out_channels=c_out, kernel_size=k, bias=b)
    depthwise = torch_call(cls, in_channels=c_in, out_channels=c_in, kernel_size=k, groups=c_in, bias=b)
    pointwise = torch_call(cls, in_channels=c_in, out_channels=c_out, kernel_size=one, bias=b)
    biases = ("Every layer has biases (`bias=True`): count them." if b
              else "No layer has biases (`bias=False`): count weights only.")
    return (f"A layer maps {c_in} input channels to {c_out} output channel"
            f"{'s' if c_out > 1 else ''} with {_kernel(k)}. Compare:\n\n"
            f"- a standard convolution {standard};\n"
            f"- a depthwise separable convolution: the depthwise convolution {depthwise} "
            f"(one {dims(k) if len(k) > 1 else f'length-{k[0]}'} filter per input channel, no "
            "mixing between channels), followed by "
            f"the pointwise convolution {pointwise}.\n\n"
            f"{biases} How many learnable parameters do the standard, the depthwise and the "
            "pointwise convolution have, and how many does the depthwise separable layer have "
            "in total?")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    c_in, c_out, k, b = (params["in_channels"], params["out_channels"], params["kernel_size"],
                         params["bias"])
    area = " \\times ".join(str(v) for v in k)
    one = " \\times ".join("1" for _ in k)
    plus = " + 1" if b else ""
    lines = [
        f"- **Standard:** {c_out} filters, each {c_in} channels deep"
        + (" with a bias" if b else "") + f": ${c_out} \\times ({c_in} \\times {area}{plus}) "
        f"= {group(key['standard'])}$.",
        f"- **Depthwise:** `groups={c_in}`, so each of the {c_in} filters sees one channel: "
        f"${c_in} \\times (1 \\times {area}{plus}) = {group(key['depthwise'])}$.",
        f"- **Pointwise:** {c_out} filters of size ${one}$ over {c_in} channels: "
        f"${c_out} \\times ({c_in}{plus}) = {group(key['pointwise'])}$.",
        f"- **Separable:** ${group(key['depthwise'])} + {group(key['pointwise'])} = {group(key['separable'])}$, "
        f"{key['separable'] / key['standard']:.1%} of the standard layer's {group(key['standard'], math=False)}.",
    ]
    return "\n".join(lines)


def _buggy(fn):
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        out = fn(p["in_channels"], p["out_channels"], prod(p["kernel_size"]), p["bias"])
        return None if out is None or out == solve(p) else out
    return solve_buggy


MISCONCEPTIONS = (
    Misconception("forgot_bias", "Forgot the biases",
                  "With `bias=True` every convolution has one bias per output channel: C_out for "
                  "the standard and pointwise layers, C_in for the depthwise one.",
                  _buggy(lambda ci, co, a, b: _count(ci, co, a, False) if b else None)),
    Misconception("depthwise_full_depth", "Gave each depthwise filter every input channel",
                  "With groups = C_in each depthwise filter sees a single channel: it has one "
                  "weight per kernel tap, not C_in of them.",
                  _buggy(lambda ci, co, a, b: _count(ci, co, a, b, dw_in=ci))),
    Misconception("depthwise_per_output", "Made one depthwise filter per output channel",
                  "The depthwise convolution keeps the channel count: C_in filters, one per input "
                  "channel. The pointwise convolution then changes C_in into C_out.",
                  _buggy(lambda ci, co, a, b: _count(ci, co, a, b, dw_filters=co))),
    Misconception("pointwise_with_kernel", "Gave the pointwise convolution the full kernel",
                  "The pointwise convolution has kernel size 1 in every dimension: it only mixes "
                  "channels, C_in weights per filter.",
                  _buggy(lambda ci, co, a, b: _count(ci, co, a, b, pw_area=a))),
    Misconception("single_bias", "Gave the separable layer a single set of biases",
                  "Here both parts are separate PyTorch layers with `bias=True`, so the depthwise "
                  "layer has C_in biases of its own (Keras' SeparableConv2D keeps only the "
                  "pointwise ones).",
                  _buggy(lambda ci, co, a, b: _count(ci, co, a, b, one_bias=True) if b else None)),
    Misconception("forgot_c_in", "Forgot the input channels in the standard convolution",
                  "A standard filter extends through the depth of its input: C_in weights per "
                  "kernel tap.",
                  _buggy(lambda ci, co, a, b: _count(ci, co, a, b, std_c_in=1))),
)
