"""Quiz 003 section 2.1: a fully connected layer of 1000 neurons on a 256x256x3 input.

The document counts weights only: 256 x 256 x 3 = 196,608 per neuron, 196,608,000 in all
(right). With biases, as `nn.Linear` has by default, the layer has 1000 parameters more.
"""

from quizsvc import families

FAMILY = families.get("fc_neurons")


def test_quiz_003_2_1():
    stated = {"in_shape": [256, 256, 3], "neurons": 1000}
    assert FAMILY.solve({**stated, "bias": False}) == {"per_neuron": 196_608, "total": 196_608_000}
    assert FAMILY.solve(stated)["total"] == 196_608_000 + 1000
    grade = FAMILY.check(stated, {"per_neuron": 196_608, "total": 196_608_000})
    assert grade.misconception == "forgot_bias"
