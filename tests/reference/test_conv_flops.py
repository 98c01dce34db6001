"""Reference problem on the cost of a convolution and its weight gradient, restated."""

from quizsvc import families

FAMILY = families.get("conv_flops")

# Homework 002 Q2: one input and one output channel, a 3x3 kernel without padding on a 128x128
# image; the forward model f_w(z) = z * w has no bias.
LAYER = {"in_channels": 1, "out_channels": 1, "in_size": [128, 128], "kernel_size": 3,
         "bias": False}


def test_homework_002_q2_3_forward_pass():
    """Forward: 126 x 126 outputs, each 9 products and 8 additions.

    The multiplications, 142,884, are right. The document's additions, 126,112, are an
    arithmetic slip: 126 x 126 x 8 = 127,008.
    """
    key = FAMILY.solve({**LAYER, "pass": "forward"})
    assert key["multiplications"] == 126 * 126 * 9 == 142_884
    assert key["additions"] == 126 * 126 * 8 == 127_008, "the document's 126,112 is wrong"


def test_homework_002_q2_3_weight_gradient():
    """dL/dw: 9 entries, each a sum of 126 x 126 products, so 9 x (126 x 126 - 1) additions.

    The multiplications, 142,884, are right. For the additions the document repeats the
    forward pass's (wrong) 126,112; each of the 9 sums of 15,876 products takes 15,875
    additions: 142,875. Copying the forward count is the catalogued `copied_forward` mistake.
    """
    stated = {**LAYER, "pass": "grad_weight"}
    key = FAMILY.solve(stated)
    assert key == {"multiplications": 142_884, "additions": 9 * (126 * 126 - 1)}
    assert key["additions"] == 142_875, "the document's 126,112 is the forward count, misadded"
    grade = FAMILY.check(stated, {"multiplications": 142_884, "additions": 127_008})
    assert grade.misconception == "copied_forward"
    assert not FAMILY.check(stated, {"multiplications": 142_884, "additions": 126_112}).correct
