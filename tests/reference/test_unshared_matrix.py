"""Discussion 000 2(e) and 001 1(c): a 1D convolution of a length-9 input, kernel 3, no sharing.

000 2(e) counts (9 - 3 + 1) * 3 = 21 weights without padding, and "4 more" with same padding:
its matrix has rows [k-1 k0 0 ...] and [... k22 k23], so it counts only taps that meet real
inputs (25). Counting every tap of every window, padded ones included, gives 9 * 3 = 27. Both
conventions are ours to state; under its own, the document is right.
"""

from quizsvc import families

FAMILY = families.get("unshared_matrix")


def test_discussion_000_2e_no_padding_21_weights_either_way():
    for convention in ("all_taps", "real_taps"):
        key = FAMILY.solve({"in_size": [9], "kernel_size": 3, "convention": convention})
        assert key == {"shape": [7, 9], "weights": 21}


def test_discussion_000_2e_same_padding_21_plus_4_under_its_convention():
    params = {"in_size": [9], "kernel_size": 3, "padding": "same"}
    assert FAMILY.solve({**params, "convention": "real_taps"}) == {"shape": [9, 9], "weights": 25}
    assert FAMILY.solve({**params, "convention": "all_taps"}) == {"shape": [9, 9], "weights": 27}
    grade = FAMILY.check({**params, "convention": "all_taps"}, {"shape": "9x9", "weights": 25})
    assert grade.misconception == "other_convention"
