"""Batch norm at the edges: a batch of one, and the mean-only gradient as the batch grows.

Mean-only BN (reference 004, question 4): ``y_i = gamma (x_i - mu) + beta`` and
``dL/dx_i = gamma (g_i - mean(g))`` with ``g = dL/dy``.

- ``case="one"``: a batch of one value. ``x_1 - mu = 0``, so ``y_1 = beta`` whatever ``x_1`` is
  and ``dL/dx_1 = 0``. Full BN (``mode="full"``) gives the same: ``xhat = 0 / sqrt(0 + eps)``.
- ``case="many"`` (mean-only): ``g_i = a`` for the input asked about and ``g_j = c`` for the
  ``n - 1`` others, so ``dL/dx_i = gamma (a - (a + (n-1)c)/n) = gamma (n-1)(a - c)/n``, which
  tends to ``gamma (a - c)`` as ``n -> infinity``: ``gamma * a``, the reference's answer, when
  the loss depends on ``y_i`` alone (``c = 0``).
"""

from __future__ import annotations

from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.buggy import differs
from quizsvc.families.problem import AnswerField, Misconception, Tolerance
from quizsvc.families.render import num
from quizsvc.families.rng import Sampler

NAME = "batchnorm_limits"
VERSION = 2
TOPIC = "Normalization"

CASES = ("one", "many")
MODES = ("mean_only", "full")
_SMALL = (-3, -2, -1, 1, 2, 3, 4)
TOLERANCE = Tolerance(sig=3)  # gamma (n-1)/n (a - c) is often a repeating decimal


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw a batch of one or a growing batch; full BN at one value from the medium level."""
    gamma, beta = rng.choice((0.5, 2, 3, 1.5, 4)), rng.choice((-1, 0, 0.5, 1, 2))
    if level == "easy":
        if rng.chance(0.5):
            return {"case": "one", "mode": "mean_only", "gamma": gamma, "beta": beta,
                    "x": rng.between(-5, 9), "grad_y": rng.choice(_SMALL)}
        return {"case": "many", "mode": "mean_only", "gamma": gamma, "beta": beta,
                "n": rng.choice((2, 4, 5, 10)), "grad_y": rng.choice(_SMALL), "grad_others": 0}
    if level == "medium" and rng.chance(0.4):
        return {"case": "one", "mode": rng.choice(MODES), "gamma": gamma, "beta": beta,
                "x": rng.between(-9, 9), "grad_y": rng.choice(_SMALL)}
    if level == "hard" and rng.chance(0.4):
        return {"case": "one", "mode": "full", "gamma": gamma, "beta": beta,
                "x": rng.between(-40, 40) / 10, "grad_y": rng.between(-30, 30) / 10, "eps": 1e-5}
    a = rng.choice(_SMALL)
    c = rng.choice([v for v in (-2, -1, 1, 2) if v != a])
    n = rng.choice((2, 3, 4, 5, 8, 10)) if level == "medium" else rng.choice((3, 6, 7, 9, 20, 100))
    return {"case": "many", "mode": "mean_only", "gamma": gamma, "beta": beta, "n": n,
            "grad_y": a, "grad_others": c}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; "many" is mean-only, "one" has no n, eps only for full BN."""
    P.only_keys(params, ("case", "mode", "gamma", "grad_y"), ("beta", "x", "n", "grad_others", "eps"))
    case, mode = P.one_of(params, "case", CASES), P.one_of(params, "mode", MODES)
    big = P.MAX_ABS_VALUE
    out: dict[str, Any] = {"case": case, "mode": mode, "gamma": P.number(params, "gamma", -big, big),
                           "beta": P.number(params, "beta", -big, big, default=0),
                           "grad_y": P.number(params, "grad_y", -big, big)}
    allowed = {"one": {"x"} | ({"eps"} if mode == "full" else set()), "many": {"n", "grad_others"}}
    extra = [k for k in ("x", "n", "grad_others", "eps") if k in params and k not in allowed[case]]
    if extra:
        raise ParamError(f"{extra[0]} does not apply to case={case!r}, mode={mode!r}",
                         errors={extra[0]: "not applicable"})
    if case == "one":
        out["x"] = P.number(params, "x", -big, big, default=0)
        if mode == "full":
            out["eps"] = P.number(params, "eps", 1e-12, 1, default=1e-5)
        return out
    if mode != "mean_only":
        raise ParamError('case="many" is the mean-only batch norm (mode="mean_only")',
                         errors={"mode": "many needs mean_only"})
    out["n"] = P.integer(params, "n", 2, 10**6)
    out["grad_others"] = P.number(params, "grad_others", -big, big, default=0)
    return out


def _clean(v: float) -> float:
    return round(float(v), 9) + 0.0


def _many(p: dict[str, Any], *, mean_term: bool = True, gamma: bool = True) -> dict[str, float]:
    n, a, c = p["n"], p["grad_y"], p["grad_others"]
    g = p["gamma"] if gamma else 1
    mean = (a + (n - 1) * c) / n if mean_term else 0
    return {"grad": _clean(g * (a - mean)), "limit": _clean(g * (a - (c if mean_term else 0)))}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"y", "grad"}`` for a batch of one, ``{"grad", "limit"}`` for a growing batch."""
    if params["case"] == "one":
        return {"y": _clean(params["beta"]), "grad": 0.0}
    return _many(params)


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    if params["case"] == "one":
        return [AnswerField("y", "number", "The output y_1", tolerance=TOLERANCE),
                AnswerField("grad", "number", "dL/dx_1", tolerance=TOLERANCE)]
    return [AnswerField("grad", "number", "dL/dx_i for this n", tolerance=TOLERANCE),
            AnswerField("limit", "number", "The limit of dL/dx_i as n grows without bound",
                        tolerance=TOLERANCE)]


_MEAN_ONLY = ("A simplified batch normalization only subtracts the batch mean before scaling and "
              "shifting a batch of scalars $x_1, \\dots, x_n$:\n\n"
              r"$$\mu = \frac{1}{n}\sum_j x_j, \qquad y_i = \gamma (x_i - \mu) + \beta.$$" "\n\n")
_FULL = ("Batch normalization in training normalizes a batch of scalars $x_1, \\dots, x_n$ with "
         "the batch mean and the biased batch variance:\n\n"
         r"$$y_i = \gamma \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta.$$" "\n\n")


def prompt(params: dict[str, Any]) -> str:
    g, b = num(params["gamma"]), num(params["beta"])
    if params["case"] == "one":
        head = _MEAN_ONLY if params["mode"] == "mean_only" else _FULL
        eps = (f", $\\epsilon = {num(params['eps'])}$" if params["mode"] == "full" else "")
        note = (" (PyTorch's `BatchNorm1d` refuses such a batch in training; compute with the "
                "formula as written)" if params["mode"] == "full" else "")
        return (head + f"The batch has **one** value, $x_1 = {num(params['x'])}${note}; "
                f"$\\gamma = {g}$, $\\beta = {b}${eps}, and a loss $L$ downstream has "
                f"$\\partial L/\\partial y_1 = {num(params['grad_y'])}$.\n\n"
                "1. What is $y_1$?\n2. What is $\\partial L/\\partial x_1$?")
    c = params["grad_others"]
    others = ("every other $\\partial L/\\partial y_j$ is 0 (the loss depends on $y_i$ alone)"
              if c == 0 else f"every other $\\partial L/\\partial y_j = {num(c)}$")
    return (_MEAN_ONLY + f"With $\\gamma = {g}$, $\\beta = {b}$ and a batch of $n = {params['n']}$, "
            f"a loss $L$ downstream has $\\partial L/\\partial y_i = {num(params['grad_y'])}$ for one "
            f"input $x_i$, and {others}.\n\n"
            "1. What is $\\partial L/\\partial x_i$?\n"
            "2. Keeping these upstream gradients, what does $\\partial L/\\partial x_i$ tend to as "
            "$n \\to \\infty$?")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    rule = (r"$$\frac{\partial L}{\partial x_i} = \gamma\Big(\frac{\partial L}{\partial y_i} - "
            r"\frac{1}{n}\sum_j \frac{\partial L}{\partial y_j}\Big)$$")
    if params["case"] == "one":
        if params["mode"] == "mean_only":
            why = ["With $n = 1$, $\\mu = x_1$, so $x_1 - \\mu = 0$ and $y_1 = \\beta = "
                   f"{num(key['y'])}$ whatever $x_1$ is.", rule,
                   "with $n = 1$ is $\\gamma(g_1 - g_1) = 0$: moving $x_1$ moves the mean with it."]
        else:
            why = ["With $n = 1$, $\\mu = x_1$ and $\\sigma^2 = 0$, so $\\hat x_1 = 0/\\sqrt{\\epsilon} "
                   f"= 0$ and $y_1 = \\beta = {num(key['y'])}$.",
                   "The gradient $\\frac{\\gamma}{\\sqrt{\\sigma^2+\\epsilon}}(g_1 - \\bar g - \\hat x_1 "
                   "\\overline{g \\hat x}) = \\frac{\\gamma}{\\sqrt\\epsilon}(g_1 - g_1 - 0) = 0$: "
                   "$y_1$ is constant in $x_1$."]
        return "\n\n".join(why + [f"**Answer:** $y_1 = {num(key['y'])}$, "
                                  "$\\partial L/\\partial x_1 = 0$."])
    n, a, c = params["n"], params["grad_y"], params["grad_others"]
    return "\n\n".join([
        rule, f"The mean upstream gradient is $({num(a)} + {n - 1}\\cdot{num(c)})/{n}$, so "
        f"$\\partial L/\\partial x_i = {num(params['gamma'])}\\,\\frac{{{n - 1}}}{{{n}}}"
        f"({num(a)} - {num(c)}) = {num(key['grad'])}$.",
        f"As $n \\to \\infty$ the share $1/n$ of $x_i$ in the mean vanishes and the mean tends to "
        f"{num(c)}: the limit is $\\gamma({num(a)} - {num(c)}) = {num(key['limit'])}$"
        + (", that is $\\gamma\\,\\partial L/\\partial y_i$." if c == 0 else ".")])


def _forgot_mean(p: dict[str, Any]) -> dict[str, Any]:
    if p["case"] == "one":
        return {"grad": _clean(p["gamma"] * p["grad_y"])}
    return _many(p, mean_term=False)


def _y_not_centered(p: dict[str, Any]) -> dict[str, Any] | None:
    if p["case"] != "one" or p["mode"] != "mean_only":
        return None
    return {"y": _clean(p["gamma"] * p["x"] + p["beta"])}


def _limit_zero(p: dict[str, Any]) -> dict[str, Any] | None:
    return {"limit": 0.0} if p["case"] == "many" else None


def _forgot_gamma(p: dict[str, Any]) -> dict[str, Any] | None:
    return _many(p, gamma=False) if p["case"] == "many" else None


MISCONCEPTIONS = (
    Misconception("forgot_mean_term", "Forgot the batch-mean term",
                  "The mean depends on every x_j, including x_i: subtract the average upstream "
                  "gradient. With one value the two terms cancel and the gradient is 0.",
                  differs(solve, _forgot_mean)),
    Misconception("y_not_centered", "Did not subtract the mean",
                  "With one value the batch mean is that value, so x_1 - mu = 0 and y_1 = beta.",
                  differs(solve, _y_not_centered)),
    Misconception("limit_zero", "Let the whole gradient vanish",
                  "Only x_i's share 1/n in the mean vanishes as n grows; the direct term "
                  "gamma * dL/dy_i stays.", differs(solve, _limit_zero)),
    Misconception("forgot_gamma", "Forgot gamma",
                  "The output is scaled by gamma, so the gradient carries a factor gamma.",
                  differs(solve, _forgot_gamma)),
)
