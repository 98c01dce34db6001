"""Reference 004 Q3 (which shaded block is batch norm, which is layer norm), restated on NCHW."""

from quizsvc import families

FAMILY = families.get("normalization_axes")
SHAPE = [8, 3, 4, 4]  # (N, C, H, W)


def test_004_q3_batch_norm_is_not_per_position():
    """The chatbot's answer is wrong for a CNN.

    It says batch norm normalizes "across the batch dimension N ... for each fixed channel C and
    spatial location H, W". That is BatchNorm1d on (N, features) data, one statistic per
    feature. In a convolutional network (`nn.BatchNorm2d` on NCHW) a channel is one feature
    shared by every position, so one mean per channel averages over N, H and W: 8*4*4 = 128
    values here, not 8.
    """
    params = {"norm": "batch", "shape": SHAPE}
    assert FAMILY.solve(params) == {"axes": ["N", "H", "W"], "count": 128}
    chatbot = FAMILY.check(params, {"axes": "N", "count": 8})
    assert not chatbot.correct and chatbot.misconception == "bn_per_position"


def test_004_q3_layer_norm_is_per_sample():
    """The chatbot is right about layer norm: per sample, over C, H and W (3*4*4 = 48 values)."""
    params = {"norm": "layer", "shape": SHAPE}
    assert FAMILY.solve(params) == {"axes": ["C", "H", "W"], "count": 48}
    assert FAMILY.check(params, {"axes": "C, H, W", "count": "48"}).correct


def test_004_q3_the_other_shadings_of_such_diagrams():
    """The usual diagram also shades instance norm (H, W) and group norm (a slab of channels)."""
    assert FAMILY.solve({"norm": "instance", "shape": SHAPE}) == {"axes": ["H", "W"], "count": 16}
    assert FAMILY.solve({"norm": "group", "shape": [8, 6, 4, 4], "num_groups": 2}) == \
        {"axes": ["C", "H", "W"], "count": 48}
