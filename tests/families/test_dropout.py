"""dropout: keys against NumPy masking, and against the scale `F.dropout` itself applies."""

import numpy as np
import pytest

from quizsvc import families
from tests.families.harness import FamilySuite


class TestDropout(FamilySuite):
    name = "dropout"
    bad_params = [
        ({"p": 1, "input": [1, 2], "mask": [0, 0]}, "below 1"),
        ({"p": -0.1, "input": [1, 2], "mask": [0, 1]}, "between"),
        ({"p": 0.5, "input": [1, 2, 3], "mask": [0, 1]}, "shape"),
        ({"p": 0.5, "input": [[1, 2], [3, 4]], "mask": [1, 0, 1, 1]}, "mask"),
        ({"p": 0.5, "input": [1, 2], "mask": [2, 1]}, "0 (dropped)"),
        ({"p": 0, "input": [1, 2], "mask": [0, 1]}, "nothing is dropped"),
        ({"p": 0.5, "input": list(range(40)), "mask": [1] * 40}, "too large"),
        ({"p": 0.5, "input": [1, 2], "mask": [0, 1], "training": "yes"}, "training"),
    ]

    def independent(self, params):
        x = np.array(params["input"], dtype=float)
        keep = np.array(params["mask"]).astype(bool)
        if not params["training"]:
            return {"output": x.tolist()}
        # Each kept unit survives with probability 1 - p; weight it by the inverse of that.
        out = np.zeros_like(x)
        out[keep] = x[keep] / (1.0 - params["p"])
        return {"output": out.tolist()}

    def torch_key(self, params):
        import torch
        import torch.nn.functional as F
        x = torch.tensor(params["input"], dtype=torch.float64)
        if not params["training"]:
            return {"output": F.dropout(x, params["p"], training=False).tolist()}
        # Read the factor PyTorch gives a surviving unit off its own output, then apply our mask.
        probe = F.dropout(torch.ones(4096, dtype=torch.float64), params["p"], training=True)
        scale = probe.max().item()
        assert torch.all((probe == 0) | (probe == scale))
        mask = torch.tensor(params["mask"], dtype=torch.float64)
        return {"output": (x * mask * scale).tolist()}


def test_module_and_functional_agree_on_eval_identity():
    torch = pytest.importorskip("torch")
    layer = torch.nn.Dropout(p=0.4).eval()
    x = torch.tensor([1.5, -2.0, 3.0], dtype=torch.float64)
    assert torch.equal(layer(x), x)
    key = families.get("dropout").solve({"p": 0.4, "input": [1.5, -2.0, 3.0], "mask": [0, 1, 0],
                                          "training": False})
    assert key["output"] == [1.5, -2.0, 3.0]


def test_worked_example_train():
    """p = 0.25 keeps 3 of 4 units on average, so the survivors are multiplied by 4/3."""
    fam = families.get("dropout")
    params = {"p": 0.25, "input": [3, -6, 9, 12], "mask": [1, 0, 1, 1], "training": True}
    assert fam.solve(params) == {"output": [4.0, 0.0, 12.0, 16.0]}
    grade = fam.check(params, "[3, 0, 9, 12]")
    assert grade.misconception == "forgot_to_scale"
    grade = fam.check(params, "4 0 12 16")
    assert grade.correct
