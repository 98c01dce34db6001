"""Reference problems on convolving concrete numbers, restated with explicit parameters."""

from quizsvc import families

FAMILY = families.get("conv_forward")
K = [1, 2, 3]          # discussion 000's [k1, k2, k3]
X = list(range(1, 10))  # discussion 000's [x1 ... x9]


def test_discussion_000_2a_no_padding():
    """Discussion 000 2(a): 7 outputs, first k1x1 + k2x2 + k3x3, last k1x7 + k2x8 + k3x9 (key right)."""
    out = FAMILY.solve({"input": X, "kernel": K})["output"]
    assert len(out) == 9 - 3 + 1
    assert out[0] == 1 * 1 + 2 * 2 + 3 * 3 == 14
    assert out[-1] == 1 * 7 + 2 * 8 + 3 * 9 == 50


def test_discussion_000_2b_same_padding():
    """Discussion 000 2(b): padding 1: 9 outputs, first k2x1 + k3x2, last k1x8 + k2x9 (key right)."""
    out = FAMILY.solve({"input": X, "kernel": K, "padding": 1})["output"]
    assert len(out) == 9
    assert out[0] == 2 * 1 + 3 * 2 == 8
    assert out[-1] == 1 * 8 + 2 * 9 == 26


def test_quiz_003_10_output_of_the_4x4_example():
    """Quiz 003 Q10: the 2x2 output y = A x that the quiz leaves implicit is [[81, 45], [67, 18]]."""
    x = [[1, 1, 1, 1], [2, 2, 2, 0], [3, 3, 0, 0], [4, 0, 0, 0]]
    k = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    params = {"input": x, "kernel": k}
    assert FAMILY.solve(params) == {"output": [[81, 45], [67, 18]]}
    # Flipping the kernel (a true convolution) is the classic mistake: y[0][0] would be
    # 1*9 + 1*8 + 1*7 + 2*6 + 2*5 + 2*4 + 3*3 + 3*2 + 0*1 = 69.
    flipped = [[sum(x[i + a][j + b] * k[2 - a][2 - b] for a in range(3) for b in range(3))
                for j in range(2)] for i in range(2)]
    assert flipped[0][0] == 69
    grade = FAMILY.check(params, {"output": flipped})
    assert not grade.correct and grade.misconception == "flipped_kernel"
