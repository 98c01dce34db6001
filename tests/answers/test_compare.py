"""Comparing parsed answers with keys: shape errors, partial credit per entry, the one tolerance."""

from fractions import Fraction as F

import pytest

from quizsvc import families
from quizsvc.answers import ATOL, RTOL, compare_field, parse_field, tolerance_for


def grade(kind, typed, key):
    return compare_field(kind, parse_field(kind, typed), key)


def test_the_documented_tolerance():
    assert (ATOL, RTOL) == (0.01, 0.01)
    assert tolerance_for(0.5) == 0.01          # the absolute floor for small keys
    assert tolerance_for(-250.0) == 2.5        # 1% of large keys


@pytest.mark.parametrize("typed,key,ok", [
    ("100.9", 100.0, True), ("101.1", 100.0, False), ("99.05", 100.0, True),
    ("0.509", 0.5, True), ("0.52", 0.5, False), ("-0.005", 0.0, True), ("0.011", 0.0, False),
    ("1/3", 0.333333333, True), ("0.33", 1 / 3, True), ("0.32", 1 / 3, False),
    ("-2.5e3", -2510.0, True),
])
def test_real_entries_use_the_tolerance(typed, key, ok):
    score, correct, _ = grade("number", typed, key)
    assert correct is ok and score == (1.0 if ok else 0.0)


@pytest.mark.parametrize("kind,typed,key,ok", [
    ("integer", "12", 12, True), ("integer", "12.0", 12, True), ("integer", "12.001", 12, False),
    ("integer", "24/2", 12, True), ("number", "3.001", 3, False),  # an int key is exact in any field
    ("vector", "[1, 2.001]", [1, 2], False),
])
def test_integers_are_exact(kind, typed, key, ok):
    assert grade(kind, typed, key)[1] is ok


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


def test_partial_credit_per_entry():
    assert grade("vector", "[1, 2, 3, 5]", [1.0, 2.0, 3.0, 4.0]) == (0.75, False, "3 of 4 entries are right")
    assert grade("matrix", "1 2; 3 5", [[1, 2], [3, 4]]) == (0.75, False, "3 of 4 entries are right")
    assert grade("shape", "32x126x125", [32, 126, 126]) == (2 / 3, False, "2 of 3 sizes are right")
    assert grade("vector", "[1.004, 2, 3]", [1.0, 2.0, 3.0]) == (1.0, True, "correct")


def test_choice_is_all_or_nothing():
    choices = ("N", "C", "H", "W")
    assert compare_field("choice", parse_field("choice", "NHW", choices=choices, multiple=True),
                         ["N", "H", "W"])[:2] == (1.0, True)
    assert compare_field("choice", parse_field("choice", "NH", choices=choices, multiple=True),
                         ["N", "H", "W"])[:2] == (0.0, False)


def test_given_fraction_against_float_key():
    assert compare_field("number", F(2, 3), 0.6667)[1]


def test_wrong_shape_through_a_family_check_is_a_grade_not_a_crash():
    """The issue's example: a 16x4 answer to a 4x16 key is graded, never an exception."""
    fam = families.get("dropout")
    x = [[float(i + j) for j in range(4)] for i in range(3)]
    params = {"p": 0.5, "input": x, "mask": [[1] * 4] * 3, "training": False}
    transposed = [list(col) for col in zip(*x)]
    grade_ = fam.check(params, {"output": transposed})
    assert grade_.score == 0.0 and grade_.fields[0].feedback == "expected 3x4, got 4x3"
    typed = "; ".join(" ".join(str(v) for v in row) for row in x)
    assert fam.check(params, typed).correct
