"""Comparing parsed answers with keys: shapes, tolerances per field, credit for knowledge."""

import ast
import inspect
from fractions import Fraction as F
from pathlib import Path

import pytest

from quizsvc import families
from quizsvc.answers import (
    Tolerance,
    array_credit,
    compare_field,
    parse_field,
    score_field,
    tolerance_for,
)
from quizsvc.answers import compare as compare_module
from quizsvc.errors import AnswerError

SIG3 = Tolerance(sig=3)


def grade(kind, typed, key, tol=None):
    return compare_field(kind, parse_field(kind, typed), key, tol)


@pytest.mark.parametrize("typed,key,ok", [
    ("0.449", 0.449, True), ("0.4486", 0.449, True), ("0.4494", 0.449, True),
    ("0.439", 0.449, False), ("0.45", 0.449, False), ("0.46", 0.449, False),
    ("9.67", 29 / 3, True), ("9.667", 29 / 3, True), ("29/3", 29 / 3, True),
    ("9.6", 29 / 3, False), ("9.7", 29 / 3, False),
    ("1250", 1249.7, True), ("1240", 1249.7, False),
    ("0.000123", 0.0001234, True), ("0.00012", 0.0001234, False),
    ("44.9%", 0.449, True), ("45%", 0.449, False),
])
def test_three_significant_figures(typed, key, ok):
    """The issue's cases: 0.439 must not pass for 0.449, 9.6 must not pass for 29/3."""
    score, correct, _ = grade("number", typed, key, SIG3)
    assert correct is ok and score == (1.0 if ok else 0.0)


@pytest.mark.parametrize("typed,key,ok", [
    ("101", 100.5, True), ("99.6", 100.5, True), ("102", 100.5, False), ("99.4", 100.5, False),
])
def test_relative_tolerance(typed, key, ok):
    assert grade("number", typed, key, Tolerance(rel=0.01))[1] is ok


def test_a_field_without_a_tolerance_holds_real_keys_to_the_default():
    assert grade("number", "9.667", 29 / 3)[1] and not grade("number", "9.6", 29 / 3)[1]


@pytest.mark.parametrize("kind,typed,key,ok", [
    ("integer", "12", 12, True), ("integer", "12.0", 12, True), ("integer", "12.001", 12, False),
    ("integer", "24/2", 12, True), ("number", "3.001", 3, False),  # an int key is exact in any field
    ("vector", "[1, 2.001]", [1, 2], False), ("integer", "12%", 12, False),
])
def test_integers_are_exact(kind, typed, key, ok):
    try:
        assert grade(kind, typed, key, SIG3)[1] is ok
    except AnswerError as exc:  # "12%" is refused for an integer blank: not a right answer either
        assert not ok and "percentage" in str(exc)


def test_a_zero_entry_is_held_to_the_accuracy_of_its_array():
    """PyTorch's eps gives 6e-05 where the exact key is 0 beside 6: 3 s.f. of 6 is +-0.005."""
    assert grade("vector", "[-5.99991, 0.00006, 6.00003, -0.00006]", [-6.0, 0.0, 6.0, 0.0], SIG3)[1]
    assert not grade("vector", "[-6, 0.01, 6, 0]", [-6.0, 0.0, 6.0, 0.0], SIG3)[1]
    assert grade("number", "0.0005", 0.0, SIG3)[1] and not grade("number", "0.01", 0.0, SIG3)[1]


def test_the_tolerance_is_computed_in_one_place():
    """`entry_ok` asks `tolerance_for`; no module of the engine writes its own formula."""
    calls = []
    real = compare_module.tolerance_for

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)
    compare_module.tolerance_for = spy
    try:
        assert grade("number", "0.449", 0.449, SIG3)[1]
        assert grade("vector", "[1.5, 2.25]", [1.5, 2.25], SIG3)[1]
    finally:
        compare_module.tolerance_for = real
    assert len(calls) == 3
    # And no other comparison in the answers package or the engine glue subtracts a key.
    root = Path(inspect.getfile(compare_module)).parent
    for path in [*root.glob("*.py"), root.parent / "families" / "base.py"]:
        if path.name == "tolerance.py":
            continue
        tree = ast.parse(path.read_text())
        differences = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                       and getattr(n.func, "id", "") == "abs" and n.args
                       and isinstance(n.args[0], ast.BinOp) and isinstance(n.args[0].op, ast.Sub)]
        assert len(differences) == (1 if path.name == "compare.py" else 0), path


def test_tolerance_for_is_zero_for_ints_and_the_rule_for_reals():
    assert tolerance_for(3) == 0.0
    assert tolerance_for(0.449, SIG3) == pytest.approx(0.0005)
    assert tolerance_for(250.0, Tolerance(rel=0.01)) == pytest.approx(2.5)


def test_matrix_of_the_wrong_shape_names_both_shapes():
    key = [[i * 16 + j for j in range(16)] for i in range(4)]
    transposed = [list(col) for col in zip(*key)]
    score, correct, msg = compare_field("matrix", parse_field("matrix", transposed), key)
    assert (score, correct, msg) == (0.0, False, "expected 4x16, got 16x4")


def test_vector_of_the_wrong_length():
    assert grade("vector", "1 2 3", [1.0, 2.0]) == (0.0, False, "expected 2 entries, got 3")


def test_shape_with_the_wrong_number_of_dimensions():
    score, correct, msg = grade("shape", "126x126", [32, 126, 126])
    assert (score, correct) == (0.0, False) and "expected 3 dimensions, got 2 (126x126)" in msg


def test_shapes_get_credit_per_size():
    assert grade("shape", "32x126x125", [32, 126, 126]) == (2 / 3, False, "2 of 3 sizes are right")


@pytest.mark.parametrize("key,answer,expected", [
    # The reference case: 3 wrong of 9, the 3s (most common) among them: (6 - 3) / 6.
    ([-1, 3, -2, 3, -3, 1, 0, 3, 1], [-1, 6, -2, 0, -3, 1, 0, 0, 1], 0.5),
    # No value repeats: the best constant gets 1 right, each wrong entry costs 1/3.
    ([1, 2, 3, 4], [1, 2, 3, 5], 2 / 3),
    ([1, 2, 3, 4], [0, 0, 0, 0], 0.0),
    ([1, 2, 3, 4], [1, 1, 1, 1], 0.0),
    # 12 entries, 8 of them 0: a wrong 0 costs 1/8, another wrong entry 1/4.
    ([0] * 8 + [1, 2, 3, 4], [0] * 8 + [1, 2, 3, 5], 0.75),
    ([0] * 8 + [1, 2, 3, 4], [7] + [0] * 7 + [1, 2, 3, 4], 0.875),
    ([0] * 8 + [1, 2, 3, 4], [7] + [0] * 7 + [1, 2, 3, 5], 0.625),
    ([0] * 8 + [1, 2, 3, 4], [0] * 12, 0.0),
    ([0] * 8 + [1, 2, 3, 4], [1] * 12, 0.0),
    ([0] * 8 + [1, 2, 3, 4], [1] * 8 + [1, 2, 3, 4], 0.0),
    # One entry stands out: a stray wrong 0 keeps 3/4 of the credit.
    ([10, 0, 0, 0, 0], [10, 0, 0, 0, 1], 0.75),
    ([10, 0, 0, 0, 0], [0, 0, 0, 0, 0], 0.0),
    # A constant key: nothing to discount, each entry is worth 1/n.
    ([5] * 4, [5, 5, 5, 4], 0.75),
])
def test_credit_is_relative_to_the_best_constant_guess(key, answer, expected):
    right = [a == k for a, k in zip(answer, key)]
    assert array_credit(right, key) == pytest.approx(expected)
    assert score_field("vector", [F(a) for a in answer], key) == pytest.approx(expected)


def test_every_constant_answer_earns_nothing_on_a_key_that_is_not_constant():
    key = [0.0, 1.5, 1.5, 0.0, 2.25, 0.0]
    for c in (0, 1.5, 2.25, -1, 0.001):
        assert score_field("vector", [F(c)] * 6, key, SIG3) == 0.0


def test_array_feedback_says_where_and_the_rule():
    key = [[0] * 4 for _ in range(3)]
    key[0] = [1, 2, 3, 4]
    key[1] = [5, 6, 7, 8]
    given = [row[:] for row in key]
    given[1][0:3] = [9, 9, 9]
    score, correct, msg = compare_field("matrix", [[F(v) for v in r] for r in given], key)
    assert not correct and score == pytest.approx(1 - 3 / 8)
    assert msg.startswith("3 of 12 entries wrong: row 2, columns 1-3;")
    assert "each wrong entry costs 1/8 of this part" in msg  # 4 zeros, 8 others: all cost 1/8
    key = [[0] * 4, [0] * 4, [1, 2, 0, 0]]
    score, _, msg = compare_field("matrix", [[F(0)] * 4, [F(0)] * 4, [F(1), F(2), F(0), F(9)]], key)
    assert msg == ("1 of 12 entries wrong: row 3, column 4; a wrong entry costs 1/2 of this part, "
                   "or 1/10 where the key holds its most common value (an answer with every "
                   "entry the same earns nothing)") and score == pytest.approx(0.9)
    score, _, msg = grade("vector", "[1, 9, 3, 9, 9, 6]", [1, 2, 3, 4, 5, 6])
    assert msg.startswith("3 of 6 entries wrong: entries 2, 4-5;") and score == pytest.approx(0.4)
    assert "each wrong entry costs 1/5" in msg


def test_choice_is_all_or_nothing():
    choices = ("N", "C", "H", "W")
    assert compare_field("choice", parse_field("choice", "NHW", choices=choices, multiple=True),
                         ["N", "H", "W"])[:2] == (1.0, True)
    assert compare_field("choice", parse_field("choice", "NH", choices=choices, multiple=True),
                         ["N", "H", "W"])[:2] == (0.0, False)


def test_given_fraction_against_float_key():
    assert compare_field("number", F(2, 3), 0.6667)[1]


def test_a_transposed_answer_is_diagnosed_not_refused():
    """16x4 for a 3x4 key would be refused; its transpose is a named layout mistake."""
    fam = families.get("dropout")
    x = [[float(i + 2 * j + 1) for j in range(4)] for i in range(3)]
    params = {"p": 0.5, "input": x, "mask": [[1] * 4] * 3, "training": False}
    transposed = [list(col) for col in zip(*x)]
    grade_ = fam.check(params, {"output": transposed})
    assert grade_.score == 0.0 and grade_.misconception == "transposed_answer"
    assert grade_.fields[0].feedback == "expected 3x4, got 4x3"  # graded: the shape may be said
    typed = "; ".join(" ".join(str(v) for v in row) for row in x)
    assert fam.check(params, typed).correct


@pytest.mark.parametrize("key", [[0] * 8 + [1, 2, 3, 4], [1, 2, 3, 4, 5, 6], [5, 5, 5], [10, 0, 0, 0, 0]])
def test_entry_costs_rebuild_the_credit(key):
    """Exporters score entry by entry: 1 minus the costs of the wrong entries, floored at 0."""
    from itertools import product

    from quizsvc.answers import entry_costs
    cost = entry_costs(key)
    for right in product([True, False], repeat=len(key)):
        expected = max(0.0, 1 - sum(c for c, r in zip(cost, right) if not r))
        if all(right):
            expected = 1.0
        assert array_credit(list(right), key) == pytest.approx(expected)
