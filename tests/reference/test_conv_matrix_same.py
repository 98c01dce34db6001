"""Discussion 000 2(d) and discussion 001 1(a): the 9x9 matrix of a "same" convolution.

Both documents use a symbolic kernel [k1 k2 k3]; we take k = [1, 2, 3] so that each entry is
recognisable. 000 2(d)'s matrix (first row [k2 k3 0 ...], last row [... 0 k1 k2]) is right.
"""

from quizsvc import families

FAMILY = families.get("conv_matrix_same")
K = [1, 2, 3]


def doc_matrix():
    """The band drawn in 000 2(d), with k1, k2, k3 = 1, 2, 3."""
    return [[2, 3] + [0] * 7] + [[0] * r + K + [0] * (6 - r) for r in range(7)] + [[0] * 7 + [1, 2]]


def test_discussion_000_2d_and_001_1a_same_padding_9x9():
    params = {"in_size": [9], "kernel": K}
    key = FAMILY.solve(params)["matrix"]
    assert key == doc_matrix()
    x = list(range(1, 10))
    conv = families.get("conv_forward").solve({"input": x, "kernel": K, "padding": 1})["output"]
    assert [sum(a * b for a, b in zip(row, x)) for row in key] == conv
    # The valid convolution's 7x9 matrix of 2(c) is the catalogued "ignored padding" mistake.
    valid = [[0] * r + K + [0] * (6 - r) for r in range(7)]
    assert FAMILY.check(params, {"matrix": valid}).misconception == "ignored_padding"


def test_an_even_kernel_pads_the_odd_zero_after():
    """k = [1, 2]: PyTorch pads 0 before and 1 after, so the last row, not the first, is short."""
    key = FAMILY.solve({"in_size": [4], "kernel": [1, 2]})["matrix"]
    assert key == [[1, 2, 0, 0], [0, 1, 2, 0], [0, 0, 1, 2], [0, 0, 0, 1]]
    swapped = [[2, 0, 0, 0], [1, 2, 0, 0], [0, 1, 2, 0], [0, 0, 1, 2]]
    grade = FAMILY.check({"in_size": [4], "kernel": [1, 2]}, {"matrix": swapped})
    assert grade.misconception == "odd_zero_before"
