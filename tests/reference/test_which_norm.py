"""Transcript 004 question 3: which shaded (N, C, H, W) block is batch norm, which layer norm?

The transcript's diagram was not visible to the chatbot, which answered in general terms
(batch norm: along N for each channel, over H, W too; layer norm: C, H, W of one sample; both
right). The family draws the diagram from the parameters; here are the two blocks of the
question, restated with a 4x6x(3x3) batch.
"""

import xml.etree.ElementTree as ET

from quizsvc import families

FAMILY = families.get("which_norm")
SHAPE = [4, 6, 3, 3]


def test_transcript_004_q3_batch_norm_block():
    params = {"norm": "batch", "shape": SHAPE}
    assert FAMILY.solve(params) == {"norm": "BatchNorm2d", "count": 4 * 3 * 3}
    problem = FAMILY.build(FAMILY.validate(params))
    (figure,) = problem.figures
    assert figure.part == "prompt" and "every sample, channel 1 only" in figure.alt
    ET.fromstring(figure.svg)
    # Reading the block as layer norm is the catalogued swap.
    assert FAMILY.check(params, {"norm": "LayerNorm", "count": 6 * 9}).misconception == \
        "batch_layer_swapped"


def test_transcript_004_q3_layer_norm_block():
    params = {"norm": "layer", "shape": SHAPE}
    assert FAMILY.solve(params) == {"norm": "LayerNorm", "count": 6 * 3 * 3}
    (figure,) = FAMILY.build(FAMILY.validate(params)).figures
    assert "sample 1 only, every channel" in figure.alt
