"""Discussion 001 1(e): without zero padding, the output shrinks as the kernel grows.

The document's setting is 1(a)'s: an input of length 9, stride 1. The output is 9 - k + 1, the
largest kernel is 9 (the whole input) and its output has one entry: a fully connected neuron,
which is 1(e)'s comparison with fully connected layers. (The document gives no answer.)
"""

from quizsvc import families

FAMILY = families.get("kernel_growth")


def test_discussion_001_1e_length_9():
    key = FAMILY.solve({"length": 9, "kernel_sizes": [1, 3, 5, 9]})
    assert key == {"sizes": [9, 7, 5, 1], "max_kernel": 9, "out_at_max": 1}
    grade = FAMILY.check({"length": 9, "kernel_sizes": [1, 3, 5, 9]},
                         {"sizes": [8, 6, 4, 0], "max_kernel": 9, "out_at_max": 0})
    assert grade.misconception == "no_plus_one"
