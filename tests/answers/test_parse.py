"""Answers as people type them: every form of the issue, and the errors a student sees."""

import time
from fractions import Fraction as F

import pytest

from quizsvc.answers import MAX_ANSWER_CHARS, parse_field
from quizsvc.errors import AnswerError


@pytest.mark.parametrize("kind,text,value", [
    ("integer", "12", 12),
    ("integer", "-3", -3),
    ("integer", " +7 ", 7),
    ("integer", "\u22123", -3),          # a typographic minus sign
    ("integer", "1,000", 1000),          # thousands separators
    ("number", "3/4", F(3, 4)),
    ("number", "-3 / 4", F(-3, 4)),
    ("number", "1e-3", F(1, 1000)),
    ("number", "2.5E2", 250),
    ("number", ".5", F(1, 2)),
    ("number", 0.25, F(1, 4)),
    ("number", 7, 7),
    ("vector", "[2, -1, 3]", [2, -1, 3]),
    ("vector", "2 -1 3", [2, -1, 3]),
    ("vector", "(2, -1, 3)", [2, -1, 3]),
    ("vector", "2,-1,3", [2, -1, 3]),
    ("vector", "[0.5, 1/4]", [F(1, 2), F(1, 4)]),
    ("vector", [2, "-1", 3.5], [2, -1, F(7, 2)]),
    ("vector", "4", [4]),
    ("matrix", "[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
    ("matrix", "1 2; 3 4", [[1, 2], [3, 4]]),
    ("matrix", "1 2\n3 4", [[1, 2], [3, 4]]),
    ("matrix", "[1 2] [3 4]", [[1, 2], [3, 4]]),
    ("matrix", "[1, 2], [3, 4]", [[1, 2], [3, 4]]),
    ("matrix", "((1, 2), (3, 4))", [[1, 2], [3, 4]]),
    ("matrix", "[[1, 2]; [3, 4]]", [[1, 2], [3, 4]]),
    ("matrix", "1 2 3", [[1, 2, 3]]),   # one row typed flat
    ("matrix", [[1, 2], [3, 4]], [[1, 2], [3, 4]]),
    ("shape", "31x31x10", [31, 31, 10]),
    ("shape", "(32, 126, 126)", [32, 126, 126]),
    ("shape", "4 x 16", [4, 16]),
    ("shape", "4\u00d716", [4, 16]),    # the multiplication sign
    ("shape", "[4, 16]", [4, 16]),
    ("shape", "32*126*126", [32, 126, 126]),
    ("shape", [4, 16], [4, 16]),
    ("shape", 12, [12]),
    # A negative size is wrong, not unreadable: a buggy formula gives one and the grade says so.
    ("shape", "-1x4", [-1, 4]),
])
def test_forms_people_type(kind, text, value):
    assert parse_field(kind, text) == value


def test_parsed_numbers_are_exact():
    assert parse_field("number", "1/3") == F(1, 3)
    assert parse_field("number", "0.1") == F(1, 10)
    assert all(isinstance(v, F) for v in parse_field("vector", "1 2.5 3/4"))


@pytest.mark.parametrize("kind,text,words", [
    ("number", "", "empty"),
    ("number", "abc", "not a number"),
    ("number", "3/0", "divides by zero"),
    ("number", "nan", "not a number"),
    ("number", "inf", "not a number"),
    ("number", float("inf"), "finite"),
    ("number", True, "true/false"),
    ("number", [1], "expected a number"),
    ("number", "1e999", "too large"),
    ("number", 10**40, "too large"),
    ("number", "1" * 70, "at most 64"),
    ("integer", "1,5", "not a number"),
    ("vector", "[2, -1, 3", "expected a vector"),
    ("vector", "[1 2; 3 4]", "expected a vector"),
    ("vector", [1, [2]], "nested"),
    ("vector", "[]", "empty"),
    ("vector", "2 - 1", "not a number"),
    ("matrix", "[[1, 2], [3]]", "row 2 has 1 entries but row 1 has 2"),
    ("matrix", "[[1, 2], [3, 4]", "could not read the matrix"),
    ("matrix", [[1, 2], 3], "mixed numbers and rows"),
    ("matrix", {"a": 1}, "expected a matrix"),
    ("matrix", "", "empty"),
    ("shape", "4x16.5", "whole number"),
    ("shape", "1x2x3x4x5x6x7x8x9", "at most 8"),
    ("shape", [1] * 9, "at most 8"),
    ("shape", "(4, 16); (1, 2)", "write a shape"),
    ("shape", 2.5, "write a shape"),
    ("vector", "1 " * MAX_ANSWER_CHARS, "too long"),
])
def test_unreadable_answers_say_why(kind, text, words):
    with pytest.raises(AnswerError) as info:
        parse_field(kind, text)
    assert words in info.value.message


@pytest.mark.parametrize("text,value", [
    ("NHW", ["N", "H", "W"]), ("N, H, W", ["N", "H", "W"]), ("[w, h, n]", ["N", "H", "W"]),
    ("C;H;W", ["C", "H", "W"]), (["h", "W"], ["H", "W"]), ("N N", ["N"]),
])
def test_multiple_choice_is_a_set_in_catalogue_order(text, value):
    assert parse_field("choice", text, choices=("N", "C", "H", "W"), multiple=True) == value


@pytest.mark.parametrize("text", ["X", "N, X", "", 5, "NHX"])
def test_multiple_choice_refuses_unknown_options(text):
    with pytest.raises(AnswerError):
        parse_field("choice", text, choices=("N", "C", "H", "W"), multiple=True)


def test_single_choice_ignores_case_and_spaces():
    choices = ("train", "eval")
    assert parse_field("choice", "  EVAL ", choices=choices) == "eval"
    with pytest.raises(AnswerError, match="not one of"):
        parse_field("choice", "test", choices=choices)


def test_empty_value_is_an_answer_error():
    with pytest.raises(AnswerError, match="empty"):
        parse_field("vector", None)


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_field("tensor", "1")


@pytest.mark.parametrize("kind", ["vector", "matrix", "shape", "number"])
def test_deeply_nested_brackets_parse_in_linear_time(kind):
    """A 20,000-character answer of nested brackets once took ~10 s (quadratic bracket stripping)."""
    depth = MAX_ANSWER_CHARS // 2 - 1
    text = "(" * depth + "1" + ")" * depth
    start = time.perf_counter()
    try:
        parse_field(kind, text)
    except AnswerError:
        pass
    assert time.perf_counter() - start < 1.0


def test_a_shape_with_words_says_how_to_write_a_shape():
    from quizsvc.answers import parse_shape
    from quizsvc.errors import AnswerError
    with pytest.raises(AnswerError) as info:
        parse_shape("128 by 250")
    assert info.value.message == "'by' is not a size; write a shape like 31x31x10 or (32, 126, 126)"
