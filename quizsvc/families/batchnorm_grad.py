"""Gradient of the loss with respect to the inputs of batch normalization.

Two variants over a batch of n scalars x (one feature):

- ``full``: `nn.BatchNorm1d(1)` in training, ``y_i = gamma * xhat_i + beta`` with
  ``xhat_i = (x_i - mu) / sqrt(var + eps)`` and the *biased* batch variance, as PyTorch
  normalizes in training. Then
  ``dL/dx_i = gamma / sigma * (g_i - mean(g) - xhat_i * mean(g * xhat))``, ``sigma = sqrt(var + eps)``.
- ``mean_only``: the simplified BN of the reference homework, ``y_i = gamma * (x_i - mu) + beta``.
  Then ``dL/dx_i = gamma * (g_i - mean(g))``, which is 0 for a batch of one.

`g` is the upstream gradient ``dL/dy``.
"""

from __future__ import annotations

from math import sqrt
from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.render import bmatrix, num
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception, Tolerance

NAME = "batchnorm_grad"
VERSION = 2
TOPIC = "Normalization"

MODES = ("full", "mean_only")
TORCH_EPS = 1e-5
MAX_BATCH = 16


def _sample_easy_full(rng: Sampler) -> dict[str, Any]:
    """n = 4 with xhat = +-1, and g = a + b * xhat + r, r orthogonal to 1 and xhat: dx = (gamma/sigma) r."""
    d, mu = rng.choice((1, 2)), rng.between(-3, 5)
    signs = rng.shuffle([1, 1, -1, -1])
    plus = [i for i, s in enumerate(signs) if s > 0]
    minus = [i for i, s in enumerate(signs) if s < 0]
    a, b = rng.choice((-2, -1, 1, 2)), rng.choice((-2, -1, 1, 2))
    c, e = 0, 0
    while c == 0 and e == 0:
        c, e = rng.between(-2, 2), rng.between(-2, 2)
    r = [0] * 4
    r[plus[0]], r[plus[1]], r[minus[0]], r[minus[1]] = c, -c, e, -e
    g = [a + b * s + ri for s, ri in zip(signs, r)]
    return {"mode": "full", "x": [mu + d * s for s in signs], "grad_y": g,
            "gamma": d * rng.choice((1, 2, 3)), "beta": rng.choice((0, 1, -1)), "eps": 0}


def _nonconstant(rng: Sampler, n: int, draw) -> list:
    while True:
        x = [draw() for _ in range(n)]
        if len(set(x)) > 1:
            return x


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw a batch whose gradient is not all zero (an upstream gradient the normalization
    absorbs says nothing); easy numbers give whole-number (or half) gradients."""
    while True:
        params = _draw(rng, level)
        if any(solve(validate(params))["grad_x"]):
            return params


def _draw(rng: Sampler, level: str) -> dict[str, Any]:
    if level == "easy":
        if rng.chance(0.5):
            return _sample_easy_full(rng)
        n = rng.between(3, 5)
        g = [rng.between(-4, 4) for _ in range(n)]
        g[-1] -= sum(g) % n  # a whole-number batch mean
        return {"mode": "mean_only", "x": [rng.between(-5, 9) for _ in range(n)], "grad_y": g,
                "gamma": rng.choice((2, 3, 4)), "beta": rng.choice((0, 1, -1))}
    if level == "medium":
        n = rng.between(3, 6)
        mode = rng.choice(("full", "full", "mean_only"))
        params = {"mode": mode, "x": _nonconstant(rng, n, lambda: rng.between(-5, 5)),
                  "grad_y": [rng.between(-3, 3) for _ in range(n)],
                  "gamma": rng.choice((0.5, 1.5, 2, 3)), "beta": rng.between(-2, 2)}
        if mode == "full":
            params["eps"] = 0
        return params
    n = rng.between(4, 8)
    return {"mode": "full", "x": _nonconstant(rng, n, lambda: rng.between(-30, 30) / 10),
            "grad_y": [rng.between(-50, 50) / 10 for _ in range(n)],
            "gamma": rng.choice((0.8, 1.2, 1.5, 2, 2.5, 3)), "beta": rng.between(-10, 10) / 10,
            "eps": TORCH_EPS}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; full BN needs two or more values and a non-zero variance + eps."""
    P.only_keys(params, ("mode", "x", "grad_y", "gamma"), ("beta", "eps"))
    mode = P.one_of(params, "mode", MODES)
    x = P.tensor(params, "x", 1, max_side=MAX_BATCH, integral=False)
    g = P.tensor(params, "grad_y", 1, max_side=MAX_BATCH, integral=False)
    if len(g) != len(x):
        raise ParamError(f"grad_y has {len(g)} entries but x has {len(x)}: one per output",
                         errors={"grad_y": "length differs from x"})
    out = {"mode": mode, "x": x, "grad_y": g,
           "gamma": P.number(params, "gamma", -P.MAX_ABS_VALUE, P.MAX_ABS_VALUE),
           "beta": P.number(params, "beta", -P.MAX_ABS_VALUE, P.MAX_ABS_VALUE, default=0)}
    if mode == "mean_only":
        if "eps" in params:
            raise ParamError("eps applies only to mode 'full' (mean_only divides by nothing)",
                             errors={"eps": "not applicable"})
        return out
    out["eps"] = P.number(params, "eps", 0, 1, default=TORCH_EPS)
    if len(x) < 2:
        raise ParamError("full batch norm in training needs at least 2 values in the batch "
                         "(PyTorch refuses a batch of one)", errors={"x": "batch of one"})
    if out["eps"] == 0 and len(set(x)) == 1:
        raise ParamError("x is constant, so its variance is 0 and with eps = 0 the normalization "
                         "divides by zero", errors={"x": "constant"})
    return out


def _clean(values: list[float]) -> list[float]:
    return [round(float(v), 9) + 0.0 for v in values]


def _stats(x: list, eps: float, ddof: int = 0) -> tuple[float, float, list[float]]:
    """Return mean, sigma = sqrt(var + eps) and xhat; `ddof=1` for the unbiased variance."""
    n = len(x)
    mu = sum(x) / n
    sigma = sqrt(sum((v - mu) ** 2 for v in x) / (n - ddof) + eps)
    return mu, sigma, [(v - mu) / sigma for v in x]


def _full_grad(p: dict[str, Any], *, mean_term: bool = True, var_term: bool = True,
               divide: bool = True, ddof: int = 0) -> list[float]:
    g, n = p["grad_y"], len(p["x"])
    _, sigma, xhat = _stats(p["x"], p["eps"], ddof)
    g_mean = sum(g) / n if mean_term else 0.0
    gx = sum(a * b for a, b in zip(g, xhat)) / (n - ddof) if var_term else 0.0
    scale = p["gamma"] / sigma if divide else p["gamma"]
    return [scale * (gi - g_mean - xi * gx) for gi, xi in zip(g, xhat)]


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"grad_x": [dL/dx_1, ..., dL/dx_n]}``."""
    if params["mode"] == "mean_only":
        g = params["grad_y"]
        g_mean = sum(g) / len(g)
        return {"grad_x": _clean([params["gamma"] * (gi - g_mean) for gi in g])}
    return {"grad_x": _clean(_full_grad(params))}


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    return [AnswerField("grad_x", "vector",
                        "dL/dx_1, ..., dL/dx_n in the order of x", tolerance=Tolerance(sig=3))]


def _vec(values: list) -> str:
    return bmatrix(values) + "^T"


def prompt(params: dict[str, Any]) -> str:
    n = len(params["x"])
    data = (f"$n = {n}$, $\\gamma = {num(params['gamma'])}$, $\\beta = {num(params['beta'])}$,\n\n"
            f"$$x = {_vec(params['x'])}, \\qquad \\frac{{\\partial L}}{{\\partial y}} = "
            f"{_vec(params['grad_y'])}$$\n\n")
    if params["mode"] == "mean_only":
        return ("A simplified batch normalization only subtracts the batch mean before scaling "
                "and shifting a batch of scalars $x_1, \\dots, x_n$:\n\n"
                r"$$\mu = \frac{1}{n}\sum_j x_j, \qquad y_i = \gamma (x_i - \mu) + \beta.$$" "\n\n"
                "A loss $L$ is computed downstream of $y$. With\n\n" + data +
                "what is $\\partial L / \\partial x_i$ for every $i$?")
    eps = params["eps"]
    eps_text = ("$\\epsilon = 10^{-5}$ (PyTorch's default)" if eps == TORCH_EPS
                else f"$\\epsilon = {num(eps)}$")
    layer = ("`nn.BatchNorm1d(1)`" if eps in (0, TORCH_EPS)
             else f"`nn.BatchNorm1d(1, eps={num(eps)})`")
    # PyTorch refuses eps = 0 in training; say so rather than name a layer it cannot build.
    zero = ("Take $\\epsilon = 0$ here to keep the numbers exact (PyTorch itself requires "
            "$\\epsilon > 0$; its default $10^{-5}$ would change these answers by far less than "
            "the grading tolerance).\n\n" if eps == 0 else "")
    return (f"{layer} in training mode normalizes a batch of $n$ scalars "
            "with the batch mean and the biased batch variance:\n\n"
            r"$$\mu = \frac{1}{n}\sum_j x_j, \quad \sigma^2 = \frac{1}{n}\sum_j (x_j - \mu)^2, \quad"
            r" y_i = \gamma \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta.$$" "\n\n"
            + zero +
            "A loss $L$ is computed downstream of $y$. With" + ("" if eps == 0 else f" {eps_text},") + "\n\n" + data +
            "what is $\\partial L / \\partial x_i$ for every $i$? "
            "(Remember that $\\mu$ and $\\sigma$ depend on every $x_j$.)")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    g, n, gamma = params["grad_y"], len(params["x"]), params["gamma"]
    g_mean = sum(g) / n
    if params["mode"] == "mean_only":
        lines = ["Every $y_i$ depends on $x_j$ directly when $i = j$ and through $\\mu$ "
                 "($\\partial \\mu / \\partial x_j = 1/n$), so",
                 r"$$\frac{\partial L}{\partial x_j} = \gamma\Big(\frac{\partial L}{\partial y_j}"
                 r" - \frac{1}{n}\sum_i \frac{\partial L}{\partial y_i}\Big).$$",
                 f"Here the mean upstream gradient is ${num(round(g_mean, 6))}$."]
        if n == 1:
            lines.append("With a batch of one, $y_1 = \\beta$ whatever $x_1$ is, so the gradient is 0.")
    else:
        mu, sigma, xhat = _stats(params["x"], params["eps"])
        gx = sum(a * b for a, b in zip(g, xhat)) / n
        lines = ["Differentiating through $\\mu$ and $\\sigma$ as well as directly gives, with "
                 "$\\hat x_i = (x_i - \\mu)/\\sqrt{\\sigma^2 + \\epsilon}$ and $g = \\partial L/\\partial y$,",
                 r"$$\frac{\partial L}{\partial x_i} = \frac{\gamma}{\sqrt{\sigma^2+\epsilon}}"
                 r"\Big(g_i - \frac{1}{n}\sum_j g_j - \hat x_i \, \frac{1}{n}\sum_j g_j \hat x_j\Big).$$",
                 "",
                 f"- $\\mu = {num(round(mu, 6))}$, $\\sqrt{{\\sigma^2 + \\epsilon}} = {num(round(sigma, 6))}$",
                 f"- $\\hat x = {_vec([round(v, 4) for v in xhat])}$",
                 f"- $\\frac{{1}}{{n}}\\sum_j g_j = {num(round(g_mean, 6))}$, "
                 f"$\\frac{{1}}{{n}}\\sum_j g_j \\hat x_j = {num(round(gx, 6))}$",
                 f"- $\\gamma / \\sqrt{{\\sigma^2 + \\epsilon}} = {num(round(gamma / sigma, 6))}$"]
        lines.append("")
        for i, (gi, xi, v) in enumerate(zip(g, xhat, key["grad_x"]), 1):
            lines.append(f"- $\\partial L/\\partial x_{i} = {num(round(gamma / sigma, 6))}"
                         f"\\,({num(gi)} - {_paren(round(g_mean, 6))} - {_paren(round(xi, 4))}"
                         f" \\cdot {_paren(round(gx, 6))}) = {num(round(v, 4))}$")
    if params["mode"] == "mean_only":
        lines.append("")
        for i, (gi, v) in enumerate(zip(g, key["grad_x"]), 1):
            lines.append(f"- $\\partial L/\\partial x_{i} = {num(gamma)}\\,({num(gi)} - "
                         f"{_paren(round(g_mean, 6))}) = {num(round(v, 4))}$")
    lines += ["", f"**Answer:** $\\partial L/\\partial x = {_vec([round(v, 4) for v in key['grad_x']])}$"]
    return "\n".join(lines)


def _paren(v: float) -> str:
    """Return a number for a product or difference, negatives in parentheses."""
    return f"({num(v)})" if v < 0 else num(v)


def _full_only(**kwargs):
    def solve_buggy(params: dict[str, Any]) -> dict[str, Any] | None:
        if params["mode"] != "full":
            return None
        return {"grad_x": _clean(_full_grad(params, **kwargs))}
    return solve_buggy


def _forgot_mean_term(params: dict[str, Any]) -> dict[str, Any]:
    if params["mode"] == "mean_only":
        return {"grad_x": _clean([params["gamma"] * gi for gi in params["grad_y"]])}
    return {"grad_x": _clean(_full_grad(params, mean_term=False))}


def _forgot_gamma(params: dict[str, Any]) -> dict[str, Any] | None:
    if params["gamma"] in (0, 1):
        return None
    return {"grad_x": _clean([v / params["gamma"] for v in solve(params)["grad_x"]])}


MISCONCEPTIONS = (
    Misconception("forgot_mean_term", "Forgot the batch-mean term",
                  "The mean depends on every x_j, so each input also moves every output through "
                  "the mean: subtract the average of dL/dy.",
                  _forgot_mean_term),
    Misconception("variance_constant", "Treated the variance as a constant",
                  "The batch variance depends on every x_j too; differentiating through it gives "
                  "the term - xhat_i * mean(g * xhat).",
                  _full_only(var_term=False)),
    Misconception("batch_stats_constant", "Treated the batch statistics as constants",
                  "In training the mean and variance are computed from the batch itself, so the "
                  "gradient flows through both of them, not only through x_i directly.",
                  _full_only(mean_term=False, var_term=False)),
    Misconception("forgot_gamma", "Forgot gamma",
                  "The output is scaled by gamma, so every entry of dL/dx carries a factor gamma.",
                  _forgot_gamma),
    Misconception("forgot_sigma", "Forgot to divide by the standard deviation",
                  "xhat = (x - mu) / sqrt(var + eps): the gradient carries the factor "
                  "1 / sqrt(var + eps).",
                  _full_only(divide=False)),
    Misconception("unbiased_variance", "Used the unbiased variance",
                  "In training BatchNorm normalizes with the biased variance (divide by n, not n - 1); "
                  "the unbiased one only feeds the running estimate.",
                  _full_only(ddof=1)),
)
