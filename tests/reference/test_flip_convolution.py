"""Reference statements on flipping, restated with concrete numbers."""

from quizsvc import families

FAMILY = families.get("flip_convolution")


def test_quiz_003_7_flipped_filters_give_the_same_outputs():
    """Quiz 003 Q7: a network using true convolutions learns the flipped filters of one using
    cross-correlation, with the same predictions (the key is right): the true convolution with k
    equals PyTorch's cross-correlation with k flipped, "the leftmost weight ... the rightmost".
    """
    x = [[1, 1, 1, 1], [2, 2, 2, 0], [3, 3, 0, 0], [4, 0, 0, 0]]
    k = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    flipped = FAMILY.solve({"input": x, "kernel": k, "ask": "flipped_kernel"})["flipped_kernel"]
    assert flipped == [[9, 8, 7], [6, 5, 4], [3, 2, 1]]
    true_conv = FAMILY.solve({"input": x, "kernel": k})["output"]
    cross_corr = families.get("conv_forward").solve({"input": x, "kernel": flipped})["output"]
    # By hand: y[0][0] = 9+8+7 + 2*(6+5+4) + 3*(3+2) = 69, y[1][1] = 2*(9+8) + 3*6 = 52.
    assert true_conv == cross_corr == [[69, 55], [93, 52]]


def test_chat_004_q2_no_flip_convention():
    """Chat 004 Q2 fixes the convention of NOT flipping: [1, 4, 0, -2, 3] with the filter
    [2, -1, 3] gives [-2, 2, 11] (the key is right). A reader who flips gets the true convolution
    [-1, 8, 8] instead, and that mistake is named.
    """
    x, k = [1, 4, 0, -2, 3], [2, -1, 3]
    assert families.get("conv_forward").solve({"input": x, "kernel": k}) == {"output": [-2, 2, 11]}
    # True convolution = correlation with [3, -1, 2]: 3*1 - 4 + 0 = -1, 12 - 0 - 4 = 8, 0 + 2 + 6 = 8.
    assert FAMILY.solve({"input": x, "kernel": k}) == {"output": [-1, 8, 8]}
    grade = FAMILY.check({"input": x, "kernel": k}, "[-2, 2, 11]")
    assert not grade.correct and grade.misconception == "no_flip"
