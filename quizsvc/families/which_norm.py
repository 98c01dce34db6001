"""Which normalization is this? A figure of an (N, C, H*W) block with one statistic shaded.

The inverse of `normalization_axes` (and the question of transcript 004, Q3, whose chatbot
could not see the diagram): from the set of entries one mean and variance are computed over,
name the layer, with its group count for group norm, and count the values in the set.

- BatchNorm2d: one channel, every sample and position (N, H, W).
- LayerNorm over (C, H, W): one sample, every channel and position.
- InstanceNorm2d: one sample and one channel, every position (H, W).
- GroupNorm(G): one sample, the C/G channels of one group, every position; 1 < G < C here, so
  that the answer is unique (G = 1 is layer norm, G = C instance norm).
"""

from __future__ import annotations

from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.buggy import differs
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.families.rng import Sampler
from quizsvc.figures.normalization import describe, shaded_set

NAME = "which_norm"
VERSION = 2
TOPIC = "Normalization"

NORMS = ("batch", "layer", "instance", "group")
MAX_N, MAX_C, MAX_SIDE = 8, 16, 32


def proper_divisors(c: int) -> list[int]:
    return [g for g in range(2, c) if c % g == 0]


def choices(c: int) -> tuple[str, ...]:
    return ("BatchNorm2d", "LayerNorm", "InstanceNorm2d",
            *(f"GroupNorm({g})" for g in proper_divisors(c)))


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw batch or layer norm on a small block (easy), any of the four (medium, hard)."""
    if level == "easy":
        norm = rng.choice(("batch", "layer"))
        shape = [rng.between(2, 4), rng.between(2, 4), rng.between(2, 3), rng.between(2, 3)]
    else:
        norm = rng.choice(NORMS)
        cs = (4, 6, 8) if level == "medium" else (6, 8, 9, 10, 12, 16)
        side = (3, 4, 5) if level == "medium" else (3, 4, 5, 7, 8)
        c = rng.choice(cs) if norm == "group" else rng.between(2, max(cs))
        shape = [rng.between(2, 6), c, rng.choice(side), rng.choice(side)]
    out: dict[str, Any] = {"norm": norm, "shape": shape}
    if norm == "group":
        out["num_groups"] = rng.choice(proper_divisors(shape[1]))
    return out


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; group norm needs 1 < num_groups < C dividing C."""
    P.only_keys(params, ("norm", "shape"), ("num_groups",))
    norm = P.one_of(params, "norm", NORMS)
    shape = params["shape"]
    if not isinstance(shape, list) or len(shape) != 4:
        raise ParamError(f"shape must be a list of 4 sizes [N, C, H, W], got {shape!r}",
                         errors={"shape": "expected [N, C, H, W]"})
    limits = (MAX_N, MAX_C, MAX_SIDE, MAX_SIDE)
    shape = [P.integer({"shape": v}, "shape", 2, hi) for v, hi in zip(shape, limits)]
    out: dict[str, Any] = {"norm": norm, "shape": shape}
    if norm != "group":
        if "num_groups" in params:
            raise ParamError("num_groups applies only to norm='group'",
                             errors={"num_groups": "not applicable"})
        return out
    g = P.integer(params, "num_groups", 2, shape[1])
    if g >= shape[1] or shape[1] % g:
        raise ParamError(f"num_groups must divide the {shape[1]} channels and be between 2 and "
                         f"{shape[1] - 1} (1 group is layer norm, C groups instance norm)",
                         errors={"num_groups": "must be a proper divisor of C"})
    out["num_groups"] = g
    return out


def _name(norm: str, groups: int | None = None) -> str:
    return {"batch": "BatchNorm2d", "layer": "LayerNorm", "instance": "InstanceNorm2d"}.get(
        norm, f"GroupNorm({groups})")


def _count(norm: str, shape: list[int], groups: int | None = None) -> int:
    n, c, h, w = shape
    return {"batch": n, "layer": c, "instance": 1}.get(norm, c // (groups or 1)) * h * w


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"norm": the layer's name, "count": values one statistic averages}``."""
    g = params.get("num_groups")
    return {"norm": _name(params["norm"], g), "count": _count(params["norm"], params["shape"], g)}


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("norm", "choice", "The normalization", choices(params["shape"][1])),
            AnswerField("count", "integer", "Number of values one mean averages")]


def prompt(params: dict[str, Any]) -> str:
    n, c, h, w = params["shape"]
    cells = shaded_set(params["norm"], params["shape"], params.get("num_groups"))
    return ("The figure shows a batch of activations of shape $(N, C, H, W) = "
            f"({n}, {c}, {h}, {w})$ as a block: samples $N$ across, channels $C$ in depth, the "
            "$H \\cdot W$ positions of a feature map down. The shaded entries are the ones a "
            "normalization layer computes **one** mean and variance over.\n\n"
            f"In words: {describe(params['shape'], cells)}\n\n"
            "1. Which normalization is it (for group norm, with how many groups)?\n"
            "2. How many values does one mean average?")


_WHY = {
    "batch": "One channel across every sample and position: batch norm keeps one statistic per "
             "channel, over (N, H, W).",
    "layer": "One sample across every channel and position: layer norm over (C, H, W) keeps one "
             "statistic per sample.",
    "instance": "One sample and one channel, every position: instance norm keeps one statistic per "
                "feature map, over (H, W).",
}


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    n, c, h, w = params["shape"]
    if params["norm"] == "group":
        g = params["num_groups"]
        why = (f"One sample, {c // g} of the {c} channels, every position: group norm with groups "
               f"of {c // g} channels, so $G = {c}/{c // g} = {g}$ groups.")
        factors = f"{c // g} \\times {h} \\times {w}"
    else:
        why = _WHY[params["norm"]]
        first = {"batch": n, "layer": c, "instance": None}[params["norm"]]
        factors = (f"{first} \\times " if first else "") + f"{h} \\times {w}"
    return f"{why}\n\n- **{key['norm']}**\n- values per statistic: ${factors} = {key['count']}$"


def _as(norm_of):
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        out = norm_of(p)
        if out is None:
            return None
        norm, groups = out
        return {"norm": _name(norm, groups), "count": _count(norm, p["shape"], groups)}
    return solve_buggy


_SWAP = {"batch": "layer", "layer": "batch"}
_IB = {"batch": "instance", "instance": "batch"}


def _inverted(p: dict[str, Any]) -> tuple[str, int] | None:
    if p["norm"] != "group":
        return None
    other = p["shape"][1] // p["num_groups"]
    return None if other == p["num_groups"] else ("group", other)


def _no_positions(p: dict[str, Any]) -> dict[str, Any]:
    key = solve(p)
    h, w = p["shape"][2:]
    return {"count": key["count"] // (h * w)}


MISCONCEPTIONS = (
    Misconception("batch_layer_swapped", "Swapped batch norm and layer norm",
                  "Batch norm pools one channel over the batch (N, H, W); layer norm pools one "
                  "sample over its features (C, H, W).",
                  differs(solve, _as(lambda p: (_SWAP[p["norm"]], None) if p["norm"] in _SWAP else None))),
    Misconception("instance_batch_confused", "Confused instance norm and batch norm",
                  "Both keep one statistic per channel, but batch norm pools that channel over "
                  "every sample, instance norm over one sample only.",
                  differs(solve, _as(lambda p: (_IB[p["norm"]], None) if p["norm"] in _IB else None))),
    Misconception("group_count_inverted", "Gave the channels per group as the group count",
                  "GroupNorm(G) splits the C channels into G groups of C/G; the shaded block is "
                  "one group, so G is C divided by the channels shaded.",
                  differs(solve, _as(_inverted))),
    Misconception("group_as_layer", "Took a group for all the channels",
                  "Only some of the channels are shaded: a statistic of group norm covers one "
                  "group, one of layer norm all channels.",
                  differs(solve, _as(lambda p: ("layer", None) if p["norm"] == "group" else None))),
    Misconception("count_without_positions", "Left the positions out of the count",
                  "A statistic averages over every position H x W of the shaded feature maps too.",
                  differs(solve, _no_positions)),
)
