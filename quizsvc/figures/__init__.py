"""Figures drawn from a problem's parameters, keyed by family name.

`figures_for(family, params, key)` returns the `Figure`s of one problem: SVG drawn with drawsvg,
each with a text alternative. A figure in the prompt (``part="prompt"``) shows what the question
states and never its answer; one in the worked solution (``part="solution"``) follows the key's
visibility. A family without a drawer has no figures.
"""

from __future__ import annotations

import importlib
from typing import Any

from quizsvc.families.problem import Figure

# family -> module under quizsvc.figures that draws its figures.
_DRAWERS: dict[str, str] = {
    "conv_forward": "windows",
    "first_last_symbolic": "windows",
    "transpose_conv": "transpose",
    "toeplitz_matrix": "band",
    "conv_matrix_same": "band",
    "pooling_output_shape": "pooling",
    "receptive_field": "receptive",
    "normalization_axes": "normalization",
    "which_norm": "normalization",
}


def has_figures(family: str) -> bool:
    """Return whether problems of `family` carry figures."""
    return family in _DRAWERS


def figures_for(family: str, params: dict[str, Any], key: dict[str, Any]) -> list[Figure]:
    """Return the figures of one problem of `family` (empty for a family without a drawer)."""
    module = _DRAWERS.get(family)
    if module is None:
        return []
    return importlib.import_module(f"quizsvc.figures.{module}").draw(family, params, key)


__all__ = ["Figure", "figures_for", "has_figures"]
