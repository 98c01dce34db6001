"""Reference problem on depthwise separable convolutions, restated."""

from quizsvc import families

FAMILY = families.get("depthwise_separable")


def test_chat_004_q5_three_to_four_channels():
    """Chat transcript 004 Q5: 3 -> 4 channels, 3x3 kernel, biases ignored (keys right).

    Standard 4 x 3 x 3 x 3 = 108; depthwise 3 x 3 x 3 = 27; pointwise 4 x 3 = 12; 27 + 12 = 39.
    """
    key = FAMILY.solve({"in_channels": 3, "out_channels": 4, "kernel_size": 3, "bias": False})
    assert key == {"standard": 108, "depthwise": 27, "pointwise": 12, "separable": 39}
    # With PyTorch's default biases every layer gains its own: 4, 3 and 4.
    key = FAMILY.solve({"in_channels": 3, "out_channels": 4, "kernel_size": 3})
    assert key == {"standard": 112, "depthwise": 30, "pointwise": 16, "separable": 46}
