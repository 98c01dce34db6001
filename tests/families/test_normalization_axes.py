"""normalization_axes: keys against which entries share a statistic, found two other ways.

`independent` marks the entries that belong to the same statistic as entry (0, 0, 0, 0) from
the documented owner of each statistic (a channel, a sample, a sample-channel pair, a
sample-group pair). `torch_key` asks PyTorch itself: the output at (0, 0, 0, 0) depends, through
the mean and variance, on exactly the inputs its statistic is computed over, so the non-zero
entries of its gradient are that set.
"""

import numpy as np
import pytest

from quizsvc import families
from tests.families.harness import FamilySuite

AXES = "NCHW"


def _key_from_mask(mask: np.ndarray) -> dict:
    axes = [AXES[d] for d in range(4)
            if np.count_nonzero(mask.any(axis=tuple(o for o in range(4) if o != d))) > 1]
    return {"axes": axes, "count": int(mask.sum())}


class TestNormalizationAxes(FamilySuite):
    name = "normalization_axes"
    bad_params = [
        ({"norm": "weight", "shape": [2, 3, 4, 4]}, "norm must be one of"),
        ({"norm": "batch", "shape": [2, 3, 4]}, "[N, C, H, W]"),
        ({"norm": "batch", "shape": [1, 3, 4, 4]}, "between 2"),
        ({"norm": "group", "shape": [2, 6, 4, 4], "num_groups": 4}, "does not divide"),
        ({"norm": "group", "shape": [2, 6, 4, 4]}, "needs num_groups"),
        ({"norm": "batch", "shape": [2, 6, 4, 4], "num_groups": 2}, "applies only"),
        ({"norm": "layer", "shape": [2, 6, 4, 5], "normalized_shape": [6, 4]}, "last 1 to 3"),
        ({"norm": "layer", "shape": [2, 6, 4, 5], "normalized_shape": [2, 6, 4, 5]}, "last 1 to 3"),
        ({"norm": "instance", "shape": [2, 6, 4, 10**6]}, "shape"),
    ]

    def independent(self, params):
        n, c, h, w = params["shape"]
        idx = np.indices((n, c, h, w), sparse=True)
        norm = params["norm"]
        if norm == "batch":      # one statistic per channel
            owners = [idx[1]]
        elif norm == "instance":  # one per (sample, channel)
            owners = [idx[0], idx[1]]
        elif norm == "group":     # one per (sample, group of consecutive channels)
            owners = [idx[0], idx[1] // (c // params["num_groups"])]
        else:                     # one per sample and per index of the axes left unnormalized
            owners = idx[:4 - len(params["normalized_shape"])]
        mask = np.ones((n, c, h, w), dtype=bool)
        for owner in owners:
            mask &= owner == 0
        return _key_from_mask(mask)

    def torch_key(self, params):
        import torch
        n, c, h, w = shape = params["shape"]
        layer = {
            "batch": lambda: torch.nn.BatchNorm2d(c, dtype=torch.float64).train(),
            "layer": lambda: torch.nn.LayerNorm(params["normalized_shape"], dtype=torch.float64),
            "instance": lambda: torch.nn.InstanceNorm2d(c, dtype=torch.float64),
            "group": lambda: torch.nn.GroupNorm(params["num_groups"], c, dtype=torch.float64),
        }[params["norm"]]()
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(*shape, dtype=torch.float64, generator=gen, requires_grad=True)
        layer(x)[0, 0, 0, 0].backward()
        return _key_from_mask((x.grad != 0).numpy())


def test_count_tells_group_norm_from_layer_norm():
    fam = families.get("normalization_axes")
    group = fam.solve({"norm": "group", "shape": [8, 32, 16, 16], "num_groups": 4})
    layer = fam.solve({"norm": "layer", "shape": [8, 32, 16, 16]})
    assert group["axes"] == layer["axes"] == ["C", "H", "W"]
    assert (group["count"], layer["count"]) == (8 * 16 * 16, 32 * 16 * 16)
    grade = fam.check({"norm": "group", "shape": [8, 32, 16, 16], "num_groups": 4},
                      {"axes": "C, H, W", "count": 8192})
    assert grade.score == 0.5 and grade.misconception == "group_all_channels"


def test_group_norm_edge_cases_equal_instance_and_layer():
    fam = families.get("normalization_axes")
    shape = [4, 6, 5, 5]
    assert fam.solve({"norm": "group", "shape": shape, "num_groups": 6}) == \
        fam.solve({"norm": "instance", "shape": shape})
    assert fam.solve({"norm": "group", "shape": shape, "num_groups": 1}) == \
        fam.solve({"norm": "layer", "shape": shape})


@pytest.mark.parametrize("typed", ["NHW", "N, H, W", "[N, H, W]", "w h n", ["N", "H", "W"]])
def test_axes_typed_many_ways(typed):
    fam = families.get("normalization_axes")
    grade = fam.check({"norm": "batch", "shape": [8, 3, 4, 4]}, {"axes": typed, "count": 128})
    assert grade.correct, grade.feedback
