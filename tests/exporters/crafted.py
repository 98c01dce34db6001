"""A crafted problem family whose every text and key is hard to export.

Its prompts, labels, choices and mistake titles hold ``<``, ``&``, braces,
GIFT and cloze syntax, LaTeX, ``]]>`` and Unicode; its keys are 0, negative
integers and reals, large integers, a matrix and choices. One level per case.
"""

from __future__ import annotations

from typing import Any

from quizsvc.families.problem import AnswerField, Misconception

NAME = "crafted_hard"
VERSION = 3
TOPIC = "Export torture <test> & {braces}"
LEVELS = ("zero", "negative", "real", "matrix", "huge", "choice", "multi", "mixed")

HARD = ("Naïve ∑ ünïcödé 🚀 — a < b & c > d; braces {x} }{ ~ = # : \\ and `code <b>&amp; {}` "
        "and ]]> and [html] and {1:NUMERICAL:=5:0} and [blank] and %50% and ####.\n\n"
        "Math: $\\frac{a}{b} \\{x\\} < 1 \\& 2$ and\n\n"
        "$$\\begin{bmatrix} 1 & -2 \\\\ 0 & 3 \\end{bmatrix}$$\n\n"
        "// not a comment\n\n- item **bold {k}** and *it*\n- \"quoted\" 'single'")
CHOICES = ("a < b & {c}", "x ~ y = z # w : v", "naïve ∑ \\frac{1}{2} }")
AXES = ("N", "C", "H", "W")


def sample(rng, level: str) -> dict[str, Any]:
    return {"case": level, "k": rng.between(1, 5)}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    return {"case": params["case"], "k": int(params["k"])}


def solve(params: dict[str, Any]) -> dict[str, Any]:
    k, case = params["k"], params["case"]
    return {
        "zero": {"n": 0},
        "negative": {"x": -(k + 2)},
        "real": {"x": -0.5 * k - 0.25},
        "matrix": {"m": [[0, -k], [k * 1_000_003, 7]], "total": -k},
        "huge": {"n": 2**60 + k},
        "choice": {"pick": CHOICES[k % 3]},
        "multi": {"axes": ["N", "H", "W"], "x": 0.0},
        "mixed": {"pick": CHOICES[k % 3], "x": -k},
    }[case]


def answer_spec(params: dict[str, Any]) -> list[AnswerField]:
    case = params["case"]
    if case in ("zero", "huge"):
        return [AnswerField("n", "integer", "Zero <&> {n} ~#=:")]
    if case in ("negative",):
        return [AnswerField("x", "integer", "Negative x < 0 & {}")]
    if case == "real":
        return [AnswerField("x", "number", "Real x ≈ −½ {#}")]
    if case == "matrix":
        return [AnswerField("m", "matrix", "Matrix M [a] & <b>"),
                AnswerField("total", "integer", "Total ∑ {}")]
    if case == "choice":
        return [AnswerField("pick", "choice", "Pick one: <&>", CHOICES)]
    if case == "mixed":
        return [AnswerField("pick", "choice", "Pick {one}", CHOICES),
                AnswerField("x", "integer", "Minus k")]
    return [AnswerField("axes", "choice", "Axes {N,C,H,W}", AXES, multiple=True),
            AnswerField("x", "number", "Zero as a real")]


def prompt(params: dict[str, Any]) -> str:
    return HARD.replace("{k}", str(params["k"]))


def solution(params: dict[str, Any], key: dict[str, Any]) -> str:
    return "Worked: " + HARD + f"\n\nKey: `{key}` $x = {key.get('x', 0)}$"


def _bug(fn):
    def solve_buggy(p: dict[str, Any]) -> dict[str, Any] | None:
        return fn(p["case"], p["k"], solve(p))
    return solve_buggy


MISCONCEPTIONS = (
    Misconception("sign", "Sign <flipped> & \"lost\" {braces} ~ # = :",
                  "It's $\\{-x\\}$ not $x$ \\ back\\slash } and ~tilde~ and #hash",
                  _bug(lambda c, k, key: {"zero": {"n": 1}, "negative": {"x": k + 2},
                                          "real": {"x": -key.get("x", 0)},
                                          "matrix": {"m": [[0, k], [k * 1_000_003, 7]], "total": k},
                                          "huge": {"n": -(2**60 + k)},
                                          "choice": {"pick": CHOICES[(k + 1) % 3]},
                                          "multi": {"axes": ["N"], "x": 1.0},
                                          "mixed": {"pick": CHOICES[(k + 1) % 3], "x": k}}[c])),
    Misconception("off_by_one", "Off by one ]]> 🚀",
                  "Count again: <b>not bold</b> &amp; %100% {1:NUMERICAL:=1}",
                  _bug(lambda c, k, key: {"zero": {"n": -1}, "negative": {"x": -(k + 3)},
                                          "real": {"x": key.get("x", 0) - 1},
                                          "matrix": {"m": [[1, -k], [k * 1_000_003, 7]],
                                                     "total": -k},
                                          "huge": {"n": 2**60 + k + 1},
                                          "choice": {"pick": CHOICES[(k + 2) % 3]},
                                          "multi": {"axes": ["C", "H", "W"], "x": 0.0},
                                          "mixed": {"pick": CHOICES[k % 3], "x": -k - 1}}[c])),
    Misconception("same_as_key", "Gives the key (never a distractor)", "Not a mistake here.",
                  _bug(lambda c, k, key: dict(key))),
    Misconception("not_here", "Does not apply", "Returns nothing.", _bug(lambda c, k, key: None)),
    Misconception("crashes", "Crashes", "Its buggy solver fails on these parameters.",
                  _bug(lambda c, k, key: {"n": 1 // 0})),
)


def figures(params: dict[str, Any]) -> list:
    """A figure drawn from the parameters, its name and text hard to carry too."""
    from quizsvc.families.problem import Figure

    k = params["k"]
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">'
           f'<rect x="0" y="0" width="{20 * k}" height="60" fill="#ff0000"/>'
           '<text x="4" y="30">k &lt; 6 &amp; ]]&gt;</text></svg>')
    return [Figure(f"bars k={k}.svg", svg, f"{k} red bars <& \"quoted\">")]
