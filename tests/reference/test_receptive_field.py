"""Reference problems on receptive fields, restated."""

import pytest

from quizsvc import families

FAMILY = families.get("receptive_field")


def test_homework_002_q1_2_two_5x5_layers_are_one_9x9():
    """Homework 002 Q1.2: two 5x5 stride-1 layers see as much as one 9x9 (key right)."""
    stated = {"variant": "stack", "layers": [{"kernel_size": 5}, {"kernel_size": 5}]}
    assert FAMILY.solve(stated) == {"receptive_field": 9}
    # 10 (5 + 5) is the catalogued added_kernels mistake.
    assert FAMILY.check(stated, "10").misconception == "added_kernels"


def test_quiz_003_4_3x3_layers_for_a_15x15():
    """Quiz 003 section 4: 7 layers of 3x3 match a 15x15; 63 weights against 225 save 72%.

    The key is right: (15 - 1)/2 = 7 layers and (225 - 63)/225 = 0.72.
    """
    stated = {"variant": "factorize", "large_kernel": 15, "kernel_size": 3}
    key = FAMILY.solve(stated)
    assert key["layers"] == 7
    assert key["weights_saved_fraction"] == pytest.approx((225 - 63) / 225)
    assert key["weights_saved_fraction"] == pytest.approx(0.72)
    assert FAMILY.check(stated, {"layers": 7, "weights_saved_fraction": "0.72"}).correct
    assert FAMILY.check(stated, {"layers": 7, "weights_saved_fraction": "18/25"}).correct


def test_quiz_003_4_percentage_typed_as_the_fraction():
    """Quiz 003 4 states the saving as "72%"; typing 72 where the fraction 0.72 is asked is named."""
    stated = {"variant": "factorize", "large_kernel": 15, "kernel_size": 3}
    grade = FAMILY.check(stated, {"layers": 7, "weights_saved_fraction": 72})
    assert not grade.correct and grade.misconception == "percent_not_fraction"
