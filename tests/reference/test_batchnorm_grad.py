"""Reference 004 Q4: the mean-only batch norm y_i = gamma (x_i - mu) + beta, restated with numbers.

The document's formula dL/dx_i = gamma (dL/dy_i - (1/n) sum_j dL/dy_j) and its value 0 for
n = 1 are right. Its limit for n -> infinity, gamma dL/dy_i "assuming all relevant quantities
are bounded" (accepted as correct in the transcript), is not: bounded upstream gradients do not
make their batch mean vanish. What vanishes is one sample's weight 1/n in the mean.
"""

from quizsvc import families

FAMILY = families.get("batchnorm_grad")


def test_004_q4_batch_of_one_gives_zero():
    """n = 1: y_1 = gamma (x_1 - x_1) + beta = beta does not depend on x_1, so dL/dx_1 = 0."""
    params = {"mode": "mean_only", "x": [5], "grad_y": [3], "gamma": 2, "beta": 1}
    assert FAMILY.solve(params) == {"grad_x": [0.0]}
    # Answering gamma * dL/dy (the n -> infinity value) is the forgotten mean term.
    assert FAMILY.check(params, "6").misconception == "forgot_mean_term"


def test_004_q4_general_formula_with_numbers():
    """n = 4, gamma = 3: mean of dL/dy is (2 - 1 + 4 + 3)/4 = 2, so dL/dx = 3 * (0, -3, 2, 1)."""
    params = {"mode": "mean_only", "x": [1.5, -2, 0, 7], "grad_y": [2, -1, 4, 3], "gamma": 3}
    assert FAMILY.solve(params) == {"grad_x": [0.0, -9.0, 6.0, 3.0]}


def test_004_q4_bounded_gradients_need_not_tend_to_gamma_times_upstream():
    """The transcript's limit is wrong: with dL/dy_j = 1 for all j (bounded), dL/dx = 0 for
    every n, never gamma * 1."""
    for n in (2, 4, 8, 16):
        key = FAMILY.solve({"mode": "mean_only", "x": list(range(n)), "grad_y": [1] * n, "gamma": 2})
        assert key == {"grad_x": [0.0] * n}


def test_004_q4_large_batch_tends_to_gamma_times_upstream():
    """The limit holds when the mean upstream gradient vanishes: one gradient of 1 among n zeros."""
    for n in (2, 4, 8, 16):
        g = [1] + [0] * (n - 1)
        key = FAMILY.solve({"mode": "mean_only", "x": list(range(n)), "grad_y": g, "gamma": 2})
        assert abs(key["grad_x"][0] - 2 * (1 - 1 / n)) < 1e-9
        assert abs(key["grad_x"][1] + 2 / n) < 1e-9
