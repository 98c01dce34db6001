"""Reference problem on the shapes of a convolution's backward pass, restated."""

from quizsvc import families

FAMILY = families.get("backprop_shapes")


def test_homework_002_q2_2_single_channel_128x128():
    """Homework 002 Q2.2: a 3x3 kernel on a single-channel 128x128 image (keys right).

    The document squeezes away the batch and channel dimensions: x (126, 126), epsilon
    (126, 126), g_z (128, 128), g_w (3, 3). In PyTorch's layout, with N = C = 1 and no bias
    (the forward model is z * w), the same shapes carry two leading ones.
    """
    key = FAMILY.solve({"in_shape": [1, 1, 128, 128], "out_channels": 1, "kernel_size": 3,
                        "bias": False})
    assert key == {"output": [1, 1, 126, 126], "grad_output": [1, 1, 126, 126],
                   "grad_input": [1, 1, 128, 128], "grad_weight": [1, 1, 3, 3]}
    assert key["output"][2:] == [126, 126] and key["grad_input"][2:] == [128, 128]
    assert key["grad_weight"][2:] == [3, 3]
