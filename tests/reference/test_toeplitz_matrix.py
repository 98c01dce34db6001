"""Reference problems on convolution as a matrix, restated with explicit parameters.

Discussion 000 question 2 uses a symbolic kernel [k1, k2, k3] and x = [x1 ... x9]; we take
k = [1, 2, 3] and x = 1..9, so that each kernel entry is recognisable in the matrices.
"""

from quizsvc import families

FAMILY = families.get("toeplitz_matrix")
K = [1, 2, 3]
X = list(range(1, 10))


def matvec(a, x):
    return [sum(r * v for r, v in zip(row, x)) for row in a]


def test_discussion_000_2c_valid_convolution_is_7x9():
    """Discussion 000 2(c): no padding, stride 1: K is 7x9, row r = [0]*r + [k1 k2 k3] + zeros (key right)."""
    key = FAMILY.solve({"in_size": [9], "kernel": K})["matrix"]
    doc = [[0] * r + K + [0] * (6 - r) for r in range(7)]  # the band drawn in the document
    assert key == doc
    conv = families.get("conv_forward").solve({"input": X, "kernel": K})["output"]
    assert matvec(key, X) == conv


def test_discussion_000_2d_same_padding_is_9x9():
    """Discussion 000 2(d): "same" padding 1 adds a first row [k2 k3 0 ...] and a last row [... 0 k1 k2].

    The rows in between are those of 2(c), shifted down by one: the document's matrix is right.
    """
    key = FAMILY.solve({"in_size": [9], "kernel": K, "padding": 1})["matrix"]
    doc = [[2, 3] + [0] * 7] + [[0] * r + K + [0] * (6 - r) for r in range(7)] + [[0] * 7 + [1, 2]]
    assert key == doc
    assert len(key) == 9 and all(len(row) == 9 for row in key)
    conv = families.get("conv_forward").solve({"input": X, "kernel": K, "padding": 1})["output"]
    assert matvec(key, X) == conv


def test_quiz_003_10_4x16_matrix_of_a_3x3_kernel_on_4x4():
    """Quiz 003 Q10: the 4x16 matrix A of a 3x3 kernel on a 4x4 image; every row of the key is right."""
    x = [[1, 1, 1, 1], [2, 2, 2, 0], [3, 3, 0, 0], [4, 0, 0, 0]]
    k = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    doc = [
        [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0],
        [0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0],
        [0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0],
        [0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9],
    ]
    params = {"in_size": [4, 4], "kernel": k}
    key = FAMILY.solve(params)["matrix"]
    for r, (ours, theirs) in enumerate(zip(key, doc)):
        assert ours == theirs, f"row {r} of the quiz's A differs"
    assert len(key) == 4
    x_flat = [v for row in x for v in row]
    assert x_flat == [1, 1, 1, 1, 2, 2, 2, 0, 3, 3, 0, 0, 4, 0, 0, 0]  # the document's x vector
    y = matvec(key, x_flat)
    assert y == [81, 45, 67, 18]
    conv = families.get("conv_forward").solve({"input": x, "kernel": k})["output"]
    assert conv == [[81, 45], [67, 18]]
    assert FAMILY.check(params, {"matrix": doc}).correct
    # The transpose (16x4) is a catalogued mistake, and the feedback names the shape.
    grade = FAMILY.check(params, {"matrix": [list(c) for c in zip(*doc)]})
    assert grade.misconception == "transposed"
    assert "expected 4x16, got 16x4" in grade.fields[0].feedback
