"""Reference problems on transposed convolution, restated with explicit parameters."""

from quizsvc import families

FAMILY = families.get("transpose_conv")


def test_chat_004_q2_3_definition_1d_stride_2():
    """Chat 004 Q2.3 defines [a,b,c] * [x,y,z], stride 2, as [ax, ay, az+bx, by, bz+cx, cy, cz] (right).

    With a, b, c = 2, 3, 5 and x, y, z = 1, 10, 100 every product is recognisable.
    """
    key = FAMILY.solve({"input": [2, 3, 5], "kernel": [1, 10, 100], "stride": 2})
    a, b, c, x, y, z = 2, 3, 5, 1, 10, 100
    assert key == {"output": [a * x, a * y, a * z + b * x, b * y, b * z + c * x, c * y, c * z]}


def test_chat_004_q2_3_2x2_stride_1():
    """Chat 004 Q2.3: [[-1, 2], [3, 1]] with kernel [[1, -1], [0, 1]], stride 1, pad 0.

    The right output is [[-1, 3, -2], [3, -3, 1], [0, 3, 1]], which the chatbot gives after
    being corrected. Its first answer [[-1, 6, -2], [0, -3, 1], [0, 0, 1]] is wrong: the copy
    3*k = [[3, -3], [0, 3]] of the input entry 3 at (1, 0) belongs at rows 1-2, columns 0-1,
    but the chatbot wrote [[0, 3, 0], [0, -3, 0], [0, 0, 0]] (wrong entries, in rows 0-1 of
    column 1), so (0, 1), (1, 0) and (2, 1) come out wrong.
    """
    params = {"input": [[-1, 2], [3, 1]], "kernel": [[1, -1], [0, 1]], "stride": 1, "padding": 0}
    right = [[-1, 3, -2], [3, -3, 1], [0, 3, 1]]
    assert FAMILY.solve(params) == {"output": right}
    assert FAMILY.check(params, "-1 3 -2; 3 -3 1; 0 3 1").correct

    chatbot = [[-1, 6, -2], [0, -3, 1], [0, 0, 1]]
    grade = FAMILY.check(params, {"output": chatbot})
    assert not grade.correct, "the chatbot's first answer must not be accepted"
    # 3 of 9 entries wrong, all of them 3s (the key's most common value): credit (6 - 3) / 6.
    assert abs(grade.score - 0.5) < 1e-6
    assert "3 of 9 entries wrong" in grade.fields[0].feedback
    assert grade.misconception is None  # no catalogued mistake explains a misplaced copy
    # Swapping the chatbot's copy of the entry 3 for the correct one gives the right answer.
    theirs_3 = [[0, 3, 0], [0, -3, 0], [0, 0, 0]]
    right_3 = [[0, 0, 0], [3, -3, 0], [0, 3, 0]]
    fixed = [[chatbot[i][j] - theirs_3[i][j] + right_3[i][j] for j in range(3)] for i in range(3)]
    assert fixed == right
