"""Dropout on linear regression as Tikhonov regularisation, on a small concrete X (004 Q6).

Each feature is **kept** with probability p (the reference's convention: ``R_ij ~ Bernoulli(p)``;
PyTorch's ``nn.Dropout(p)`` *drops* with probability p). Then

    E ||y - (R * X) w~||^2 = ||y - p X w~||^2 + p(1 - p) ||Gamma~ w~||^2,

with ``Gamma~ = diag(||X_:,j||)``, the column norms. With ``w = p w~`` this is the generalised
ridge problem ``||y - X w||^2 + ||Gamma w||^2`` for ``Gamma = sqrt((1 - p)/p) Gamma~``, and the
columns of ``X Gamma^-1`` all have norm ``sqrt(p / (1 - p))``.
"""

from __future__ import annotations

from itertools import combinations
from math import sqrt
from typing import Any

from quizsvc.answers.tolerance import Tolerance, scale_of, tolerance_for
from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.buggy import differs
from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.families.render import bmatrix, num
from quizsvc.families.rng import Sampler

NAME = "dropout_tikhonov"
VERSION = 2
TOPIC = "Regularization"

TOLERANCE = Tolerance(sig=3)  # norms and square roots: 3 significant figures, like the other reals

# Integer columns with integer norms, to be permuted and signed at the easy level.
_COLUMNS = {2: ((3, 4), (6, 8), (5, 12), (0, 2)), 3: ((1, 2, 2), (2, 3, 6), (1, 4, 8), (2, 6, 9), (4, 4, 7))}


def _column(rng: Sampler, rows: int) -> list[int]:
    col = rng.shuffle(list(rng.choice(_COLUMNS[rows])))
    return [v * rng.choice((-1, 1)) for v in col]


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw a small X with integer column norms (easy), small integers (medium), decimals in a
    larger X (hard)."""
    while True:
        params = _draw(rng, level)
        if _apart(solve(params)):
            return params


# (rows, columns) of X per level: the hard level has the most norms to compute.
_SHAPES = {"easy": ((2, 3), (2, 2)), "medium": ((2, 4), (2, 3)), "hard": ((3, 4), (3, 3))}


def _draw(rng: Sampler, level: str) -> dict[str, Any]:
    (r0, r1), (c0, c1) = _SHAPES[level]
    rows, cols = rng.between(r0, r1), rng.between(c0, c1)
    if level == "easy":
        columns = [_column(rng, rows) for _ in range(cols)]
        p = rng.choice((0.5, 0.8, 0.2))
    else:
        draw = (lambda: rng.between(-5, 5)) if level == "medium" else (lambda: rng.between(-30, 30) / 10)
        columns = []
        while len(columns) < cols:
            col = [draw() for _ in range(rows)]
            if any(col):
                columns.append(col)
        p = rng.choice((0.5, 0.8, 0.2, 0.75, 0.25, 0.9) if level == "medium" else
                       (0.3, 0.4, 0.6, 0.7, 0.75, 0.9, 0.95))
    x = [[columns[j][i] for j in range(cols)] for i in range(rows)]
    w = [rng.choice((-4, -2, -1, 1, 2, 3, 5)) for _ in range(cols)]
    return {"X": x, "p": p, "w_dropout": w}


def _apart(key: dict[str, Any]) -> bool:
    """Whether two entries of a vector are either equal or told apart at the graded precision.

    Column norms of 3.480 and 3.484 are different numbers that the same answer, 3.48, gets right:
    the student could not show which is which, and a constant answer would earn credit for both.
    """
    for values in key.values():
        scale = scale_of(values)
        for a, b in combinations(values, 2):
            near = tolerance_for(a, TOLERANCE, scale) + tolerance_for(b, TOLERANCE, scale)
            if abs(a - b) > 1e-6 and (abs(a - b) <= near or TOLERANCE.bucket(a) == TOLERANCE.bucket(b)):
                return False
    return True


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; 0 < p < 1 and no column of zeros (Gamma must be invertible)."""
    P.only_keys(params, ("X", "p", "w_dropout"))
    x = P.tensor(params, "X", 2, max_side=8, integral=False)
    p = P.number(params, "p", 0, 1)
    if not 0 < p < 1:
        raise ParamError("p (the keep probability) must be strictly between 0 and 1",
                         errors={"p": "must be in (0, 1)"})
    w = P.tensor(params, "w_dropout", 1, max_side=8, integral=False)
    if len(w) != len(x[0]):
        raise ParamError(f"w_dropout has {len(w)} entries but X has {len(x[0])} columns",
                         errors={"w_dropout": "one weight per column"})
    if any(all(row[j] == 0 for row in x) for j in range(len(x[0]))):
        raise ParamError("a column of X is all zeros, so Gamma is not invertible",
                         errors={"X": "zero column"})
    return {"X": x, "p": p, "w_dropout": w}


def _clean(values: list[float]) -> list[float]:
    return [round(float(v), 9) + 0.0 for v in values]


def norms(x: list[list[float]], *, rows: bool = False, squared: bool = False) -> list[float]:
    lines = x if rows else [list(c) for c in zip(*x)]
    return [sum(v * v for v in line) ** (1 if squared else 0.5) for line in lines]


def _key(p: dict[str, Any], *, tilde: list[float] | None = None, factor: float | None = None,
         w_scale: float | None = None) -> dict[str, Any]:
    gt = norms(p["X"]) if tilde is None else tilde
    q = p["p"]
    f = sqrt((1 - q) / q) if factor is None else factor
    gamma = [f * g for g in gt]
    cols = [n / g for n, g in zip(norms(p["X"]), gamma)]
    return {"gamma_tilde": _clean(gt), "w": _clean([(q if w_scale is None else w_scale) * v
                                                    for v in p["w_dropout"]]),
            "gamma": _clean(gamma), "col_norms": _clean(cols)}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return the diagonals of Gamma~ and Gamma, w = p w~, and the column norms of X Gamma^-1."""
    return _key(params)


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("gamma_tilde", "vector", "Diagonal of Gamma~", tolerance=TOLERANCE),
            AnswerField("w", "vector", "The weights w of the ridge problem", tolerance=TOLERANCE),
            AnswerField("gamma", "vector", "Diagonal of Gamma", tolerance=TOLERANCE),
            AnswerField("col_norms", "vector", "Norms of the columns of X Gamma^-1",
                        tolerance=TOLERANCE)]


def prompt(params: dict[str, Any]) -> str:
    q = num(params["p"])
    return ("Linear regression minimises $\\|y - Xw\\|_2^2$. Dropout on the input features keeps "
            f"each entry of $X$ independently with probability $p = {q}$ (and zeroes it otherwise; "
            "note: $p$ is the **keep** probability here, while PyTorch's `nn.Dropout(p)` drops with "
            "probability $p$), with no rescaling during training. In expectation the objective is\n\n"
            r"$$\mathbb{E}_R \|y - (R \odot X)\tilde w\|_2^2 = \|y - pX\tilde w\|_2^2 + "
            r"p(1-p)\|\tilde\Gamma \tilde w\|_2^2$$" "\n\n"
            f"with $\\tilde\\Gamma$ diagonal. Take\n\n$$X = {bmatrix(params['X'])}, \\qquad "
            f"\\tilde w = {bmatrix(params['w_dropout'])}^T.$$\n\n"
            "1. What are the diagonal entries of $\\tilde\\Gamma$?\n"
            "2. Which $w$ (from the learned $\\tilde w$) solves the usual problem "
            "$\\|y - Xw\\|_2^2 + \\|\\Gamma w\\|_2^2$ with the same objective value?\n"
            "3. What are the diagonal entries of that $\\Gamma$?\n"
            "4. What are the norms of the columns of $X\\Gamma^{-1}$?")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    q = params["p"]
    f = sqrt((1 - q) / q)
    return "\n".join([
        "Row by row, $\\sum_j R_{ij}X_{ij}\\tilde w_j$ has mean $p(X\\tilde w)_i$ and variance "
        "$p(1-p)\\sum_j X_{ij}^2 \\tilde w_j^2$; summing over rows, the variance term is "
        "$p(1-p)\\sum_j \\|X_{:,j}\\|^2 \\tilde w_j^2$, so $\\tilde\\Gamma_{jj} = \\|X_{:,j}\\|_2$:",
        "", f"- $\\tilde\\Gamma = \\mathrm{{diag}}{bmatrix([round(v, 4) for v in key['gamma_tilde']])}$",
        f"- $w = p\\tilde w = {num(q)}\\,\\tilde w = {bmatrix(key['w'])}^T$ (then $pX\\tilde w = Xw$ "
        "and $p(1-p)\\|\\tilde\\Gamma\\tilde w\\|^2 = \\frac{1-p}{p}\\|\\tilde\\Gamma w\\|^2$)",
        f"- $\\Gamma = \\sqrt{{(1-p)/p}}\\,\\tilde\\Gamma = {num(round(f, 6))}\\,\\tilde\\Gamma = "
        f"\\mathrm{{diag}}{bmatrix([round(v, 4) for v in key['gamma']])}$",
        f"- column $j$ of $X\\Gamma^{{-1}}$ is $X_{{:,j}}/\\Gamma_{{jj}}$, of norm "
        f"$\\sqrt{{p/(1-p)}} = {num(round(1 / f, 6))}$ for **every** $j$: dropout equalises the "
        "columns' scales, much as batch normalization normalizes each feature."])


def _squared(p: dict[str, Any]) -> dict[str, Any]:
    return {"gamma_tilde": _clean(norms(p["X"], squared=True))}


def _rows(p: dict[str, Any]) -> dict[str, Any] | None:
    x = p["X"]
    if len(x) != len(x[0]):
        return None
    return {"gamma_tilde": _clean(norms(x, rows=True))}


MISCONCEPTIONS = (
    Misconception("squared_norms", "Used squared column norms",
                  "The regulariser is $\\|\\tilde\\Gamma \\tilde w\\|^2$, which squares the diagonal "
                  "itself: $\\tilde\\Gamma_{jj}$ is the norm $\\|X_{:,j}\\|$, not its square.",
                  differs(solve, _squared)),
    Misconception("row_norms", "Used the rows' norms",
                  "Weight $\\tilde w_j$ multiplies column $j$ of X: its penalty is that column's norm.",
                  differs(solve, _rows)),
    Misconception("divided_by_p", "Divided by p",
                  "The expected prediction is $pX\\tilde w$, so the equivalent weights are "
                  "$w = p\\tilde w$; dividing by p is what inverted dropout does to activations "
                  "during training, not what turns $\\tilde w$ into $w$.",
                  differs(solve, lambda p: {"w": _clean([v / p["p"] for v in p["w_dropout"]])})),
    Misconception("no_square_root", "Forgot the square root in Gamma",
                  "$\\|\\Gamma w\\|^2 = \\frac{1-p}{p}\\|\\tilde\\Gamma w\\|^2$ means $\\Gamma = "
                  "\\sqrt{(1-p)/p}\\,\\tilde\\Gamma$.",
                  differs(solve, lambda p: {k: v for k, v in _key(p, factor=(1 - p["p"]) / p["p"]).items()
                                            if k in ("gamma", "col_norms")})),
    Misconception("ratio_inverted", "Inverted the ratio (1 - p)/p",
                  "With $w = p\\tilde w$, $p(1-p)\\|\\tilde\\Gamma\\tilde w\\|^2 = p(1-p)/p^2 \\cdot "
                  "\\|\\tilde\\Gamma w\\|^2 = \\frac{1-p}{p}\\|\\tilde\\Gamma w\\|^2$.",
                  differs(solve, lambda p: {k: v for k, v in _key(p, factor=sqrt(p["p"] / (1 - p["p"]))).items()
                                            if k in ("gamma", "col_norms")})),
    Misconception("gamma_is_tilde", "Took Gamma = Gamma~",
                  "The factor from the change of variables stays in Gamma: "
                  "$\\Gamma = \\sqrt{(1-p)/p}\\,\\tilde\\Gamma$, so the columns of $X\\Gamma^{-1}$ have "
                  "norm $\\sqrt{p/(1-p)}$, not 1.",
                  differs(solve, lambda p: {k: v for k, v in _key(p, factor=1.0).items()
                                            if k in ("gamma", "col_norms")})),
)
