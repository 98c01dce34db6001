"""Reference problems comparing a convolution with a fully connected layer, restated."""

from quizsvc import families

FAMILY = families.get("fc_param_count")


def test_discussion_000_2i_conv_vs_fc_on_256x256_rgb():
    """Discussion 000 2(i): 3x256x256, 32 filters 5x5, stride 2, no padding.

    The output is 32x126x126 = 508,032 activations; the FC layer has 196,608 x 508,032
    = 99,883,155,456 weights (the document's "about 100B", right). The document's conv count,
    32 x 3 x 5 x 5 = 2400, leaves out the 32 biases that `nn.Conv2d` has by default: with
    PyTorch's `bias=True` the layer has 2432 parameters (and the FC layer 508,032 biases more).
    """
    stated = {"in_shape": [3, 256, 256], "out_channels": 32, "kernel_size": 5, "stride": 2}
    without = FAMILY.solve({**stated, "bias": False})
    assert without == {"conv_total": 2400, "fc_total": 196_608 * 508_032}
    assert without["fc_total"] == 99_883_155_456
    with_bias = FAMILY.solve(stated)
    assert with_bias["conv_total"] == 2432, "the document's 2400 omits PyTorch's default biases"
    assert with_bias["fc_total"] == 196_608 * 508_032 + 508_032
    # The document's 2400 with biases switched on is the catalogued forgot_bias mistake.
    grade = FAMILY.check(stated, {"conv_total": 2400, "fc_total": 196_608 * 508_032})
    assert grade.misconception == "forgot_bias"


def test_quiz_003_2_1_fc_with_1000_neurons():
    """Quiz 003 2.1: an FC layer on 256x256x3 with 1000 neurons: 196,608,000 weights (right).

    Restated as a layer with 1000 outputs: a convolution whose 256x256 kernel covers the whole
    input gives 1000x1x1 activations, so the FC layer of this family has exactly 1000 outputs
    (and the convolution, with nothing left to share, the same count).
    """
    stated = {"in_shape": [3, 256, 256], "out_channels": 1000, "kernel_size": 256}
    assert FAMILY.solve({**stated, "bias": False})["fc_total"] == 196_608_000
    assert FAMILY.solve(stated)["fc_total"] == 196_608_000 + 1000
    assert FAMILY.solve({**stated, "bias": False})["conv_total"] == 196_608_000


def test_quiz_003_2_2_conv_7x7_32_filters_to_84x84():
    """Quiz 003 2.2: 7x7 filters over 3 channels, depth 32, 84x84 output: 4704 weights (right).

    Stride 3 without padding gives floor((256 - 7)/3) + 1 = 84. The key counts weights only;
    with PyTorch's default biases the layer has 4704 + 32 = 4736 parameters.
    """
    stated = {"in_shape": [3, 256, 256], "out_channels": 32, "kernel_size": 7, "stride": 3}
    assert FAMILY.solve({**stated, "bias": False})["conv_total"] == 4704
    key = FAMILY.solve(stated)
    assert key["conv_total"] == 4736
    # 32 x 84 x 84 activations: more neurons than the FC layer of 2.1, far fewer weights.
    assert key["fc_total"] == 196_608 * (32 * 84 * 84) + 32 * 84 * 84
