"""Output size of a `nn.MaxPool1d/2d/3d` layer, `ceil_mode` and its last-window rule included."""

from __future__ import annotations

from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.render import dims, spatial_names, torch_call, tup
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.shapes import pool_out_size

NAME = "pooling_output_shape"
VERSION = 3  # 3: a figure drawn from the parameters (issue 15)
TOPIC = "Convolution arithmetic"


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw exact 2D poolings (easy), then uneven, ceil-mode, dilated 1-3D ones."""
    while True:
        if level == "easy":
            # Exact divisions over sizes up to 64, height and width drawn apart.
            k, s, p = rng.choice([(2, 2, 0), (2, 2, 0), (3, 2, 1), (3, 3, 0), (4, 4, 0), (3, 1, 1)])
            size = [rng.between(4, 64), rng.between(4, 64)] if rng.chance(0.5) \
                else [rng.between(4, 64)] * 2
            if any((n + 2 * p - k) % s or k >= n for n in size):
                continue
            return {"in_size": size, "kernel_size": [k, k], "stride": [s, s], "padding": [p, p],
                    "dilation": [1, 1], "ceil_mode": False}
        ndim = rng.choice([1, 2, 2]) if level == "medium" else rng.choice([1, 2, 2, 3])
        hi = (32 if ndim == 3 else 100) if level == "medium" else (40 if ndim == 3 else 128)
        size = [rng.between(6 if level == "medium" else 8, hi) for _ in range(ndim)]
        if level == "medium":
            k = rng.choice([2, 2, 3, 3, 4, 5])
            s = rng.choice([k, k, 1, 2, 3])
            ks, ss, ds = [k] * ndim, [s] * ndim, [1] * ndim
            ps = [rng.between(0, k // 2)] * ndim
        else:
            ks = [rng.between(2, 5) for _ in range(ndim)]
            ss = [rng.between(1, k + 1) for k in ks]
            ps = [rng.between(0, k // 2) for k in ks]
            ds = [rng.choice([1, 1, 2, 3]) for _ in range(ndim)]
        params = {"in_size": size, "kernel_size": ks, "stride": ss, "padding": ps,
                  "dilation": ds, "ceil_mode": rng.chance(0.5)}
        # At least two windows along some dimension: one output position says nothing.
        if all(d * (k - 1) + 1 <= n + 2 * p for n, k, p, d in zip(size, ks, ps, ds)) \
                and max(solve(params)["shape"]) > 1:
            return params


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse what PyTorch refuses (padding over half the kernel)."""
    P.only_keys(params, ("in_size", "kernel_size"), ("stride", "padding", "dilation", "ceil_mode"))
    size = P.size_list(params, "in_size", 1, 3, 1, P.MAX_SIDE)
    ndim = len(size)
    kernel = P.per_dim(params, "kernel_size", ndim, 1, P.MAX_SIDE)
    out = {
        "in_size": size,
        "kernel_size": kernel,
        # PyTorch's default stride (None) is the kernel size.
        "stride": P.per_dim(params if params.get("stride") is not None else {"stride": kernel},
                            "stride", ndim, 1, P.MAX_SIDE),
        "padding": P.per_dim(params, "padding", ndim, 0, P.MAX_SIDE, default=0),
        "dilation": P.per_dim(params, "dilation", ndim, 1, 64, default=1),
        "ceil_mode": P.boolean(params, "ceil_mode", default=False),
    }
    for i, (n, k, s, p, d) in enumerate(_dims(out)):
        if p > k // 2:
            raise ParamError(f"dimension {i}: padding {p} is more than half the kernel size {k}; "
                             "PyTorch allows at most kernel_size // 2",
                             errors={"padding": "at most half the kernel size"})
    P.window_fits(size, kernel, out["padding"], out["dilation"], what="window")
    return out


def _dims(p: dict[str, Any]) -> list[tuple[int, int, int, int, int]]:
    return list(zip(p["in_size"], p["kernel_size"], p["stride"], p["padding"], p["dilation"]))


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"shape": [*spatial]}``, the spatial output size."""
    return {"shape": [pool_out_size(*d, params["ceil_mode"]) for d in _dims(params)]}


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    names = ", ".join(f"{n}_out" for n in spatial_names(len(params["in_size"])))
    return [AnswerField("shape", "shape", f"Spatial size of the output ({names})")]


def prompt(params: dict[str, Any]) -> str:
    ndim = len(params["in_size"])
    args: dict[str, Any] = {"kernel_size": params["kernel_size"]}
    if params["stride"] != params["kernel_size"]:
        args["stride"] = params["stride"]
    if any(params["padding"]):
        args["padding"] = params["padding"]
    if any(d > 1 for d in params["dilation"]):
        args["dilation"] = params["dilation"]
    if params["ceil_mode"]:
        args["ceil_mode"] = True
    layer = torch_call(f"MaxPool{ndim}d", **args)
    names = ", ".join(n + "_{out}" for n in spatial_names(ndim))
    return (f"An input with spatial size {dims(params['in_size'])} (any number of channels) goes "
            f"through {layer}; arguments not shown take PyTorch's defaults.\n\n"
            f"What is the spatial size of the output, $({names})$?")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    ceil = params["ceil_mode"]
    lines = []
    if params["stride"] == params["kernel_size"]:
        lines += ["No stride is given, so it defaults to the kernel size.", ""]
    open_, close = (r"\lceil", r"\rceil") if ceil else (r"\lfloor", r"\rfloor")
    lines += [f"Along each dimension $n_{{out}} = {open_} (n + 2p - d(k-1) - 1)/s {close} + 1$"
              + (" (`ceil_mode=True` rounds up), but a last window that would start in the "
                 "right padding is dropped: if $(n_{out} - 1)s \\ge n + p$, subtract 1."
                 if ceil else "."), ""]
    for name, (n, k, s, p, d), o in zip(spatial_names(len(key["shape"])), _dims(params), key["shape"]):
        top = n + 2 * p - d * (k - 1) - 1
        first = (-(-top // s) if ceil else top // s) + 1
        text = (f"- ${name}$: ${open_} ({n} + 2\\cdot{p} - {d}\\cdot({k}-1) - 1)/{s} {close} + 1 "
                f"= {open_} {top}/{s} {close} + 1 = {first}$")
        if ceil and first != o:
            text += (f"; the last window would start at ${(first - 1) * s} \\ge {n} + {p}$ "
                     f"(inside the right padding), so ${o}$")
        lines.append(text)
    lines += ["", f"**Output size:** ${tup(key['shape'])}$ (that is, {dims(key['shape'])})."]
    return "\n".join(lines)


def _buggy(size_fn, when=lambda p: True):
    def solve_buggy(params: dict[str, Any]) -> dict[str, Any] | None:
        if not when(params):
            return None
        shape = [size_fn(*d, params["ceil_mode"]) for d in _dims(params)]
        return None if shape == solve(params)["shape"] or min(shape) < 1 else {"shape": shape}
    return solve_buggy


def _no_last_window_rule(n: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    return -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1


MISCONCEPTIONS = (
    Misconception("forgot_plus_one", "Forgot the +1",
                  "The number of window positions is one more than the number of strides taken.",
                  _buggy(lambda n, k, s, p, d, c: pool_out_size(n, k, s, p, d, c) - 1)),
    Misconception("padding_once", "Counted the padding once",
                  "`padding=p` adds p on both sides (implicit -inf for max pooling): n + 2p.",
                  _buggy(lambda n, k, s, p, d, c: pool_out_size(n + p, k, s, 0, d, c))),
    Misconception("ignored_dilation", "Ignored the dilation",
                  "A dilated window of size k spans d(k - 1) + 1 input positions.",
                  _buggy(lambda n, k, s, p, d, c: pool_out_size(n, k, s, p, 1, c))),
    Misconception("ceil_mode_ignored", "Rounded down despite ceil_mode",
                  "`ceil_mode=True` keeps a last, partial window: the division rounds up.",
                  _buggy(lambda n, k, s, p, d, c: pool_out_size(n, k, s, p, d, False),
                         lambda p: p["ceil_mode"])),
    Misconception("ceil_for_floor", "Rounded up without ceil_mode",
                  "By default (`ceil_mode=False`) a window that runs past the padded input is "
                  "dropped: the division rounds down.",
                  _buggy(lambda n, k, s, p, d, c: pool_out_size(n, k, s, p, d, True),
                         lambda p: not p["ceil_mode"])),
    Misconception("no_last_window_rule", "Kept a window that starts in the padding",
                  "With `ceil_mode=True` PyTorch drops a last window that would start in the "
                  "right padding: if (n_out - 1)s >= n + p, the output is one shorter.",
                  _buggy(_no_last_window_rule, lambda p: p["ceil_mode"])),
    Misconception("default_stride_one", "Took the default stride to be 1",
                  "For pooling layers PyTorch's default stride is the kernel size, so the "
                  "windows do not overlap.",
                  _buggy(lambda n, k, s, p, d, c: pool_out_size(n, k, 1, p, d, c),
                         lambda p: p["stride"] == p["kernel_size"])),
    Misconception("ignored_padding", "Ignored the padding",
                  "`padding=p` adds p entries (-inf for max pooling) on both sides before the "
                  "windows slide: the padded length is n + 2p.",
                  _buggy(lambda n, k, s, p, d, c: pool_out_size(n, k, s, 0, d, c)
                         if d * (k - 1) + 1 <= n else 0, lambda p: any(p["padding"]))),
)
