"""Transcript 004 question 4: mean-only batch norm for a batch of one, and as n grows.

The transcript's answers: dL/dx_1 = 0 for n = 1 (right), and dL/dx_i -> gamma dL/dy_i as
n -> infinity. The second holds when the loss depends on y_i alone (the other upstream
gradients 0, or averaging to 0); with the other upstream gradients all c, the limit is
gamma (dL/dy_i - c). Both are computed variants here.
"""

from quizsvc import families

FAMILY = families.get("batchnorm_limits")


def test_transcript_004_q4_batch_of_one_gives_zero():
    key = FAMILY.solve({"case": "one", "mode": "mean_only", "gamma": 3, "beta": 1, "x": 7,
                        "grad_y": 2})
    assert key == {"y": 1.0, "grad": 0.0}
    grade = FAMILY.check({"case": "one", "mode": "mean_only", "gamma": 3, "beta": 1, "x": 7,
                          "grad_y": 2}, {"y": 1, "grad": 6})
    assert grade.misconception == "forgot_mean_term"


def test_transcript_004_q4_limit_is_gamma_times_upstream_when_loss_needs_y_i_alone():
    params = {"case": "many", "mode": "mean_only", "gamma": 2, "grad_y": 3, "grad_others": 0}
    assert FAMILY.solve({**params, "n": 4}) == {"grad": 4.5, "limit": 6.0}
    assert FAMILY.solve({**params, "n": 10**6})["grad"] == round(2 * 3 * (1 - 1e-6), 9)
    assert FAMILY.solve({**params, "grad_others": 1, "n": 4})["limit"] == 4.0  # gamma (3 - 1)


def test_full_batch_norm_of_one_value_is_beta_with_zero_gradient():
    key = FAMILY.solve({"case": "one", "mode": "full", "gamma": 2.5, "beta": -1, "x": 3.3,
                        "grad_y": 1.7})
    assert key == {"y": -1.0, "grad": 0.0}
