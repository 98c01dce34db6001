"""Reference 004 Q6(b): dropout without and with the rescaling PyTorch does during training.

The homework keeps each feature with probability p and does not rescale in training, so the
learned weights must be multiplied by p at inference; the chatbot's "scale w by p" is right for
that convention. PyTorch's `nn.Dropout(p)` names the *drop* probability p and divides the kept
units by 1 - p during training instead, so evaluation is the identity. The tests state both
with explicit numbers.
"""

from itertools import product

from quizsvc import families

FAMILY = families.get("dropout")


def _expected_training_output(x, p_drop):
    """Average the training output over every mask, weighted by its probability."""
    mean = [0.0] * len(x)
    for mask in product((0, 1), repeat=len(x)):
        weight = 1.0
        for m in mask:
            weight *= (1 - p_drop) if m else p_drop
        out = FAMILY.solve({"p": p_drop, "input": x, "mask": list(mask), "training": True})["output"]
        mean = [a + weight * o for a, o in zip(mean, out)]
    return mean


def test_004_q6_pytorch_training_output_is_unbiased():
    """Keep probability 0.8 in the homework's terms is `nn.Dropout(p=0.2)`: E[output] = x."""
    x = [2.0, -1.0, 4.0]
    assert all(abs(a - b) < 1e-12 for a, b in zip(_expected_training_output(x, 0.2), x))
    assert FAMILY.solve({"p": 0.2, "input": x, "mask": [1, 0, 1], "training": False}) == \
        {"output": x}


def test_004_q6_without_rescaling_inference_must_scale_by_keep_probability():
    """Unscaled dropout (x * mask) has mean p_keep * x: the homework's p-scaling at inference.

    In our catalogue that training output is the mistake `forgot_to_scale`.
    """
    x, p_drop = [2.0, -1.0, 4.0], 0.2
    params = {"p": p_drop, "input": x, "mask": [1, 0, 1], "training": True}
    assert FAMILY.check(params, "[2, 0, 4]").misconception == "forgot_to_scale"
    unscaled_mean = [0.0] * len(x)
    for mask in product((0, 1), repeat=len(x)):
        weight = 1.0
        for m in mask:
            weight *= (1 - p_drop) if m else p_drop
        unscaled_mean = [a + weight * v * m for a, v, m in zip(unscaled_mean, x, mask)]
    assert all(abs(a - 0.8 * v) < 1e-12 for a, v in zip(unscaled_mean, x))
    # PyTorch moves that factor into training: the kept units are divided by 0.8.
    assert FAMILY.solve(params) == {"output": [2.5, 0.0, 5.0]}
