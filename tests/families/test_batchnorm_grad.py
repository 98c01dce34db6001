"""batchnorm_grad: keys against complex-step differentiation of the forward pass, and autograd.

`independent` never uses the gradient formula: it runs the forward pass
``L = sum_i g_i * y_i(x)`` on complex inputs and reads each partial derivative off the
imaginary part of ``L(x + i h e_j)`` (complex-step differentiation, exact to rounding).
"""

import cmath

import pytest

from quizsvc import families
from tests.families.harness import FamilySuite

H = 1e-30


def _loss(params, x):
    n, gamma, beta = len(x), params["gamma"], params["beta"]
    mu = sum(x) / n
    if params["mode"] == "mean_only":
        y = [gamma * (v - mu) + beta for v in x]
    else:
        sigma = cmath.sqrt(sum((v - mu) ** 2 for v in x) / n + params["eps"])
        y = [gamma * (v - mu) / sigma + beta for v in x]
    return sum(g * v for g, v in zip(params["grad_y"], y))


class TestBatchnormGrad(FamilySuite):
    name = "batchnorm_grad"
    bad_params = [
        ({"mode": "full", "x": [3], "grad_y": [1], "gamma": 1}, "at least 2"),
        ({"mode": "full", "x": [2, 2, 2], "grad_y": [1, 0, 1], "gamma": 1, "eps": 0}, "divides by zero"),
        ({"mode": "full", "x": [1, 2, 3], "grad_y": [1, 0], "gamma": 1}, "one per output"),
        ({"mode": "mean_only", "x": [1, 2], "grad_y": [1, 0], "gamma": 1, "eps": 0}, "eps applies only"),
        ({"mode": "layer", "x": [1, 2], "grad_y": [1, 0], "gamma": 1}, "mode must be one of"),
        ({"mode": "full", "x": list(range(20)), "grad_y": [1] * 20, "gamma": 1}, "too large"),
        ({"mode": "full", "x": [1, 2], "grad_y": [1, 0], "gamma": "two"}, "gamma"),
        ({"mode": "full", "x": [1, 2], "grad_y": [1, 0], "gamma": 1, "eps": -1}, "eps"),
    ]

    def independent(self, params):
        x = [complex(v) for v in params["x"]]
        grad = []
        for j in range(len(x)):
            bumped = x[:j] + [x[j] + 1j * H] + x[j + 1:]
            grad.append(_loss(params, bumped).imag / H)
        return {"grad_x": grad}

    def torch_key(self, params):
        import torch
        x = torch.tensor(params["x"], dtype=torch.float64).reshape(-1, 1).requires_grad_()
        g = torch.tensor(params["grad_y"], dtype=torch.float64).reshape(-1, 1)
        if params["mode"] == "mean_only":
            y = params["gamma"] * (x - x.mean()) + params["beta"]
        else:
            # PyTorch refuses eps = 0 in training; 1e-300 is positive yet vanishes next to any
            # variance of these batches in float64, so it computes the eps = 0 normalization.
            bn = torch.nn.BatchNorm1d(1, eps=params["eps"] or 1e-300, track_running_stats=False,
                                      dtype=torch.float64).train()
            with torch.no_grad():
                bn.weight.fill_(params["gamma"])
                bn.bias.fill_(params["beta"])
            y = bn(x)
        y.backward(g)
        return {"grad_x": x.grad.reshape(-1).tolist()}


def test_batch_of_one_has_zero_gradient():
    """Reference 004 Q4: with n = 1 the mean-only BN outputs beta whatever x is."""
    key = families.get("batchnorm_grad").solve(
        {"mode": "mean_only", "x": [7], "grad_y": [3], "gamma": 2})
    assert key == {"grad_x": [0.0]}


def test_gradient_sums_to_zero_and_is_orthogonal_to_xhat():
    """Full BN output is invariant to shifting and scaling x, so dL/dx is orthogonal to 1 and x."""
    params = {"mode": "full", "x": [0.5, -1.0, 2.0, 3.5, 1.0], "grad_y": [1, -2, 0.5, 3, -1],
              "gamma": 1.7, "eps": 0}
    dx = families.get("batchnorm_grad").solve(params)["grad_x"]
    assert abs(sum(dx)) < 1e-8
    assert abs(sum(a * b for a, b in zip(dx, params["x"]))) < 1e-7


def test_default_eps_is_torch_default():
    fam = families.get("batchnorm_grad")
    params = fam.validate({"mode": "full", "x": [1, 2, 4], "grad_y": [1, 0, 0], "gamma": 1})
    assert params["eps"] == 1e-5


@pytest.mark.parametrize("answer,code", [
    ("[2, 4, -2, 4]", "forgot_mean_term"),
    ("0 1 -2 1", "forgot_gamma"),
])
def test_mean_only_mistakes_named(answer, code):
    params = {"mode": "mean_only", "x": [1, 2, 3, 4], "grad_y": [1, 2, -1, 2], "gamma": 2}
    fam = families.get("batchnorm_grad")
    assert fam.solve(params)["grad_x"] == [0.0, 2.0, -4.0, 2.0]
    grade = fam.check(params, answer)
    assert grade.misconception == code or code in grade.alternatives, grade.feedback


def test_eps_zero_problems_accept_pytorchs_default_eps():
    """The prompt of an eps = 0 problem says PyTorch's eps = 1e-5 changes the answer by less
    than the grading tolerance (PyTorch refuses eps = 0 in training): hold it to that."""
    fam = families.get("batchnorm_grad")
    seen = 0
    for level in fam.levels:
        for seed in range(500):
            p = fam.generate(seed, level)
            if p.params["mode"] != "full" or p.params["eps"] != 0:
                continue
            assert "requires $\\epsilon > 0$" in p.prompt
            with_default = fam.solve({**p.params, "eps": 1e-5})
            assert fam.check(p.params, with_default).correct, (seed, level)
            seen += 1
    assert seen > 100
