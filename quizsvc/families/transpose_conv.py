"""The output of a single-channel transposed convolution, as `F.conv_transpose1d/2d` computes it."""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families import tensors as T
from quizsvc.families.render import arg, spatial_names
from quizsvc.families.rng import Sampler
from quizsvc.families.mistakes import when
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.solver.conv import conv_transpose

NAME = "transpose_conv"
VERSION = 3  # 3: a figure drawn from the parameters (issue 15)
TOPIC = "Transposed convolution"

_VALUES = range(-3, 4)
_NONZERO = (-3, -2, -1, 1, 2, 3)
_NONZERO_4 = (-4, -3, -2, -1, 1, 2, 3, 4)  # medium and hard inputs: fewer overlaps, bigger values


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw stride 1 (easy), stride 2 or padding (medium), 2D with output_padding/dilation (hard)."""
    while True:
        if level == "easy":
            nd = rng.choice([1, 2])
            n = [rng.between(2, 4)] if nd == 1 else [2, 2]
            k = [rng.between(2, 3)] if nd == 1 else [2, 2]
            s, p, op, d = [1] * nd, [0] * nd, [0] * nd, [1] * nd
        elif level == "medium":
            nd = rng.choice([1, 2])
            n = [rng.between(2, 4)] if nd == 1 else [2, 2]
            k = [rng.between(2, 3)] * nd
            s, p, op, d = [rng.between(1, 2)] * nd, [rng.between(0, 1)] * nd, [0] * nd, [1] * nd
            if s[0] == 1 and p[0] == 0:
                continue
        else:
            nd = 2
            n = [rng.between(2, 3), rng.between(2, 3)]
            k = [rng.between(2, 3), rng.between(2, 3)]
            s = [rng.between(1, 3), rng.between(1, 3)]
            p = [rng.between(0, 1), rng.between(0, 1)]
            d = [rng.choice([1, 1, 2]), rng.choice([1, 1, 2])]
            op = [rng.between(0, max(si, di) - 1) for si, di in zip(s, d)]
            if max(s) == 1 and max(d) == 1:
                continue
        out = _out_shape_of(n, k, s, p, op, d)
        if min(out) < 2 or prod(out) > 36:
            continue
        values = _NONZERO if level == "easy" else _NONZERO_4
        if nd == 1:
            x, w = T.draw(rng, values, n[0]), T.draw(rng, _VALUES, k[0])
        else:
            x, w = T.draw_matrix(rng, values, *n), T.draw_matrix(rng, _VALUES, *k)
        if not any(map(any, w if nd == 2 else [w])):
            continue
        return {"input": x, "kernel": w, "stride": s, "padding": p, "output_padding": op, "dilation": d}


def _out_shape_of(n, k, s, p, op, d) -> list[int]:
    return [(ni - 1) * si - 2 * pi + di * (ki - 1) + oi + 1
            for ni, ki, si, pi, oi, di in zip(n, k, s, p, op, d)]


def _out_shape(p: dict[str, Any]) -> list[int]:
    return _out_shape_of(T.shape(p["input"]), T.shape(p["kernel"]), p["stride"], p["padding"],
                         p["output_padding"], p["dilation"])


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; refuse what torch refuses and outputs over 1024 entries."""
    P.only_keys(params, ("input", "kernel"), ("stride", "padding", "output_padding", "dilation"))
    x = T.read(params, "input")
    nd = T.ndim_of(x)
    k = T.read(params, "kernel", nd)
    dims = T.per_dims(params, nd)
    op = P.per_dim(params, "output_padding", nd, 0, T.MAX_STRIDE, default=0)
    out = {"input": x, "kernel": k, "stride": dims["stride"], "padding": dims["padding"],
           "output_padding": op, "dilation": dims["dilation"]}
    for i, (o, s, d) in enumerate(zip(op, out["stride"], out["dilation"])):
        if o >= s and o >= d:
            raise ParamError(f"dimension {i}: output_padding={o} must be smaller than the stride ({s}) "
                             f"or the dilation ({d}), as PyTorch requires",
                             errors={"output_padding": "must be smaller than stride or dilation"})
    size = _out_shape(out)
    for i, m in enumerate(size):
        if m < 1:
            raise ParamError(f"dimension {i}: the output size (n-1)s - 2p + d(k-1) + output_padding + 1 "
                             f"is {m}; the padding crops away the whole output",
                             errors={"padding": "output size would be <= 0"})
    P.limit_entries(prod(size), "the output")
    return out


def _run(p: dict[str, Any], kernel: Any = None, **changes: Any) -> dict[str, Any] | None:
    q = {**p, **changes}
    size = _out_shape_of(T.shape(p["input"]), T.shape(p["kernel"]), q["stride"], q["padding"],
                         q["output_padding"], q["dilation"])
    if min(size) < 1:
        return None
    y = conv_transpose(p["input"], p["kernel"] if kernel is None else kernel, q["stride"],
                       q["padding"], q["output_padding"], q["dilation"])
    return {"output": y.tolist()}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"output": y}``: every x[i] adds x[i] * k at offset i*s; overlaps summed; crop p."""
    return _run(params)  # type: ignore[return-value]


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    nd = T.ndim_of(params["input"])
    label = "Output signal" if nd == 1 else "Output matrix (one row per output row)"
    return [AnswerField("output", T.kind(nd), label)]



def prompt(params: dict[str, Any]) -> str:
    nd = T.ndim_of(params["input"])
    parts = [f"stride={arg(params['stride'])}", f"padding={arg(params['padding'])}"]
    if any(params["output_padding"]):
        parts.append(f"output_padding={arg(params['output_padding'])}")
    if max(params["dilation"]) > 1:
        parts.append(f"dilation={arg(params['dilation'])}")
    call = f"`F.conv_transpose{nd}d(x, k, {', '.join(parts)})`"
    return (f"Compute the transposed convolution {call} of the single-channel input $x$ "
            f"({T.shape_text(params['input'])}) with the kernel $k$ ({T.shape_text(params['kernel'])}), "
            "as PyTorch defines it.\n\n"
            f"$$x = {T.tex(params['input'])}, \\qquad k = {T.tex(params['kernel'])}$$\n\n"
            f"{_conventions(params)}\n\n"
            f"What is the output {'signal' if nd == 1 else 'matrix'}?")


def _conventions(params: dict[str, Any]) -> str:
    """Say what each argument of the call does, so that the question rests on no guess."""
    nd = T.ndim_of(params["input"])
    parts = ["Every input entry $x[i]$ scales the whole kernel (not flipped), and the scaled copy "
             "is added to the result from position $i \\cdot$ `stride` on; where copies overlap "
             "they are summed."]
    if max(params["dilation"]) > 1:
        parts.append("With `dilation` d the taps of each copy are d positions apart.")
    parts.append("Then `padding` p removes p entries from the start and p from the end of "
                 + ("each dimension of that result" if nd == 2 else "that result")
                 + " (it undoes the padding of the matching convolution; `padding=0` removes "
                 "nothing).")
    if any(params["output_padding"]):
        parts.append("`output_padding` o gives back o entries at the end"
                     + (" of each dimension (the bottom rows, the right columns)" if nd == 2 else "")
                     + ": only p - o are removed there, and an entry past the end of the summed "
                     "result is 0.")
    return " ".join(parts)


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    nd = T.ndim_of(params["input"])
    s, p, op, d = params["stride"], params["padding"], params["output_padding"], params["dilation"]
    lines = ["Each input entry multiplies the whole kernel; the scaled copy is added to the output "
             "starting at position (input index) x stride, with the kernel taps dilation apart. "
             "Where copies overlap, they are **summed**. Then `padding` removes p entries from both "
             "ends of every dimension, and `output_padding` keeps extra entries at the end.", "",
             "Output size per dimension: $(n-1)s - 2p + d(k-1) + \\text{output\\_padding} + 1$:"]
    for name, n, k, si, pi, oi, di, m in zip(spatial_names(nd), T.shape(params["input"]),
                                              T.shape(params["kernel"]), s, p, op, d, _out_shape(params)):
        lines.append(f"- ${name}$: $({n}-1)\\cdot{si} - 2\\cdot{pi} + {di}\\cdot({k}-1) + {oi} + 1 = {m}$")
    x, k = np.asarray(params["input"]), np.asarray(params["kernel"])
    lines += ["", "The scaled kernels, one per input entry:"]
    for idx in np.ndindex(*x.shape):
        at = ", ".join(str(i * si) for i, si in zip(idx, s))
        where = ", ".join(map(str, idx))
        v = T.fmt(x[idx].item())
        lines.append(f"- $x[{where}] = {v}$: ${v} k = {T.tex((x[idx] * k).tolist())}$, "
                     f"placed from position ({at})")
    full = conv_transpose(x, k, s, [0] * nd, [0] * nd, d)
    lines += ["", f"Summing the overlapping copies gives the full result ${T.tex(full.tolist())}$."]
    if any(p) or any(op):
        lines.append("")
        for name, pi, oi in zip(spatial_names(nd), p, op):
            end = pi - oi
            text = (f"- ${name}$: remove {pi} at the start and "
                    + (f"${pi} - {oi} = {end}$" if oi else f"{end}") + " at the end")
            if end < 0:
                text = (f"- ${name}$: remove {pi} at the start; at the end ${pi} - {oi} = {end}$: "
                        f"{-end} entr{'y' if end == -1 else 'ies'} past the summed result "
                        f"{'is' if end == -1 else 'are'} kept, and {'it is' if end == -1 else 'they are'} 0")
            lines.append(text)
    lines += ["", f"**Output:** ${T.tex(key['output'])}$"]
    return "\n".join(lines)


def _overwrite(p: dict[str, Any]) -> dict[str, Any] | None:
    """Place each scaled kernel in input order, overwriting instead of adding."""
    x, k = np.asarray(p["input"]), np.asarray(p["kernel"])
    s, d, op = p["stride"], p["dilation"], p["output_padding"]
    full = np.zeros([(n - 1) * si + di * (kk - 1) + 1 + oi
                     for n, kk, si, di, oi in zip(x.shape, k.shape, s, d, op)], dtype=np.result_type(x, k))
    for idx in np.ndindex(*x.shape):
        region = tuple(slice(i * si, i * si + di * (kk - 1) + 1, di)
                       for i, si, di, kk in zip(idx, s, d, k.shape))
        full[region] = x[idx] * k
    crop = tuple(slice(pi, pi + m) for pi, m in zip(p["padding"], _out_shape(p)))
    return {"output": full[crop].tolist()}


def _padding_added(p: dict[str, Any]) -> dict[str, Any] | None:
    """Pad the summed result with p zeros on each side, as a convolution pads its input."""
    if not any(p["padding"]):
        return None
    nd = T.ndim_of(p["input"])
    full = conv_transpose(p["input"], p["kernel"], p["stride"], [0] * nd, p["output_padding"],
                          p["dilation"])
    padded = np.pad(full, [(q, q) for q in p["padding"]])
    if padded.size > P.MAX_ARRAY_ENTRIES:
        return None
    return {"output": padded.tolist()}



def _zeros(p: dict[str, Any], name: str, value: int = 0) -> list[int]:
    return [value] * len(p[name])


MISCONCEPTIONS = (
    Misconception("overwrite_overlaps", "Did not sum the overlaps",
                  "Where two scaled copies of the kernel overlap, a transposed convolution adds them; "
                  "a later copy does not overwrite an earlier one.", _overwrite),
    Misconception("stride_one", "Placed the copies at stride 1",
                  "With stride s the copy of input entry i starts at position i*s, so the copies are "
                  "s apart and the output is about s times longer than the input.",
                  when(lambda p: max(p["stride"]) > 1, lambda p: _run(p, stride=_zeros(p, "stride", 1)))),
    Misconception("ignored_padding", "Ignored the padding",
                  "In a transposed convolution `padding=p` removes p entries from both ends of the "
                  "result (it undoes the padding of the matching convolution), so the output shrinks.",
                  when(lambda p: any(p["padding"]), lambda p: _run(p, padding=_zeros(p, "padding")))),
    Misconception("flipped_kernel", "Flipped the kernel",
                  "Each input entry scales the kernel as written: the copy of x[i] is x[i]*k[0], "
                  "x[i]*k[1], ... from position i*s on. Flipping belongs to the equivalent "
                  "convolution over the dilated input, not to this scatter view.",
                  lambda p: _run(p, kernel=np.flip(np.asarray(p["kernel"])))),
    Misconception("ignored_output_padding", "Ignored the output padding",
                  "`output_padding` adds that many entries at the end (bottom/right) of the output.",
                  when(lambda p: any(p["output_padding"]),
                          lambda p: _run(p, output_padding=_zeros(p, "output_padding")))),
    Misconception("ignored_dilation", "Ignored the dilation",
                  "With dilation d the taps of each kernel copy are d positions apart.",
                  when(lambda p: max(p["dilation"]) > 1,
                          lambda p: _run(p, dilation=_zeros(p, "dilation", 1)))),
    Misconception("padding_added", "Added the padding instead of removing it",
                  "In a transposed convolution `padding=p` removes p entries from both ends of "
                  "each dimension (it undoes the padding of the matching convolution); it does "
                  "not add zeros around the result.",
                  _padding_added),
)
