"""Reference problems on "same" padding, restated with explicit parameters."""

from quizsvc import families

FAMILY = families.get("same_padding")


def test_discussion_000_2b_nine_long_input_kernel_3():
    """Discussion 000 2(b): a 9-long input, kernel 3, "same": one zero at each end (key right)."""
    key = FAMILY.solve({"in_size": [9], "kernel_size": 3})
    assert key == {"padding": [[1, 1]]}


def test_quiz_003_5_kernel_7_on_32x32():
    """Quiz 003 section 5: 32x32, kernel 7, stride 1: pad 3 on all sides (key right)."""
    key = FAMILY.solve({"in_size": [32, 32], "kernel_size": 7})
    assert key == {"padding": [[3, 3], [3, 3]]}
    assert FAMILY.check({"in_size": [32, 32], "kernel_size": 7}, "3 3; 3 3").correct
