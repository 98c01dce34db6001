"""first_last_symbolic: keys against sliding the kernel over a padded list of symbol names."""

from quizsvc import families
from tests.families.harness import FamilySuite


def slide(params):
    """Pad a list of names with None, slide the kernel, write each window's products as text."""
    n, k, s, d = params["length"], params["kernel_size"], params["stride"], params["dilation"]
    if params["padding"] == "same":
        total = d * (k - 1)
        before, after = total // 2, total - total // 2
    else:
        before = after = params["padding"]
    padded = [None] * before + [f"x{i}" for i in range(1, n + 1)] + [None] * after
    outputs = []
    start = 0
    while start + d * (k - 1) < len(padded):
        terms = [f"k{t + 1}*{padded[start + t * d]}" for t in range(k) if padded[start + t * d]]
        outputs.append(" + ".join(terms) or "0")
        start += s
    return {"length": len(outputs), "first": outputs[0], "last": outputs[-1]}


class TestFirstLastSymbolic(FamilySuite):
    name = "first_last_symbolic"
    bad_params = [
        ({"length": 3, "kernel_size": 5}, "kernel spans 5"),
        ({"length": 9, "kernel_size": 3, "stride": 2, "padding": "same"}, "stride 1"),
        ({"length": 9, "kernel_size": 3, "padding": 4}, "only padding zeros"),
        ({"length": 90, "kernel_size": 3}, "length"),
        ({"length": 9, "kernel_size": 3, "padding": "full"}, "padding"),
    ]

    def independent(self, params):
        return slide(params)


FAMILY = families.get("first_last_symbolic")


def test_typed_forms_all_score_full():
    params = {"length": 9, "kernel_size": 3}
    for first in ("k1*x1 + k2*x2 + k3*x3", "k_1x_1+k_2x_2+k_3x_3", "x3 k3 + x2*k2 + k1 x1",
                  "k_{1} x_{1} + k[2] x[2] + k3·x3"):
        grade = FAMILY.check(params, {"length": "7", "first": first, "last": "k1x7+k2x8+k3x9"})
        assert grade.correct, (first, grade.feedback)


def test_a_symbol_outside_the_problem_is_an_answer_error_not_a_wrong_answer():
    import pytest

    from quizsvc.errors import AnswerError
    with pytest.raises(AnswerError, match="'x10' is not a symbol"):
        FAMILY.check({"length": 9, "kernel_size": 3}, {"first": "k1*x10"})


def test_partial_credit_counts_terms():
    grade = FAMILY.check({"length": 9, "kernel_size": 3}, {"first": "k1*x1 + k2*x2"})
    first = next(f for f in grade.fields if f.name == "first")
    assert not first.correct and first.score == 2 / 3 and "missing" in first.feedback
    assert first.given == "k1*x1 + k2*x2"
