"""Level calibration: per family and level, variety, no degenerate draws, and easy < medium < hard.

Measured over the first 200 seeds of every level:

- **distinct**: how many different answer keys the level produces (at least 50, or the floor
  given in `FEWER` with the reason the level cannot have more);
- **degenerate**: draws whose key says nothing (an all-zero array, an operation count of 0, a
  single output position, an identity at evaluation where the level is about training...);
- **steps**: the work a solution takes, counted from the parameters (dimensions worked out,
  non-default settings, layers, products or entries to compute), never from the key;
- **size**: how big the numbers of the key are (significant digits of its largest entry, so
  that 0.25 and 25 weigh the same).

Steps and size must not decrease from easy to medium to hard, and at least one of them must
grow at each step. `python -m pytest tests/families/test_levels.py -s` prints the table.
"""

from __future__ import annotations

import json
from math import prod
from statistics import mean
from typing import Any, Callable

import pytest

from quizsvc import families

SEEDS = range(200)
MIN_DISTINCT = 50

# (family, level) -> (floor, why the level cannot reach MIN_DISTINCT keys).
FEWER: dict[tuple[str, str], tuple[int, str]] = {
    ("receptive_field", "easy"): (
        24, "the key is one integer, the field of a stride-1 stack of 2 to 4 convolutions "
            "(odd, 3 to 41: 20 values), or a layer count with its fraction (k = 3 or 5, 2 to 6 "
            "layers: 10 pairs), so the level has 30 keys in all; a wider easy level would need "
            "strides or dilations, which are what the medium level adds"),
    ("which_norm", "easy"): (
        14, "the key is a name and a count: batch or layer norm (medium adds instance and group "
            "norm) on a block of N, C in 2..4 and H, W in 2..3 small enough to draw, so the count "
            "N*H*W or C*H*W takes 7 values (8, 12, 16, 18, 24, 27, 36) per name: 14 keys in all"),
    # The concept bank has 33 single-choice questions (the key is the right option's text) and 3
    # multiple-answer ones (the key is yes/no per option shown, in shuffled order).
    ("concepts", "easy"): (
        35, "at most 37 keys: the 33 right texts, and the 4 places of the one distractor among "
            "4 options shown of a multiple-answer question"),
    ("concepts", "medium"): (
        40, "at most 47 keys: the 33 right texts, and 14 yes/no patterns (2 distractors among 5 "
            "options in 10 orders, 1 among 4 in 4)"),
    ("concepts", "hard"): (
        40, "at most 47 keys: the 33 right texts, and the same 14 yes/no patterns as at the "
            "medium level (every option shown)"),
}


def _flat(value: Any) -> list:
    if isinstance(value, dict):
        return [v for x in value.values() for v in _flat(x)]
    if isinstance(value, (list, tuple)):
        return [v for x in value for v in _flat(x)]
    return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else []


def _digits(v: float) -> int:
    """Return the significant digits of a number as a person writes it (0.25 -> 2, 1200 -> 4)."""
    text = f"{abs(v):.6g}" if isinstance(v, float) and not float(v).is_integer() else str(int(abs(v)))
    return len(text.replace(".", "").lstrip("0")) or 1


def size(key: dict[str, Any]) -> int:
    return max((_digits(v) for v in _flat(key)), default=1)


# -- steps: the work of a solution, from the parameters ------------------------------------
def _settings(p: dict[str, Any]) -> int:
    """Count the non-default settings of a layer, dimension by dimension."""
    n = sum(v > 1 for key in ("stride", "dilation") for v in p.get(key, []))
    n += sum(v > 0 for key in ("padding", "output_padding") for v in _flat(p.get(key, [])))
    n += int(p.get("groups", 1) > 1) + int(bool(p.get("ceil_mode")))
    kernel = p.get("kernel_size")
    if isinstance(kernel, list) and len(set(kernel)) > 1:
        n += 1  # a non-square kernel: every dimension is its own computation
    return n


def _ndim(p: dict[str, Any]) -> int:
    for key in ("in_size", "kernel_size"):
        if isinstance(p.get(key), list):
            return len(p[key])
    if isinstance(p.get("in_shape"), list):
        return len(p["in_shape"]) - 2
    return 1


def _layer_steps(p: dict[str, Any]) -> int:
    return _ndim(p) + _settings(p)


def _tensor_steps(out_key: str) -> Callable[[dict[str, Any], dict[str, Any]], int]:
    """Products to compute: output entries times kernel taps, plus the settings."""
    def steps(p: dict[str, Any], key: dict[str, Any]) -> int:
        taps = len(_flat(p["kernel"])) if "kernel" in p else prod(p["kernel_size"])
        return len(_flat(key[out_key])) * taps + _settings(p)
    return steps


def _same_padding_steps(p, key):
    return sum(1 + (d * (k - 1)) % 2 + (d > 1) for k, d in zip(p["kernel_size"], p["dilation"]))


def _receptive_steps(p, key):
    if p["variant"] == "factorize":
        return 2 + (p["kernel_size"] != 3)
    return sum(1 + (layer["stride"] > 1) + (layer["dilation"] > 1) + (layer["type"] != "conv")
               for layer in p["layers"])


def _norm_steps(p, key):
    extra = {"batch": 0, "layer": 0, "instance": 1, "group": 2}[p["norm"]]
    return len(key["axes"]) + extra + (p["norm"] == "layer" and len(p["normalized_shape"]) < 3)


def _dropout_steps(p, key):
    return len(_flat(p["input"])) * (2 if p["training"] else 1)


def _batchnorm_steps(p, key):
    return len(p["x"]) * (3 if p["mode"] == "full" else 1)


def _shape_steps(p, key):
    return _layer_steps(p)


def _scalar_settings(p: dict[str, Any]) -> int:
    """Count the non-default settings of a 1D layer whose settings are plain numbers."""
    return (p.get("stride", 1) > 1) + (p.get("dilation", 1) > 1) + (p.get("padding", 0) != 0)


def _symbolic_steps(p, key):
    # The taps of the first and the last window, each placed by padding, stride and dilation.
    return 2 * p["kernel_size"] + _scalar_settings(p)


def _kernel_growth_steps(p, key):
    # One output length per kernel size asked, then the largest kernel and its output.
    return len(p["kernel_sizes"]) + 2 + _scalar_settings(p)


def _fc_neurons_steps(p, key):
    # The flattened input, then each layer's weights (and biases), then the sum of the layers.
    return 1 + len(p["neurons"]) * (1 + p["bias"]) + (len(p["neurons"]) > 1)


def _batchnorm_limits_steps(p, key):
    if p["case"] == "one":
        return 2 + (p["mode"] == "full")  # y_1 and its gradient; the variance term too
    return 3 + (p["grad_others"] != 0)  # the mean gradient, dL/dx_i, the limit


def _tikhonov_steps(p, key):
    # Every entry of X squared into a column norm, then w, Gamma and X Gamma^-1 per column.
    return len(_flat(p["X"])) + 3 * len(p["X"][0])


def _unshared_steps(p, key):
    nd = len(p["in_size"])
    padded = nd if p["padding"] == "same" else sum(v > 0 for v in p["padding"])
    # Counting only the taps on real inputs means counting, window by window, those on padding.
    return nd + sum(s > 1 for s in p["stride"]) + padded + (
        bool(padded) and p["convention"] == "real_taps")


def _which_norm_steps(p, key):
    # Recognise the shaded set (a group needs its size and the count of groups), then the count.
    return 1 + {"batch": 0, "layer": 0, "instance": 1, "group": 2}[p["norm"]] + 1


STEPS: dict[str, Callable[[dict[str, Any], dict[str, Any]], int]] = {
    "same_padding": _same_padding_steps,
    "toeplitz_matrix": lambda p, key: len(_flat(key["matrix"])) + _settings(p),
    "conv_forward": _tensor_steps("output"),
    "filter_recovery": lambda p, key: len(_flat(p["output"])) * prod(p["kernel_size"]) + _settings(p),
    "transpose_conv": _tensor_steps("output"),
    # Asked for the flipped kernel only, a student computes no output entry.
    "flip_convolution": lambda p, key: (len(_flat(key["output"])) if "output" in key else 1)
    * len(_flat(p["kernel"])) + _settings(p),
    "receptive_field": _receptive_steps,
    "normalization_axes": _norm_steps,
    "batchnorm_grad": _batchnorm_steps,
    "dropout": _dropout_steps,
    "fc_param_count": _shape_steps,
    "conv_param_count": _shape_steps,
    "depthwise_separable": _shape_steps,
    "locally_connected": _shape_steps,
    "first_last_symbolic": _symbolic_steps,
    "conv_matrix_same": lambda p, key: len(_flat(key["matrix"])) + _settings(p),
    "unshared_matrix": _unshared_steps,
    "kernel_growth": _kernel_growth_steps,
    "fc_neurons": _fc_neurons_steps,
    "batchnorm_limits": _batchnorm_limits_steps,
    "dropout_tikhonov": _tikhonov_steps,
    "which_norm": _which_norm_steps,
    # One judgement per option shown.
    "concepts": lambda p, key: len(p["options"]),
}


# -- degenerate draws -----------------------------------------------------------------------
def _all_zero_array(p, key, spec) -> bool:
    return any(f["kind"] in ("vector", "matrix") and not any(_flat(key[f["name"]])) for f in spec)


def _single_position(shape: list[int]) -> bool:
    return prod(shape) == 1


DEGENERATE: dict[str, Callable[[dict[str, Any], dict[str, Any], list], bool]] = {
    "conv_output_shape": lambda p, key, spec: _single_position(key["shape"][1:]),
    "pooling_output_shape": lambda p, key, spec: _single_position(key["shape"]),
    "backprop_shapes": lambda p, key, spec: _single_position(key["output"][2:]),
    "conv_flops": lambda p, key, spec: key["additions"] == 0 or key["multiplications"] == 0,
    "same_padding": lambda p, key, spec: not any(_flat(key["padding"])),
    "receptive_field": lambda p, key, spec: key.get("receptive_field", 2) == 1,
    # In evaluation mode the key is the input itself: fine now and then, degenerate in bulk.
    "dropout": lambda p, key, spec: p["training"] and all(_flat(p["mask"])),
}

# Share of evaluation-mode draws allowed per dropout level (the identity answer).
DROPOUT_EVAL_SHARE = {"easy": 0.35, "medium": 0.3, "hard": 0.2}


def measure(name: str) -> dict[str, dict[str, Any]]:
    """Return the figures of every level of family `name`."""
    family = families.get(name)
    steps_of = STEPS.get(name, lambda p, key: _layer_steps(p))
    degenerate = DEGENERATE.get(name, lambda p, key, spec: False)
    out = {}
    for level in family.levels:
        keys, steps, sizes, bad, evals = set(), [], [], [], 0
        for seed in SEEDS:
            problem = family.generate(seed, level)
            p, key = problem.params, problem.answer
            keys.add(json.dumps(key, sort_keys=True))
            steps.append(steps_of(p, key))
            sizes.append(size(key))
            if degenerate(p, key, problem.answer_spec) or _all_zero_array(p, key, problem.answer_spec):
                bad.append(seed)
            evals += name == "dropout" and not p["training"]
        out[level] = {"distinct": len(keys), "steps": mean(steps), "size": mean(sizes),
                      "degenerate": bad, "eval_share": evals / len(SEEDS)}
    return out


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, dict[str, Any]]]:
    table = {name: measure(name) for name in families.names()}
    print("\nfamily                 level   distinct  steps   size  degenerate")
    for name, levels in table.items():
        for level, f in levels.items():
            print(f"{name:<22} {level:<7} {f['distinct']:>8} {f['steps']:>6.2f} {f['size']:>6.2f}"
                  f"  {len(f['degenerate'])}")
    return table


@pytest.mark.parametrize("name", families.names())
def test_levels_have_enough_distinct_keys(figures, name):
    for level, f in figures[name].items():
        floor, why = FEWER.get((name, level), (MIN_DISTINCT, ""))
        assert f["distinct"] >= floor, (
            f"{name} {level}: {f['distinct']} distinct keys in {len(SEEDS)} seeds, "
            f"expected at least {floor}" + (f" ({why})" if why else ""))


@pytest.mark.parametrize("name", families.names())
def test_no_degenerate_draws(figures, name):
    for level, f in figures[name].items():
        assert not f["degenerate"], f"{name} {level}: degenerate draws at seeds {f['degenerate'][:10]}"


@pytest.mark.parametrize("name", families.names())
def test_levels_grow_in_steps_and_size(figures, name):
    levels = list(figures[name].values())
    names = list(figures[name])
    for (a, fa), (b, fb) in zip(zip(names, levels), zip(names[1:], levels[1:])):
        assert fb["steps"] >= fa["steps"] and fb["size"] >= fa["size"], (
            f"{name}: {b} ({fb['steps']:.2f} steps, size {fb['size']:.2f}) is not at least "
            f"{a} ({fa['steps']:.2f} steps, size {fa['size']:.2f})")
        assert fb["steps"] > fa["steps"] or fb["size"] > fa["size"], (
            f"{name}: {b} is no harder than {a}")


def test_dropout_is_mostly_training():
    """The evaluation-mode identity is one idea: a minority of draws, fewest at the hard level."""
    levels = measure("dropout")
    for level, share in DROPOUT_EVAL_SHARE.items():
        assert 0 < levels[level]["eval_share"] <= share, (level, levels[level]["eval_share"])


def test_floors_are_stated_with_reasons():
    for (name, level), (floor, why) in FEWER.items():
        assert name in families.names() and level in families.get(name).levels
        assert floor < MIN_DISTINCT and len(why) > 20
