"""Parameters of a `nn.Conv2d` layer against a fully connected layer with as many outputs."""

from __future__ import annotations

from typing import Any

from quizsvc.errors import ParamError, TooLargeError
from quizsvc.families import params as P
from quizsvc.families.render import group, torch_call, tup
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.shapes import conv_out_size

NAME = "fc_param_count"
VERSION = 2
TOPIC = "Parameter counting"

MAX_KEY = 2**53 - 1  # the largest integer every JSON reader keeps exactly


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw an image-like input and a conv layer; exact divisions at the easy level."""
    while True:
        if level == "easy":
            c, n = rng.choice([1, 3, 3]), rng.choice([8, 10, 12, 14, 16, 20, 24, 28, 32])
            k = rng.choice([3, 5, 7])
            s, p = rng.choice([1, 2]), rng.choice([0, (k - 1) // 2])
            if (n + 2 * p - k) % s:
                continue
            shape, ks, ss, ps, bias = [c, n, n], [k, k], [s, s], [p, p], True
        else:
            c = rng.choice([1, 3, 3, 8, 16, 32])
            lo, hi = (12, 64) if level == "medium" else (24, 128)  # sizes grow with the level
            shape = [c, rng.between(lo, hi), rng.between(lo, hi)]
            if level == "medium":
                k, s, p = rng.choice([3, 5, 7]), rng.between(1, 3), rng.between(0, 2)
                ks, ss, ps = [k, k], [s, s], [p, p]
            else:
                ks = [rng.between(1, 7) for _ in range(2)]
                ss = [rng.between(1, 4) for _ in range(2)]
                ps = [rng.between(0, 3) for _ in range(2)]
            bias = level == "medium" or rng.chance(0.6)
        c_out = rng.choice([4, 6, 8, 16] if level == "easy" else [8, 16, 32, 64])
        out = {"in_shape": shape, "out_channels": c_out, "kernel_size": ks, "stride": ss,
               "padding": ps, "bias": bias}
        # Padding at most k - 1: every window reaches the input (no window of zeros only).
        if all(p <= k - 1 < n + 2 * p for n, k, p in zip(shape[1:], ks, ps)):
            return out


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse kernels larger than the padded input and huge keys."""
    P.only_keys(params, ("in_shape", "out_channels", "kernel_size"), ("stride", "padding", "bias"))
    shape = params["in_shape"]
    if not isinstance(shape, (list, tuple)) or len(shape) != 3:
        raise ParamError(f"in_shape must be a list [C, H, W] of 3 integers, got {shape!r}",
                         errors={"in_shape": "expected [C, H, W]"})
    out = {
        "in_shape": [P.integer({"in_shape": shape[0]}, "in_shape", 1, P.MAX_CHANNELS),
                     *(P.integer({"in_shape": v}, "in_shape", 1, P.MAX_SIDE) for v in shape[1:])],
        "out_channels": P.integer(params, "out_channels", 1, P.MAX_CHANNELS),
        "kernel_size": P.per_dim(params, "kernel_size", 2, 1, P.MAX_SIDE),
        "stride": P.per_dim(params, "stride", 2, 1, 64, default=1),
        "padding": P.per_dim(params, "padding", 2, 0, P.MAX_SIDE, default=0),
        "bias": P.boolean(params, "bias", default=True),
    }
    P.window_fits(out["in_shape"][1:], out["kernel_size"], out["padding"])
    if solve(out)["fc_total"] > MAX_KEY:
        raise TooLargeError("the fully connected layer would have more than 2^53 parameters; "
                            "use a smaller input or fewer filters", errors={"params": "problem too large"})
    return out


def _out_hw(p: dict[str, Any], fix: int = 1) -> list[int]:
    """Return the conv output's (H, W); `fix=0` drops the +1 (a misconception)."""
    return [conv_out_size(n, k, s, pad) - 1 + fix
            for n, k, s, pad in zip(p["in_shape"][1:], p["kernel_size"], p["stride"], p["padding"])]


def _count(p: dict[str, Any], *, bias: bool | None = None, c_in: int | None = None,
           fc_in: int | None = None, fc_out: int | None = None, shared: bool = True) -> dict[str, int]:
    """Return both totals; the keyword overrides let the misconceptions bend one step."""
    b = p["bias"] if bias is None else bias
    c, h, w = p["in_shape"]
    kh, kw = p["kernel_size"]
    c_out = p["out_channels"]
    oh, ow = _out_hw(p)
    per_filter = (c if c_in is None else c_in) * kh * kw + int(b)
    conv = c_out * per_filter * (1 if shared else oh * ow)
    n_in = c * h * w if fc_in is None else fc_in
    n_out = c_out * oh * ow if fc_out is None else fc_out
    return {"conv_total": conv, "fc_total": n_in * n_out + (n_out if b else 0)}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"conv_total", "fc_total"}``, biases included when ``bias`` is true."""
    return _count(params)


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("conv_total", "integer", "Learnable parameters of the convolutional layer"),
            AnswerField("fc_total", "integer", "Learnable parameters of the fully connected layer")]


def prompt(params: dict[str, Any]) -> str:
    c, h, w = params["in_shape"]
    layer = torch_call("Conv2d", in_channels=c, out_channels=params["out_channels"],
                       kernel_size=params["kernel_size"], stride=params["stride"],
                       padding=params["padding"], bias=params["bias"])
    biases = ("Both layers have biases (PyTorch's default `bias=True`): count them."
              if params["bias"] else "Neither layer has biases (`bias=False`).")
    return (f"An input of shape {tup(params['in_shape'])} (channels, height, width) goes through "
            f"{layer}.\n\n"
            "Instead, a fully connected layer (`nn.Linear`) could take the flattened input and "
            "produce as many output activations as the convolution does. "
            f"{biases}\n\n"
            "How many learnable parameters does each of the two layers have?")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    c, h, w = params["in_shape"]
    kh, kw = params["kernel_size"]
    c_out, b = params["out_channels"], params["bias"]
    oh, ow = _out_hw(params)
    (sh, sw), (ph, pw) = params["stride"], params["padding"]
    n_in, n_out = c * h * w, c_out * oh * ow
    plus = " + 1" if b else ""
    lines = [
        "**Convolution.** Each filter has $C_{in} \\times k_H \\times k_W$ weights"
        + (" and one bias" if b else "") + ", and the filters are shared by every position:",
        f"$$ {c_out} \\times ({c} \\times {kh} \\times {kw}{plus}) = {group(key['conv_total'])}.$$",
        "",
        "**Output of the convolution.** $\\lfloor (n + 2p - k)/s \\rfloor + 1$ per dimension: "
        f"$H_{{out}} = \\lfloor ({h} + 2\\cdot{ph} - {kh})/{sh} \\rfloor + 1 = {oh}$, "
        f"$W_{{out}} = \\lfloor ({w} + 2\\cdot{pw} - {kw})/{sw} \\rfloor + 1 = {ow}$, "
        f"so it has ${c_out} \\times {oh} \\times {ow} = {group(n_out)}$ activations.",
        "",
        f"**Fully connected.** The flattened input has ${c} \\times {h} \\times {w} = {group(n_in)}$ "
        f"entries; every one of the {group(n_out, math=False)} outputs has a weight for each"
        + (" plus a bias" if b else "") + ":",
        f"$$ {group(n_in)} \\times {group(n_out)}" + (f" + {group(n_out)}" if b else "") + f" = {group(key['fc_total'])}.$$",
        "",
        f"**Answer:** convolution {group(key['conv_total'], math=False)}, fully connected {group(key['fc_total'], math=False)} "
        f"(about {group(round(key['fc_total'] / key['conv_total']), math=False)} times as many).",
    ]
    return "\n".join(lines)


def _no_plus_one(p: dict[str, Any]) -> dict[str, int] | None:
    oh, ow = _out_hw(p, fix=0)
    return _count(p, fc_out=p["out_channels"] * oh * ow) if oh * ow > 0 else None


MISCONCEPTIONS = (
    Misconception("forgot_bias", "Forgot the biases",
                  "With `bias=True` the convolution has one bias per filter and the fully "
                  "connected layer one bias per output.",
                  lambda p: _count(p, bias=False) if p["bias"] else None),
    Misconception("forgot_c_in", "Forgot the input channels",
                  "A filter extends through the depth of its input: each has C_in x k x k weights.",
                  lambda p: _count(p, c_in=1)),
    Misconception("fc_one_output_per_filter", "Gave the FC layer one output per filter",
                  "The fully connected layer must produce every activation of the convolution's "
                  "output, C_out x H_out x W_out of them, not just C_out.",
                  lambda p: _count(p, fc_out=p["out_channels"])),
    Misconception("fc_forgot_channels", "Flattened only the spatial positions",
                  "The flattened input has C x H x W entries: every channel of every pixel.",
                  lambda p: _count(p, fc_in=p["in_shape"][1] * p["in_shape"][2])),
    Misconception("no_weight_sharing", "Counted a filter per output position",
                  "A convolution shares its filters across positions: the same C_out filters "
                  "slide over the whole input.",
                  lambda p: _count(p, shared=False)),
    Misconception("forgot_plus_one", "Forgot the +1 in the output size",
                  "The number of window positions is floor((n + 2p - k)/s) + 1; the FC layer "
                  "needs one output per activation of that output.",
                  _no_plus_one),
)
