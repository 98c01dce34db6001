"""Reference problem on convolution without weight sharing, restated."""

from quizsvc import families

FAMILY = families.get("locally_connected")


def test_discussion_000_2e_no_padding():
    """Discussion 000 2(e), no padding: 7 positions x 3 weights = 21 (the key is right)."""
    key = FAMILY.solve({"in_size": [9], "in_channels": 1, "out_channels": 1, "kernel_size": 3,
                        "bias": False})
    assert key == {"total": 21}


def test_discussion_000_2e_same_padding_is_27_not_25():
    """Discussion 000 2(e), "same" padding: the key says "4 more" weights (25); it is 27.

    A real locally connected layer (weight shape (positions, C_out, C_in * k), as an unfold
    followed by one matrix per position) has a full 3-tap kernel at each of the 9 positions:
    9 x 3 = 27. The document draws the edge rows with only the two taps that meet real inputs
    (k_{-1}, k_0 and k_22, k_23), leaving out the two taps that multiply padded zeros. Its 25 is
    our catalogued `skipped_padded_weights` mistake.
    """
    stated = {"in_size": [9], "in_channels": 1, "out_channels": 1, "kernel_size": 3,
              "padding": 1, "bias": False}
    key = FAMILY.solve(stated)
    assert key == {"total": 27}, "9 positions x a full 3-tap kernel; the document's 25 skips padded taps"
    grade = FAMILY.check(stated, "25")
    assert not grade.correct and grade.misconception == "skipped_padded_weights"
