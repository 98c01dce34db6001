"""dropout_tikhonov: Gamma~ from the exact expectation over every dropout mask, then NumPy."""

import itertools

import numpy as np

from tests.families.harness import FamilySuite


def expected_penalty(x, p, j):
    """E ||(R * X) e_j||^2 - ||p X e_j||^2 over every mask of column j, weighted exactly."""
    col = [row[j] for row in x]
    total = 0.0
    for mask in itertools.product((0, 1), repeat=len(col)):
        weight = np.prod([p if m else 1 - p for m in mask])
        total += weight * sum((m * v) ** 2 for m, v in zip(mask, col))
    return total - sum((p * v) ** 2 for v in col)


def independent_key(params):
    x, p, wt = np.array(params["X"], dtype=float), params["p"], params["w_dropout"]
    cols = x.shape[1]
    tilde = [np.sqrt(expected_penalty(params["X"], p, j) / (p * (1 - p))) for j in range(cols)]
    # ||y - pXw~||^2 + p(1-p)||G~ w~||^2 = ||y - Xw||^2 + ||G w||^2 with w = p w~  =>  G = G~ sqrt((1-p)/p)
    w = [p * v for v in wt]
    gamma = [t * np.sqrt(p * (1 - p)) / p for t in tilde]
    scaled = x @ np.linalg.inv(np.diag(gamma))
    return {"gamma_tilde": tilde, "w": w, "gamma": gamma,
            "col_norms": list(np.linalg.norm(scaled, axis=0))}


class TestDropoutTikhonov(FamilySuite):
    name = "dropout_tikhonov"
    bad_params = [
        ({"X": [[1, 0], [2, 0]], "p": 0.5, "w_dropout": [1, 1]}, "all zeros"),
        ({"X": [[1, 2], [3, 4]], "p": 1, "w_dropout": [1, 1]}, "strictly between"),
        ({"X": [[1, 2], [3, 4]], "p": 0.5, "w_dropout": [1]}, "X has 2 columns"),
        ({"X": [1, 2], "p": 0.5, "w_dropout": [1]}, "list of rows"),
    ]

    def independent(self, params):
        return {k: [float(v) for v in vs] for k, vs in independent_key(params).items()}
