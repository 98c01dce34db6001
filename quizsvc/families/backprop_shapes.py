"""Shapes of a convolution's output and of every gradient its backward pass produces."""

from __future__ import annotations

from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.render import spatial_names, torch_call, tup
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.shapes import conv_out_size

NAME = "backprop_shapes"
VERSION = 2
TOPIC = "Backpropagation"


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw a batch and a layer: plain 2D (easy), strided (medium), grouped 1-3D (hard)."""
    while True:
        groups = 1
        if level == "easy":
            n = rng.choice([8, 16, 28, 32, 64, 128])
            k = rng.choice([3, 3, 5])
            spatial, ks, ss, ps, ds = [n, n], [k, k], [1, 1], [rng.choice([0, (k - 1) // 2])] * 2, [1, 1]
            c_in, c_out, bias = rng.choice([1, 3]), rng.choice([1, 4, 8, 16]), True
        else:
            ndim = 2 if level == "medium" else rng.choice([1, 2, 2, 3])
            hi = (32 if ndim == 3 else 128) if level == "medium" else (48 if ndim == 3 else 256)
            spatial = [rng.between(6, hi) for _ in range(ndim)]
            ks = [rng.between(1, 7) for _ in range(ndim)]
            ss = [rng.between(1, 3) for _ in range(ndim)]
            ps = [rng.between(0, 3) for _ in range(ndim)]
            ds = [1] * ndim
            c_in, c_out = rng.choice([1, 3, 8, 16]), rng.choice([4, 8, 16, 32])
            bias = rng.chance(0.7)
            if level == "hard":
                ds = [rng.between(1, 3) for _ in range(ndim)]
                groups = rng.choice([1, 2, 4])
                c_in, c_out = groups * rng.choice([1, 2, 4, 8]), groups * rng.choice([1, 2, 4, 8])
        batch = rng.choice([1, 2, 4, 8, 16, 32, 64])
        out = {"in_shape": [batch, c_in, *spatial], "out_channels": c_out, "kernel_size": ks,
               "stride": ss, "padding": ps, "dilation": ds, "groups": groups, "bias": bias}
        # Padding at most d(k-1): every window reaches the input (none of padded zeros only);
        # and more than one output position (a 1x1 output hides the size arithmetic).
        if all(p <= d * (k - 1) < n + 2 * p for n, k, p, d in zip(spatial, ks, ps, ds)) \
                and max(conv_out_size(*d) for d in _dims(out)) > 1:
            return out


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; in_shape is [N, C_in, *spatial] with 1 to 3 spatial sizes."""
    P.only_keys(params, ("in_shape", "out_channels", "kernel_size"),
                ("stride", "padding", "dilation", "groups", "bias"))
    shape = params["in_shape"]
    if not isinstance(shape, (list, tuple)) or not 3 <= len(shape) <= 5:
        raise ParamError(f"in_shape must be a list [N, C, *spatial] with 1 to 3 spatial sizes, "
                         f"got {shape!r}", errors={"in_shape": "expected [N, C, H, W]"})
    ndim = len(shape) - 2
    out = {
        "in_shape": [P.integer({"in_shape": shape[0]}, "in_shape", 1, 4096),
                     P.integer({"in_shape": shape[1]}, "in_shape", 1, P.MAX_CHANNELS),
                     *(P.integer({"in_shape": v}, "in_shape", 1, P.MAX_SIDE) for v in shape[2:])],
        "out_channels": P.integer(params, "out_channels", 1, P.MAX_CHANNELS),
        "kernel_size": P.per_dim(params, "kernel_size", ndim, 1, P.MAX_SIDE),
        "stride": P.per_dim(params, "stride", ndim, 1, 64, default=1),
        "padding": P.per_dim(params, "padding", ndim, 0, P.MAX_SIDE, default=0),
        "dilation": P.per_dim(params, "dilation", ndim, 1, 64, default=1),
        "groups": P.integer(params, "groups", 1, P.MAX_CHANNELS, default=1),
        "bias": P.boolean(params, "bias", default=True),
    }
    for name, value in (("in_channels (in_shape[1])", out["in_shape"][1]),
                        ("out_channels", out["out_channels"])):
        if value % out["groups"]:
            raise ParamError(f"{name}={value} is not divisible by groups={out['groups']}",
                             errors={"groups": "must divide both channel counts"})
    P.window_fits(out["in_shape"][2:], out["kernel_size"], out["padding"], out["dilation"])
    return out


def _dims(p: dict[str, Any]) -> list[tuple[int, int, int, int, int]]:
    return list(zip(p["in_shape"][2:], p["kernel_size"], p["stride"], p["padding"], p["dilation"]))


def _shapes(p: dict[str, Any], *, plus_one: int = 1) -> dict[str, list[int]]:
    n, c_in = p["in_shape"][:2]
    c_out = p["out_channels"]
    y = [n, c_out, *(conv_out_size(*d) - 1 + plus_one for d in _dims(p))]
    out = {"output": y, "grad_output": list(y), "grad_input": list(p["in_shape"]),
           "grad_weight": [c_out, c_in // p["groups"], *p["kernel_size"]]}
    if p["bias"]:
        out["grad_bias"] = [c_out]
    return out


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return the shapes of y, dL/dy, dL/dx, dL/dw and (with a bias) dL/db."""
    return _shapes(params)


_FIELDS = (AnswerField("output", "shape", "Shape of the output y (N, C, then the spatial sizes)"),
           AnswerField("grad_output", "shape", "Shape of the upstream gradient dL/dy"),
           AnswerField("grad_input", "shape", "Shape of dL/dx"),
           AnswerField("grad_weight", "shape",
                       "Shape of dL/dw, the weight's gradient, in PyTorch's weight layout"))
_BIAS_FIELD = AnswerField("grad_bias", "shape", "Shape of dL/db, the bias's gradient")


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [*_FIELDS, _BIAS_FIELD] if params["bias"] else list(_FIELDS)


def prompt(params: dict[str, Any]) -> str:
    ndim = len(params["in_shape"]) - 2
    layer = torch_call(f"Conv{ndim}d", in_channels=params["in_shape"][1],
                       out_channels=params["out_channels"], kernel_size=params["kernel_size"],
                       stride=params["stride"], padding=params["padding"],
                       dilation=params["dilation"], groups=params["groups"], bias=params["bias"])
    names = ", ".join(["N", "C", *spatial_names(ndim)])
    grads = "$\\partial L/\\partial x$, $\\partial L/\\partial w$" + (
        " and $\\partial L/\\partial b$" if params["bias"] else "")
    return (f"A batch $x$ of shape {tup(params['in_shape'])} (${names}$) goes through {layer}, "
            "giving $y$; a loss $L$ is computed from $y$.\n\n"
            f"Give, in PyTorch's layout, the shapes of $y$, of the upstream gradient "
            f"$\\partial L/\\partial y$ that backpropagation receives, and of the gradients "
            f"{grads} it must produce.")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    n, c_in = params["in_shape"][:2]
    c_out, g = params["out_channels"], params["groups"]
    ndim = len(params["in_shape"]) - 2
    lines = ["Along each spatial dimension "
             r"$n_{out} = \lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1$:", ""]
    for name, (size, k, s, p, d), o in zip(spatial_names(ndim), _dims(params), key["output"][2:]):
        top = size + 2 * p - d * (k - 1) - 1
        lines.append(f"- ${name}$: $\\lfloor ({size} + 2\\cdot{p} - {d}\\cdot({k}-1) - 1)/{s} "
                     f"\\rfloor + 1 = \\lfloor {top}/{s} \\rfloor + 1 = {o}$")
    lines += [
        "",
        f"- $y$: $(N, C_{{out}}, \\dots) = {tup(key['output'])}$.",
        f"- $\\partial L/\\partial y$: a gradient has the shape of what it differentiates, "
        f"so ${tup(key['grad_output'])}$ like $y$.",
        f"- $\\partial L/\\partial x$: like $x$, ${tup(key['grad_input'])}$.",
        f"- $\\partial L/\\partial w$: like the weight $(C_{{out}}, C_{{in}}/\\text{{groups}}, "
        f"\\dots) = {tup(key['grad_weight'])}$"
        + (f" (each filter reads {c_in // g} of the {c_in} channels)" if g > 1 else "")
        + f"; the {n} samples' contributions are summed, so no batch dimension.",
    ]
    if params["bias"]:
        lines.append(f"- $\\partial L/\\partial b$: one per output channel, ${tup(key['grad_bias'])}$ "
                     "(summed over the batch and every position).")
    return "\n".join(lines)


def _buggy(fn):
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        out = fn(p)
        return None if out is None or out == solve(p) else out
    return solve_buggy


def _change(p: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**_shapes(p), **fields}


MISCONCEPTIONS = (
    Misconception("grad_input_like_output", "Gave dL/dx the output's shape",
                  "dL/dx holds one derivative per entry of x, so it has x's shape, not y's.",
                  _buggy(lambda p: _change(p, grad_input=_shapes(p)["output"]))),
    Misconception("grad_weight_per_sample", "Kept a batch dimension in dL/dw",
                  "The weights are shared by the whole batch: their gradient sums every "
                  "sample's contribution and has the weight's shape.",
                  _buggy(lambda p: _change(p, grad_weight=[p["in_shape"][0], *_shapes(p)["grad_weight"]]))),
    Misconception("ignored_groups", "Ignored the groups in the weight shape",
                  "With groups=g each filter reads C_in/g channels: the weight (and its "
                  "gradient) is (C_out, C_in/g, k...).",
                  _buggy(lambda p: _change(p, grad_weight=[p["out_channels"], p["in_shape"][1],
                                                           *p["kernel_size"]]) if p["groups"] > 1 else None)),
    Misconception("weight_layout_swapped", "Put the input channels first in the weight",
                  "PyTorch's Conv weight is laid out (C_out, C_in/groups, k...): output "
                  "channels first. (ConvTranspose keeps the input channels first.)",
                  _buggy(lambda p: _change(p, grad_weight=[p["in_shape"][1] // p["groups"],
                                                           p["out_channels"], *p["kernel_size"]]))),
    Misconception("grad_bias_per_position", "Gave dL/db a value per position",
                  "There is one bias per output channel, shared by every position and sample, "
                  "so dL/db has shape (C_out,).",
                  _buggy(lambda p: _change(p, grad_bias=[p["out_channels"], *_shapes(p)["output"][2:]])
                         if p["bias"] else None)),
    Misconception("forgot_plus_one", "Forgot the +1 in the output size",
                  "The number of window positions is one more than the number of strides "
                  "taken: add 1 after the floor division (for y and for dL/dy).",
                  _buggy(lambda p: _shapes(p, plus_one=0))),
    Misconception("left_out_batch", "Left out the batch dimension",
                  "y, dL/dy and dL/dx keep the batch dimension N first: one output, and one "
                  "gradient, per sample. Only the parameters' gradients (dL/dw, dL/db) have no N.",
                  _buggy(lambda p: _change(p, output=_shapes(p)["output"][1:],
                                           grad_output=_shapes(p)["output"][1:],
                                           grad_input=p["in_shape"][1:]))),
)
