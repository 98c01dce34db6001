"""Transcript 004 question 6: dropout on linear regression as Tikhonov regularisation.

The transcript keeps each feature with probability p (Bernoulli(p)), the opposite of
PyTorch's drop probability; we state it. Its answers: Gamma~_jj = ||X_:,j|| (right), w = p w~
(right), Gamma = sqrt((1-p)/p) Gamma~ and equal column norms sqrt(p/(1-p)) for X Gamma^-1
(right). The transcript has no concrete X; we take the columns (3, 4) and (1, 2, 2)-like ones.
"""

from math import sqrt

from quizsvc import families

FAMILY = families.get("dropout_tikhonov")


def test_transcript_004_q6_on_a_concrete_x():
    params = {"X": [[3, 0], [4, 5]], "p": 0.8, "w_dropout": [1, -2]}
    key = FAMILY.solve(params)
    assert key["gamma_tilde"] == [5.0, 5.0]
    assert key["w"] == [0.8, -1.6]
    assert key["gamma"] == [round(5 * sqrt(0.25), 9)] * 2 == [2.5, 2.5]
    assert key["col_norms"] == [2.0, 2.0]  # sqrt(0.8 / 0.2), the same for every column
    # Taking Gamma = Gamma~ (unit columns) is the catalogued mistake.
    grade = FAMILY.check(params, {**key, "gamma": [5, 5], "col_norms": [1, 1]})
    assert grade.misconception == "gamma_is_tilde"
