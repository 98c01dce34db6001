"""Which axes of an NCHW batch one normalization statistic is computed over.

BatchNorm2d (training): one mean per channel, over N, H, W.
LayerNorm(normalized_shape): one mean per sample, over the trailing `normalized_shape` axes.
InstanceNorm2d: one mean per sample and channel, over H, W.
GroupNorm(G, C): one mean per sample and group of C/G channels, over (C/G), H, W.
"""

from __future__ import annotations

from math import prod
from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.render import group, tup
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception

NAME = "normalization_axes"
VERSION = 3  # 3: a figure drawn from the parameters (issue 15)
TOPIC = "Normalization"

AXES = ("N", "C", "H", "W")
NORMS = ("batch", "layer", "instance", "group")
_LAYER = {"batch": "BatchNorm2d", "layer": "LayerNorm", "instance": "InstanceNorm2d",
          "group": "GroupNorm"}


def _divisors(c: int) -> list[int]:
    return [g for g in range(1, c + 1) if c % g == 0]


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw a norm and a batch shape; group norm and partial LayerNorm come later."""
    if level == "easy":
        norm = rng.choice(("batch", "layer"))
        shape = [rng.between(2, 8), rng.between(2, 6), rng.between(2, 6), rng.between(2, 6)]
    elif level == "medium":
        norm = rng.choice(NORMS)
        h = rng.choice((4, 7, 8, 14, 16))
        shape = [rng.choice((2, 4, 8, 16)), rng.choice((4, 6, 8, 12, 16, 32)), h,
                 h if rng.chance(0.6) else rng.choice((4, 7, 8, 14, 16))]
    else:
        norm = rng.choice(("batch", "layer", "layer", "instance", "group", "group"))
        shape = [rng.choice((3, 4, 8, 16, 32)), rng.choice((6, 8, 12, 16, 24, 32, 64)),
                 rng.choice((5, 7, 8, 14, 16, 28)), rng.choice((5, 7, 8, 14, 16, 28))]
    params: dict[str, Any] = {"norm": norm, "shape": shape}
    if norm == "group":
        groups = _divisors(shape[1])
        inner = groups[1:-1]  # 1 < G < C at medium; the edge cases G = 1 and G = C at hard
        params["num_groups"] = rng.choice(inner if level == "medium" else groups)
    elif norm == "layer":
        trailing = rng.choice((1, 2, 3, 3)) if level == "hard" else 3
        params["normalized_shape"] = shape[4 - trailing:]
    return params


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; `num_groups` only for group norm, `normalized_shape` for layer norm."""
    P.only_keys(params, ("norm", "shape"), ("num_groups", "normalized_shape"))
    norm = P.one_of(params, "norm", NORMS)
    shape = params["shape"]
    if not isinstance(shape, (list, tuple)) or len(shape) != 4:
        raise ParamError(f"shape must be a list of 4 sizes [N, C, H, W], got {shape!r}",
                         errors={"shape": "expected [N, C, H, W]"})
    # Sizes of 1 would make "the axes a statistic spans" ambiguous.
    shape = [P.integer({"shape": v}, "shape", 2, P.MAX_CHANNELS) for v in shape]
    out: dict[str, Any] = {"norm": norm, "shape": shape}
    for name, owner in (("num_groups", "group"), ("normalized_shape", "layer")):
        if name in params and norm != owner:
            raise ParamError(f"{name} applies only to norm={owner!r}", errors={name: "not applicable"})
    if norm == "group":
        if "num_groups" not in params:
            raise ParamError("group norm needs num_groups", errors={"num_groups": "missing"})
        g = P.integer(params, "num_groups", 1, shape[1])
        if shape[1] % g:
            raise ParamError(f"num_groups={g} does not divide the {shape[1]} channels",
                             errors={"num_groups": "must divide C"})
        out["num_groups"] = g
    elif norm == "layer":
        ns = params.get("normalized_shape", shape[1:])
        if isinstance(ns, int) and not isinstance(ns, bool):
            ns = [ns]
        if not isinstance(ns, (list, tuple)) or not 1 <= len(ns) <= 3 or list(ns) != shape[4 - len(ns):]:
            raise ParamError(f"normalized_shape must be the last 1 to 3 sizes of the shape {shape} "
                             f"(for example {shape[1:]}), got {ns!r}",
                             errors={"normalized_shape": "not a trailing part of the shape"})
        out["normalized_shape"] = list(ns)
    return out


def _key(axes: set[str], shape: list[int]) -> dict[str, Any]:
    return {"axes": [a for a in AXES if a in axes],
            "count": prod(n for a, n in zip(AXES, shape) if a in axes)}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"axes": [...] in NCHW order, "count": values one statistic averages}``."""
    norm, (_, c, h, w) = params["norm"], params["shape"]
    if norm == "batch":
        return _key({"N", "H", "W"}, params["shape"])
    if norm == "layer":
        return _key(set(AXES[4 - len(params["normalized_shape"]):]), params["shape"])
    if norm == "instance":
        return _key({"H", "W"}, params["shape"])
    per_group = c // params["num_groups"]
    axes = ["C", "H", "W"] if per_group > 1 else ["H", "W"]
    return {"axes": axes, "count": per_group * h * w}


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("axes", "choice", "Axes one statistic is computed over", AXES, True),
            AnswerField("count", "integer", "Number of values one mean averages")]


def _layer(params: dict[str, Any]) -> str:
    c = params["shape"][1]
    if params["norm"] == "group":
        return f"`nn.GroupNorm(num_groups={params['num_groups']}, num_channels={c})`"
    if params["norm"] == "layer":
        return f"`nn.LayerNorm({list(params['normalized_shape'])})`"
    return f"`nn.{_LAYER[params['norm']]}({c})`"


def prompt(params: dict[str, Any]) -> str:
    shape = params["shape"]
    mode = " in training mode" if params["norm"] == "batch" else ""
    return (f"The layer {_layer(params)}{mode} receives a batch of shape $(N, C, H, W) = {tup(shape)}$.\n\n"
            "It subtracts a mean and divides by a standard deviation, each computed over a set of "
            "entries of the batch. For one such statistic:\n\n"
            "1. Which axes does the set extend along? Pick from N, C, H, W.\n"
            "2. How many values does one mean average?")


_WHY = {
    "batch": "BatchNorm2d keeps one mean and variance **per channel**: for channel $c$ it averages "
             "$x[n, c, h, w]$ over every sample $n$ and every position $(h, w)$.",
    "instance": "InstanceNorm2d keeps one mean and variance **per sample and channel**: it averages "
                "over the positions $(h, w)$ of one feature map only.",
}


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    norm, (_, c, h, w) = params["norm"], params["shape"]
    if norm in _WHY:
        why = _WHY[norm]
    elif norm == "layer":
        ns = params["normalized_shape"]
        why = (f"LayerNorm keeps one mean and variance **per sample**, over the last {len(ns)} "
               f"axes, those of `normalized_shape` = {list(ns)}.")
    else:
        g = params["num_groups"]
        why = (f"GroupNorm splits the {c} channels into {g} groups of {c // g} and keeps one mean and "
               f"variance **per sample and group**: it averages over the {c // g} channel(s) of the "
               "group and every position $(h, w)$."
               + (" With one channel per group it is instance norm." if c == g else "")
               + (" With a single group it is layer norm over (C, H, W)." if g == 1 else ""))
    sizes = dict(zip(AXES, params["shape"]))
    if norm == "group":
        factors = [str(c // params["num_groups"]), str(h), str(w)]
    else:
        factors = [str(sizes[a]) for a in key["axes"]]
    product = r" \times ".join(factors)
    return "\n".join([why, "", f"- axes: {', '.join(key['axes'])}",
                      f"- values per statistic: ${product} = {group(key['count'])}$"])


def _as(axes: set[str]):
    """A buggy solver answering with the given axes and the number of values along them."""
    def solve_buggy(params: dict[str, Any]) -> dict[str, Any]:
        return _key(axes, params["shape"])
    return solve_buggy


def _only(norm: str, fn, when=lambda p: True):
    def solve_buggy(params: dict[str, Any]) -> dict[str, Any] | None:
        return fn(params) if params["norm"] == norm and when(params) else None
    return solve_buggy


def _swapped(params: dict[str, Any]) -> dict[str, Any] | None:
    if params["norm"] == "batch":
        return _key({"C", "H", "W"}, params["shape"])
    if params["norm"] == "layer":
        return _key({"N", "H", "W"}, params["shape"])
    return None


def _group_count_swapped(params: dict[str, Any]) -> dict[str, Any]:
    g, (_, _, h, w) = params["num_groups"], params["shape"]
    return {"axes": ["C", "H", "W"] if g > 1 else ["H", "W"], "count": g * h * w}


MISCONCEPTIONS = (
    Misconception("bn_per_position", "BatchNorm over the batch axis only",
                  "BatchNorm2d does not keep a statistic per pixel: one mean per channel averages "
                  "over the batch N *and* every spatial position H, W.",
                  _only("batch", _as({"N"}))),
    Misconception("batch_layer_swapped", "Swapped batch norm and layer norm",
                  "Batch norm pools over the batch (N, H, W per channel); layer norm pools over the "
                  "features of one sample (C, H, W per sample).",
                  _swapped),
    Misconception("layer_includes_batch", "Layer norm over the batch too",
                  "Layer norm never mixes samples: each sample is normalized on its own, so N is "
                  "never one of its axes.",
                  _only("layer", lambda p: _key({"N", *AXES[4 - len(p["normalized_shape"]):]}, p["shape"]))),
    Misconception("layer_ignores_normalized_shape", "Layer norm always over C, H, W",
                  "`nn.LayerNorm(normalized_shape)` normalizes over the trailing axes named by "
                  "`normalized_shape` only.",
                  _only("layer", _as({"C", "H", "W"}), lambda p: len(p["normalized_shape"]) < 3)),
    Misconception("instance_over_batch", "Instance norm over the batch",
                  "Instance norm keeps one statistic per sample *and* channel: it averages over H, W "
                  "only, never over N.",
                  _only("instance", _as({"N", "H", "W"}))),
    Misconception("instance_over_channels", "Instance norm over all channels",
                  "Instance norm normalizes each channel of each sample separately; pooling C, H, W "
                  "of one sample is layer norm.",
                  _only("instance", _as({"C", "H", "W"}))),
    Misconception("group_all_channels", "Group norm over all channels",
                  "A GroupNorm statistic covers only the C/G channels of one group, not all C.",
                  _only("group", _as({"C", "H", "W"}), lambda p: p["num_groups"] > 1)),
    Misconception("group_count_swapped", "Used G channels per group",
                  "num_groups is the number of groups; each group holds C / num_groups channels.",
                  _only("group", _group_count_swapped)),
    Misconception("group_as_instance", "Group norm per channel",
                  "A GroupNorm statistic pools all C/G channels of a group, not one channel.",
                  _only("group", _as({"H", "W"}), lambda p: p["shape"][1] > p["num_groups"])),
)
