"""Worked solutions are complete and their arithmetic is true.

- Every entry of an array answer is derived in the solution: each output entry of a
  convolution has its own line (window times kernel), each input entry of a transposed
  convolution its scaled kernel, each row of a Toeplitz matrix its columns, each equation of
  a filter recovery its line, each gradient entry its formula. Nothing is left to "the rest
  repeats", which is false near padded borders.
- Counts are derived, not asserted: every chain ``a \\times b + c = d`` of whole numbers
  written in a solution holds, and the key's numbers are the results of such chains.
- Big integers are written with digit grouping (a thin space: ``12\\,345`` in math, U+202F in
  text).
"""

from __future__ import annotations

import re
import warnings
from fractions import Fraction

import numpy as np
import pytest

from quizsvc import families

SEEDS = range(0, 200, 3)
MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
GROUPED = re.compile(r"\d{1,3}(?:\\,\d{3})+")


def _number(text: str) -> str:
    return GROUPED.sub(lambda m: m.group(0).replace("\\,", ""), text)


def _evaluate(expr: str) -> Fraction | None:
    """Return the value of whole-number arithmetic, else None.

    Reads +, -, \\times, \\cdot, /, parentheses, and \\lfloor ... \\rfloor, \\lceil ... \\rceil.
    """
    text = _number(expr).replace(r"\times", "*").replace(r"\cdot", "*").strip().rstrip(".,;:")
    text = text.replace(r"\,", "").replace(r"\left", "").replace(r"\right", "")
    text = re.sub(r"\\lfloor(.+?)\\rfloor", r" floor(\1) ", text)
    text = re.sub(r"\\lceil(.+?)\\rceil", r" ceil(\1) ", text)
    text = text.replace("{", "(").replace("}", ")")
    if not text or not re.fullmatch(r"[\d\s+\-*/()floorceil]+", text) or not re.search(r"\d", text) \
            or re.search(r"[\d)]\s*\(", text):  # (2)(3) is a product written out, not code
        return None
    text = re.sub(r"\d+", lambda m: f"F({m.group(0)})", text)  # exact division
    names = {"F": Fraction, "floor": lambda v: Fraction(v.numerator // v.denominator),
             "ceil": lambda v: Fraction(-(-v.numerator // v.denominator))}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            return Fraction(eval(text, {"__builtins__": {}}, names))  # digits and operators only
    except (SyntaxError, ZeroDivisionError, TypeError):
        return None


def arithmetic_chains(solution: str) -> list[tuple[str, Fraction, Fraction]]:
    """Return (chain, left value, right value) for each pair of evaluable neighbours in a chain."""
    out = []
    for match in MATH.finditer(solution):
        parts = (match.group(1) or match.group(2)).split("=")
        values = [_evaluate(p) for p in parts]
        for a, b, pa, pb in zip(values, values[1:], parts, parts[1:]):
            if a is not None and b is not None:
                out.append((f"{pa}={pb}", a, b))
    return out


def problems(name: str):
    family = families.get(name)
    return [family.generate(seed, level) for level in family.levels for seed in SEEDS]


@pytest.mark.parametrize("name", families.names())
def test_every_whole_number_chain_in_a_solution_holds(name):
    checked = 0
    for p in problems(name):
        for chain, left, right in arithmetic_chains(p.solution):
            assert left == right, (p.seed, p.level, chain)
            checked += 1
    if name in COUNTS:
        assert checked, f"{name}: no arithmetic found in its solutions"


# Families whose integer answers are counts: each must be the result of a chain shown.
COUNTS = ("conv_param_count", "fc_param_count", "depthwise_separable", "locally_connected",
          "conv_flops", "normalization_axes", "fc_neurons")


@pytest.mark.parametrize("name", COUNTS)
def test_counts_are_derived(name):
    for p in problems(name):
        results = {right for _, _, right in arithmetic_chains(p.solution)}
        # A count read off the layer (biases = out_channels, 0 without biases) needs no chain.
        read = {0, *(v for v in p.params.values() if isinstance(v, int))}
        for field, value in p.answer.items():
            if isinstance(value, int) and not isinstance(value, bool) and value not in read:
                assert Fraction(value) in results, (p.seed, p.level, field, value, p.solution)


@pytest.mark.parametrize("name", families.names())
def test_big_integers_are_grouped(name):
    for p in problems(name):
        for text in (p.prompt, p.solution):
            prose = re.sub(r"`[^`]*`", "", text)  # code is written as typed
            bare = re.findall(r"(?<![\d,{}.])\d{5,}(?![\d.])", prose)
            assert not bare, (p.seed, p.level, bare, text)


# -- every entry of an array answer is derived -------------------------------------------------
def _entries(value) -> int:
    return int(np.asarray(value).size)


def _lines(solution: str, start: str) -> list[str]:
    return [line for line in solution.splitlines() if line.startswith(start)]


def _fmt(v) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.6g}"


@pytest.mark.parametrize("name", ["conv_forward", "flip_convolution"])
def test_each_output_entry_has_its_window(name):
    for p in problems(name):
        if "output" not in p.answer:
            continue
        out = np.asarray(p.answer["output"])
        lines = _lines(p.solution, "- $y[")
        assert len(lines) == out.size, (p.seed, p.level, len(lines), out.size)
        for line, cell in zip(lines, np.ndindex(*out.shape)):
            assert line.startswith(f"- $y[{', '.join(map(str, cell))}]"), (p.seed, line)
            products = re.findall(r"\((-?\d+)\)\((-?\d+)\)", line)
            total = sum(int(a) * int(b) for a, b in products)
            assert total == out[cell] and line.endswith(f"= {_fmt(out[cell])}$"), (p.seed, line)


def test_transpose_conv_lists_every_scaled_kernel():
    for p in problems("transpose_conv"):
        x = np.asarray(p.params["input"])
        lines = _lines(p.solution, "- $x[")
        assert len(lines) == x.size, (p.seed, p.level, len(lines), x.size)
        if any(p.params["padding"]) or any(p.params["output_padding"]):
            cropped = [line for line in p.solution.splitlines() if "at the start" in line]
            assert len(cropped) == x.ndim, (p.seed, p.level)


def test_toeplitz_rows_name_every_nonzero_entry():
    for p in problems("toeplitz_matrix"):
        matrix = p.answer["matrix"]
        lines = _lines(p.solution, "- Row ")
        assert len(lines) == len(matrix), (p.seed, p.level)
        for line, row in zip(lines, matrix):
            named = {int(c): int(v) for c, v in re.findall(r"column (\d+) gets \$k[^=]*= (-?\d+)\$", line)}
            assert named == {c: v for c, v in enumerate(row) if v}, (p.seed, p.level, line, row)


def test_filter_recovery_writes_every_equation():
    for p in problems("filter_recovery"):
        equations = _lines(p.solution, "- $")
        assert len(equations) == _entries(p.params["output"]), (p.seed, p.level)


def test_batchnorm_derives_every_gradient_entry():
    for p in problems("batchnorm_grad"):
        lines = _lines(p.solution, "- $\\partial L/\\partial x_")
        assert len(lines) == len(p.answer["grad_x"]), (p.seed, p.level)
        for line, v in zip(lines, p.answer["grad_x"]):
            assert abs(float(line.rsplit("=", 1)[1].strip(" $")) - v) < 1e-4, (p.seed, line)


def test_transpose_conv_prompt_states_its_conventions():
    for p in problems("transpose_conv"):
        assert "`padding` p removes p entries" in p.prompt
        assert ("`output_padding` o gives back o entries" in p.prompt) == any(p.params["output_padding"])


def test_flip_convolution_names_the_axis_of_each_padding():
    for p in problems("flip_convolution"):
        pad = p.params["padding"]
        if p.params["ask"] != "output" or not any(pad):
            continue
        if len(pad) == 2:
            assert "above and below" in p.prompt and "on the left and on the right" in p.prompt
            assert f"{pad[0] or 'no'} row" in p.prompt and f"{pad[1] or 'no'} column" in p.prompt
        else:
            assert f"{pad[0]} zero" in p.prompt and "at each end" in p.prompt
