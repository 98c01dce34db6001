"""Discussion 000 question 2(a), 2(b): output length, first and last elements in symbols.

The document numbers x and k from 1 (x1 ... x9, k1 k2 k3), as the family does; its answers
are right: our keys equal them term by term.
"""

from quizsvc import families

FAMILY = families.get("first_last_symbolic")


def test_discussion_000_2a_no_padding():
    """2(a): length 9 - 3 + 1 = 7; first k1x1 + k2x2 + k3x3; last k1x7 + k2x8 + k3x9 (key right)."""
    params = {"length": 9, "kernel_size": 3}
    doc = {"length": "7", "first": "k_1x_1 + k_2x_2 + k_3x_3", "last": "k_1x_7 + k_2x_8 + k_3x_9"}
    grade = FAMILY.check(params, doc)
    assert grade.correct and grade.score == 1.0
    assert FAMILY.solve(params)["length"] == 7


def test_discussion_000_2b_same_padding():
    """2(b): "same" pads one zero each side: length 9; first k2x1 + k3x2; last k1x8 + k2x9."""
    params = {"length": 9, "kernel_size": 3, "padding": "same"}
    doc = {"length": 9, "first": "k_2x_1 + k_3x_2", "last": "k_1x_8 + k_2x_9"}
    assert FAMILY.check(params, doc).correct
    assert FAMILY.check({**params, "padding": 1}, doc).correct  # padding=1 is the same layer here
    # Writing the valid-convolution answer under same padding is the catalogued mistake.
    grade = FAMILY.check(params, {"length": 7, "first": "k1x1+k2x2+k3x3", "last": "k1x7+k2x8+k3x9"})
    assert grade.misconception == "ignored_padding"
    # The flipped kernel (true convolution) is diagnosed too.
    grade = FAMILY.check(params, {"length": 9, "first": "k2x1 + k1x2", "last": "k3x8 + k2x9"})
    assert grade.misconception == "flipped_kernel"
