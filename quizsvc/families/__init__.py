"""The registry of problem families: `names()` and `get(name)`.

Adding a family means adding its module beside this file and one line here.
"""

from __future__ import annotations

import difflib
import importlib

from quizsvc.errors import NotFoundError
from quizsvc.families.base import LEVELS, Family
from quizsvc.families.contract import FamilyModule, check_module

# name -> module under quizsvc.families, in the order they are taught.
_REGISTRY: dict[str, str] = {
    "conv_output_shape": "conv_output_shape",
    "same_padding": "same_padding",
    "conv_param_count": "conv_param_count",
    "fc_param_count": "fc_param_count",
    "depthwise_separable": "depthwise_separable",
    "locally_connected": "locally_connected",
    "toeplitz_matrix": "toeplitz_matrix",
    "conv_forward": "conv_forward",
    "filter_recovery": "filter_recovery",
    "transpose_conv": "transpose_conv",
    "conv_flops": "conv_flops",
    "backprop_shapes": "backprop_shapes",
    "receptive_field": "receptive_field",
    "pooling_output_shape": "pooling_output_shape",
    "flip_convolution": "flip_convolution",
    "normalization_axes": "normalization_axes",
    "batchnorm_grad": "batchnorm_grad",
    "dropout": "dropout",
    "first_last_symbolic": "first_last_symbolic",
    "conv_matrix_same": "conv_matrix_same",
    "unshared_matrix": "unshared_matrix",
    "kernel_growth": "kernel_growth",
    "fc_neurons": "fc_neurons",
    "batchnorm_limits": "batchnorm_limits",
    "dropout_tikhonov": "dropout_tikhonov",
    "which_norm": "which_norm",
    "concepts": "concepts",
}

_LOADED: dict[str, Family] = {}


def names() -> list[str]:
    """Return the names of every family, in teaching order."""
    return list(_REGISTRY)


def get(name: str) -> Family:
    """Return the family called `name`, or raise `NotFoundError`."""
    family = _LOADED.get(name)
    if family is None:
        given, name = name, name.strip().lower()  # case and surrounding space do not matter
        if name not in _REGISTRY:
            near = difflib.get_close_matches(name, list(_REGISTRY), n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]!r}?" if near else "."
            raise NotFoundError(f"no problem family named {given!r}{hint} "
                                f"The families are: {', '.join(_REGISTRY)}.",
                                errors={"family": "unknown", "closest": near[0] if near else None,
                                        "allowed": list(_REGISTRY)})
        if name in _LOADED:
            return _LOADED[name]
        module: FamilyModule = check_module(
            importlib.import_module(f"quizsvc.families.{_REGISTRY[name]}"))
        family = _LOADED[name] = Family(module)  # type: ignore[arg-type]  # a module
    return family


def all_families() -> list[Family]:
    """Return every family, loaded."""
    return [get(n) for n in names()]


__all__ = ["LEVELS", "Family", "FamilyModule", "names", "get", "all_families"]
