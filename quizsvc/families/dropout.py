"""Output of `nn.Dropout` for a given mask, in training and in evaluation mode.

PyTorch implements *inverted* dropout: in training each unit is dropped with
probability `p` and the survivors are divided by ``1 - p`` so that the expected
output equals the input; in evaluation the layer is the identity.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.render import bmatrix, num
from quizsvc.families.rng import Sampler
from quizsvc.families.problem import AnswerField, Misconception, Tolerance

NAME = "dropout"
VERSION = 2
TOPIC = "Regularization"

# Drop probabilities by level; easy ones make 1/(1-p) a small fraction.
_EASY_P = (0.5, 0.25, 0.75, 0.2, 0.8)
_MEDIUM_P = (0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.8)
_HARD_P = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9)


def _mask(rng: Sampler, count: int) -> list[int]:
    """Return a keep-mask with at least one kept and one dropped unit."""
    while True:
        mask = [rng.choice((0, 1, 1)) for _ in range(count)]
        if 0 < sum(mask) < count:
            return mask


def sample(rng: Sampler, level: str) -> dict[str, Any]:
    """Draw a layer, an input, a mask and a mode; easy inputs make whole-number outputs."""
    if level == "easy":
        p = rng.choice(_EASY_P)
        step = (1 / (1 - Fraction(str(p)))).denominator  # multiples of it divide cleanly
        size = rng.between(4, 6)
        x = [step * rng.choice((-3, -2, -1, 1, 2, 3, 4, 5)) for _ in range(size)]
        return {"p": p, "input": x, "mask": _mask(rng, size), "training": rng.chance(0.75)}
    if level == "medium":
        p = rng.choice(_MEDIUM_P)
        size = rng.between(5, 8)
        x = [rng.choice((-1, 1)) * rng.between(1, 9) for _ in range(size)]
        return {"p": p, "input": x, "mask": _mask(rng, size), "training": rng.chance(0.8)}
    p = rng.choice(_HARD_P)
    rows, cols = rng.between(2, 4), rng.between(3, 5)
    x = [[rng.choice((-1, 1)) * rng.between(1, 40) / 10 for _ in range(cols)] for _ in range(rows)]
    flat = _mask(rng, rows * cols)
    mask = [flat[r * cols:(r + 1) * cols] for r in range(rows)]
    # Evaluation mode (the identity) is one idea, asked now and then; training is the work.
    return {"p": p, "input": x, "mask": mask, "training": rng.chance(0.88)}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Return canonical params; the mask must be 0/1, shaped like the input, and fit `p`."""
    P.only_keys(params, ("p", "input", "mask"), ("training",))
    p = P.number(params, "p", 0, 1)
    if p >= 1:
        raise ParamError("p must be below 1: with p = 1 every unit is dropped",
                         errors={"p": "must be < 1"})
    ndim = 2 if isinstance(params["input"], list) and params["input"] \
        and isinstance(params["input"][0], list) else 1
    x = P.tensor(params, "input", ndim, integral=False)
    mask = P.tensor(params, "mask", ndim)
    if _shape(mask) != _shape(x):
        raise ParamError(f"mask has shape {_shape(mask)} but input has shape {_shape(x)}",
                         errors={"mask": "shape differs from input"})
    flat = _flat(mask)
    if any(m not in (0, 1) for m in flat):
        raise ParamError("mask entries must be 0 (dropped) or 1 (kept)", errors={"mask": "not 0/1"})
    if p == 0 and not all(flat):
        raise ParamError("with p = 0 nothing is dropped: every mask entry must be 1",
                         errors={"mask": "drops a unit although p = 0"})
    return {"p": p, "input": x, "mask": mask, "training": P.boolean(params, "training", True)}


def _shape(t: list) -> tuple[int, ...]:
    return (len(t), len(t[0])) if t and isinstance(t[0], list) else (len(t),)


def _flat(t: list) -> list:
    return [v for row in t for v in row] if t and isinstance(t[0], list) else list(t)


def _map(params: dict[str, Any], fn) -> list:
    """Apply ``fn(x, m)`` entrywise over input and mask, keeping the nesting."""
    x, mask = params["input"], params["mask"]
    if x and isinstance(x[0], list):
        return [[_clean(fn(a, m)) for a, m in zip(xr, mr)] for xr, mr in zip(x, mask)]
    return [_clean(fn(a, m)) for a, m in zip(x, mask)]


def _clean(v: float) -> float:
    """Drop float noise (20.000000000000004) and negative zero."""
    return round(float(v), 9) + 0.0


def solve(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"output"}``: ``x * mask / (1 - p)`` in training, ``x`` in evaluation."""
    if not params["training"]:
        return {"output": _map(params, lambda a, m: a)}
    scale = 1.0 / (1.0 - params["p"])
    return {"output": _map(params, lambda a, m: a * m * scale)}


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    kind = "matrix" if len(_shape(params["input"])) == 2 else "vector"
    return [AnswerField("output", kind, "Output of the dropout layer, same shape as the input",
                        tolerance=Tolerance(sig=3))]


def prompt(params: dict[str, Any]) -> str:
    mode = ("in training mode (`model.train()`)" if params["training"]
            else "in evaluation mode (`model.eval()`)")
    what = "matrix" if len(_shape(params["input"])) == 2 else "vector"
    return (f"A layer `nn.Dropout(p={num(params['p'])})` is {mode} and receives the input {what}\n\n"
            f"$$x = {bmatrix(params['input'])}$$\n\n"
            f"Whenever the layer draws its random mask, assume it draws (1 = kept, 0 = dropped)\n\n"
            f"$$m = {bmatrix(params['mask'])}$$\n\n"
            "What does the layer output? Give every entry.")


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    p = params["p"]
    if not params["training"]:
        return ("In evaluation mode `nn.Dropout` is the identity: nothing is dropped and nothing is "
                "rescaled, because PyTorch already rescaled the kept units during training "
                "(*inverted* dropout). The mask plays no part.\n\n"
                f"**Output:** $${bmatrix(key['output'])}$$")
    scale = 1 / (1 - p)
    return (f"In training PyTorch drops each unit with probability $p = {num(p)}$ and divides the "
            f"kept ones by $1 - p = {num(round(1 - p, 12))}$, so that the expected output equals "
            "the input (*inverted* dropout):\n\n"
            r"$$y = \frac{x \odot m}{1 - p}, \qquad \frac{1}{1-p} = " + num(round(scale, 6)) + "$$\n\n"
            f"$$x \\odot m = {bmatrix(_map(params, lambda a, m: a * m))}$$\n\n"
            f"**Output:** $${bmatrix(key['output'])}$$")


def _train_only(fn, *, needs_p: bool = False):
    def solve_buggy(params: dict[str, Any]) -> dict[str, Any] | None:
        if not params["training"] or (needs_p and params["p"] == 0):
            return None
        return {"output": _map(params, lambda a, m: fn(a, m, params["p"]))}
    return solve_buggy


def _eval_only(fn):
    def solve_buggy(params: dict[str, Any]) -> dict[str, Any] | None:
        return None if params["training"] else {"output": _map(params, lambda a, m: fn(a, m, params["p"]))}
    return solve_buggy


MISCONCEPTIONS = (
    Misconception("p_as_keep_probability", "Took p as the keep probability",
                  "In `nn.Dropout(p)`, p is the probability of *dropping* a unit; the kept units "
                  "are divided by the keep probability 1 - p, not by p.",
                  _train_only(lambda a, m, p: a * m / p, needs_p=True)),
    Misconception("multiplied_by_keep_probability", "Multiplied by 1 - p instead of dividing",
                  "Inverted dropout divides the kept units by 1 - p during training; multiplying by "
                  "1 - p is the old test-time rule of non-inverted dropout.",
                  _train_only(lambda a, m, p: a * m * (1 - p))),
    Misconception("forgot_to_scale", "Forgot to rescale the kept units",
                  "PyTorch divides the kept units by 1 - p in training so that the expected "
                  "output equals the input.",
                  _train_only(lambda a, m, p: a * m)),
    Misconception("mask_inverted", "Read the mask backwards",
                  "A 1 in the mask keeps the unit and a 0 drops it.",
                  _train_only(lambda a, m, p: a * (1 - m) / (1 - p))),
    Misconception("dropout_at_eval", "Applied dropout in evaluation mode",
                  "After `model.eval()` dropout is switched off: no mask is drawn and nothing is "
                  "rescaled, the layer returns its input.",
                  _eval_only(lambda a, m, p: a * m / (1 - p))),
    Misconception("mask_at_eval", "Applied the mask in evaluation mode",
                  "After `model.eval()` no mask is drawn: every unit passes through unchanged, "
                  "the ones the mask would drop included.",
                  _eval_only(lambda a, m, p: a * m)),
    Misconception("scaled_at_eval", "Scaled by 1 - p at evaluation",
                  "Multiplying by the keep probability at test time belongs to non-inverted dropout. "
                  "PyTorch rescales during training instead, so evaluation is the identity.",
                  _eval_only(lambda a, m, p: a * (1 - p))),
    Misconception("divided_at_eval", "Divided by 1 - p at evaluation",
                  "The division by 1 - p happens only in training, on the kept units; in "
                  "evaluation mode the layer returns its input unchanged.",
                  _eval_only(lambda a, m, p: a / (1 - p))),
)
