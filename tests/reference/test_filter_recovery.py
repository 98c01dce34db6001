"""Reference problems on recovering a filter, restated with explicit parameters."""

from quizsvc import families

FAMILY = families.get("filter_recovery")


def test_chat_004_q2_2_length_3_filter():
    """Chat 004 Q2.2: [1, 4, 0, -2, 3] gave [-2, 2, 11] with a length-3 filter, no padding,
    stride 1, no flip: the filter is [2, -1, 3] (the chatbot's answer is right).

    The chatbot's three equations (1w1 + 4w2 + 0w3 = -2, 4w1 + 0w2 - 2w3 = 2,
    0w1 - 2w2 + 3w3 = 11) are the windows of the input, and they are independent.
    """
    params = {"input": [1, 4, 0, -2, 3], "output": [-2, 2, 11], "kernel_size": 3, "stride": 1}
    assert FAMILY.solve(params) == {"kernel": [2, -1, 3]}
    w = [2, -1, 3]
    windows = [[1, 4, 0], [4, 0, -2], [0, -2, 3]]
    assert [sum(a * b for a, b in zip(row, w)) for row in windows] == [-2, 2, 11]
    assert FAMILY.check(params, "[2, -1, 3]").correct
    # Reading the equations as a true convolution reverses the filter; that mistake is named.
    grade = FAMILY.check(params, "3 -1 2")
    assert not grade.correct and grade.misconception == "flipped_kernel"
