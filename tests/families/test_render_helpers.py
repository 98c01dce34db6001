"""families.render: digit grouping and per-dimension arguments, and how grouping renders."""

from __future__ import annotations

from quizsvc.families.render import arg, group
from quizsvc.render import render_math


def test_group_uses_thin_spaces_from_five_digits():
    assert group(4096) == "4096" and group(-9999) == "-9999"
    assert group(12345) == r"12\,345"
    assert group(119997696) == r"119\,997\,696"
    assert group(-1234567, math=False) == "-1\u202f234\u202f567"
    assert group(12345.0) == r"12\,345"  # a whole float is an integer
    assert group(0.25) == "0.25"


def test_grouped_number_renders_without_a_list_comma():
    mathml = render_math(rf"{group(91392)} = {group(119997696)}")
    assert "<mo>,</mo>" not in mathml and "mspace" in mathml


def test_arg_writes_one_value_for_equal_dimensions():
    assert arg([2, 2]) == "2" and arg([3]) == "3" and arg([2, 1]) == "(2, 1)"
