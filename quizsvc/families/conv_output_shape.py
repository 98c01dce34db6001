"""Output shape of a `nn.Conv1d/2d/3d` layer."""

from __future__ import annotations

from typing import Any

from quizsvc.families import params as P
from quizsvc.families.render import dims, spatial_names, torch_call, tup
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.shapes import conv_out_size

NAME = "conv_output_shape"
VERSION = 2
TOPIC = "Convolution arithmetic"

_KEYS = ("in_channels", "out_channels", "in_size", "kernel_size", "stride", "padding", "dilation")


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw a layer whose output has at least one position in every dimension."""
    while True:
        if level == "easy":
            ndim, n = 2, rng.choice([8, 10, 12, 14, 16, 20, 24, 28, 32, 48, 56, 64])
            k = rng.choice([1, 3, 5, 7])
            s, p, d = rng.choice([1, 1, 2]), rng.choice([0, 0, 1, (k - 1) // 2]), 1
            if (n + 2 * p - k) % s:
                continue
            size, ks, ss, ps, ds = [n, n], [k, k], [s, s], [p, p], [d, d]
            c_in, c_out = rng.choice([1, 3, 8, 16]), rng.choice([4, 6, 8, 10, 16, 32])
        else:
            ndim = rng.choice([1, 2, 2, 3]) if level == "hard" else rng.choice([1, 2, 2])
            # Sizes and channel counts grow with the level, as the settings do.
            hi = (64 if ndim == 3 else 256) if level == "hard" else (32 if ndim == 3 else 128)
            size = [rng.between(5, hi) for _ in range(ndim)]
            square = level == "medium" and rng.chance(0.6)
            draw = (lambda f: [f()] * ndim) if square else (lambda f: [f() for _ in range(ndim)])
            ks = draw(lambda: rng.choice([1, 2, 3, 3, 4, 5, 6, 7, 11]))
            ss = draw(lambda: rng.between(1, 4))
            ps = draw(lambda: rng.between(0, 3))
            ds = draw(lambda: rng.between(1, 3)) if level == "hard" else [1] * ndim
            c_in = rng.choice([1, 3, 8, 16, 32, 64])
            c_out = rng.choice([8, 16, 32, 64] if level == "medium" else [16, 32, 64, 128, 256])
        params = {"in_channels": c_in, "out_channels": c_out, "in_size": size, "kernel_size": ks,
                  "stride": ss, "padding": ps, "dilation": ds}
        # Every window must reach the input: padding at most d(k-1), so no output position
        # sees padded zeros only (a 1x1 kernel with padding 1 is legal but no real layer).
        outs = [conv_out_size(n, k, s, p, d) for n, k, s, p, d in zip(size, ks, ss, ps, ds)]
        if min(outs) >= 1 and max(outs) > 1 and all(p <= d * (k - 1) for k, p, d in zip(ks, ps, ds)):
            return params


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse a kernel larger than the padded input."""
    P.only_keys(params, ("in_channels", "out_channels", "in_size", "kernel_size"),
                ("stride", "padding", "dilation"))
    size = P.size_list(params, "in_size", 1, 3, 1, P.MAX_SIDE)
    ndim = len(size)
    out = {
        "in_channels": P.integer(params, "in_channels", 1, P.MAX_CHANNELS),
        "out_channels": P.integer(params, "out_channels", 1, P.MAX_CHANNELS),
        "in_size": size,
        "kernel_size": P.per_dim(params, "kernel_size", ndim, 1, P.MAX_SIDE),
        "stride": P.per_dim(params, "stride", ndim, 1, 64, default=1),
        "padding": P.per_dim(params, "padding", ndim, 0, P.MAX_SIDE, default=0),
        "dilation": P.per_dim(params, "dilation", ndim, 1, 64, default=1),
    }
    P.window_fits(size, out["kernel_size"], out["padding"], out["dilation"])
    return out


def _dims(p: dict[str, Any]) -> list[tuple[int, int, int, int, int]]:
    return list(zip(p["in_size"], p["kernel_size"], p["stride"], p["padding"], p["dilation"]))


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"shape": [C_out, *spatial]}``."""
    return {"shape": [params["out_channels"], *(conv_out_size(*a) for a in _dims(params))]}


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    names = ", ".join(["C_out", *(f"{n}_out" for n in spatial_names(len(params["in_size"])))])
    return [AnswerField("shape", "shape", f"Output shape of one sample ({names})")]


def prompt(params: dict[str, Any]) -> str:
    ndim = len(params["in_size"])
    layer = torch_call(f"Conv{ndim}d", in_channels=params["in_channels"],
                       out_channels=params["out_channels"], kernel_size=params["kernel_size"],
                       stride=params["stride"], padding=params["padding"], dilation=params["dilation"])
    shape = tup([params["in_channels"], *params["in_size"]])
    return (f"The layer {layer} is applied to one input of shape {shape} "
            f"(channels first, as PyTorch lays it out, without the batch dimension).\n\n"
            f"What is the shape of the output, as $(C_{{out}}, "
            f"{', '.join(n + '_{out}' for n in spatial_names(ndim))})$?")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    lines = ["Along each spatial dimension PyTorch computes",
             r"$$n_{out} = \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1.$$", ""]
    for name, (n, k, s, p, d) in zip(spatial_names(len(params["in_size"])), _dims(params)):
        top = n + 2 * p - d * (k - 1) - 1
        lines.append(f"- ${name}$: $\\lfloor ({n} + 2\\cdot{p} - {d}\\cdot({k}-1) - 1) / {s} \\rfloor + 1"
                     f" = \\lfloor {top}/{s} \\rfloor + 1 = {top // s + 1}$")
    lines += ["", f"The output has one channel per filter: $C_{{out}} = {params['out_channels']}$.",
              "", f"**Output shape:** ${tup(key['shape'])}$ (that is, {dims(key['shape'])})."]
    return "\n".join(lines)


def _buggy(size_fn, channels: str = "out_channels"):
    def solve_buggy(params: dict[str, Any]) -> dict[str, Any]:
        return {"shape": [params[channels], *(size_fn(*a) for a in _dims(params))]}
    return solve_buggy


def _channels_last(params: dict[str, Any]) -> dict[str, Any] | None:
    shape = solve(params)["shape"]
    moved = [*shape[1:], shape[0]]
    return None if moved == shape else {"shape": moved}


def _no_channels(params: dict[str, Any]) -> dict[str, Any]:
    return {"shape": solve(params)["shape"][1:]}


MISCONCEPTIONS = (
    Misconception("forgot_plus_one", "Forgot the +1",
                  "The number of window positions is one more than the number of strides taken: "
                  "add 1 after the floor division.",
                  _buggy(lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s)),
    Misconception("padding_once", "Counted the padding once",
                  "`padding=p` adds p zeros on both sides, so the padded length is n + 2p.",
                  _buggy(lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) // s + 1)),
    Misconception("ignored_padding", "Ignored the padding",
                  "The zeros added by `padding` are part of the input the kernel slides over.",
                  _buggy(lambda n, k, s, p, d: (n - d * (k - 1) - 1) // s + 1)),
    Misconception("ignored_dilation", "Ignored the dilation",
                  "A dilated kernel of size k spans d(k-1)+1 input positions, not k.",
                  _buggy(lambda n, k, s, p, d: (n + 2 * p - k) // s + 1)),
    Misconception("ceil_for_floor", "Rounded up instead of down",
                  "A window that would run past the padded input is dropped: PyTorch takes the floor.",
                  _buggy(lambda n, k, s, p, d: -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1)),
    Misconception("ignored_stride", "Ignored the stride",
                  "With stride s the window moves s positions at a time: divide by s before adding 1.",
                  _buggy(lambda n, k, s, p, d: n + 2 * p - d * (k - 1))),
    Misconception("input_channels", "Kept the input's channel count",
                  "Each of the out_channels filters makes one output channel, whatever C_in is.",
                  _buggy(conv_out_size, channels="in_channels")),
    Misconception("channels_last", "Put the channels last",
                  "PyTorch lays tensors out channels first: the output is C_out followed by the "
                  "spatial sizes, not the spatial sizes followed by C_out as in TensorFlow's "
                  "default layout.",
                  _channels_last),
    Misconception("left_out_channels", "Left out the channel dimension",
                  "The output has C_out channels as well as its spatial size: give C_out first, "
                  "then one size per spatial dimension.",
                  _no_channels),
    Misconception("dilated_span_dk", "Took a dilated kernel to span d times k positions",
                  "Dilation puts d - 1 gaps between neighbouring taps, and there are k - 1 gaps "
                  "between k taps: the kernel spans d(k - 1) + 1 positions, not dk.",
                  _buggy(lambda n, k, s, p, d: (n + 2 * p - d * k) // s + 1)),
)
