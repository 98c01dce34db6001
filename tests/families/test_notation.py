"""Every reasonable notation is read, and a layout that fits no blank is refused, not graded.

Each case types a key (or a wrong answer) the way a student would, per family
where the notation applies: symmetric padding, flat row-major matrices,
percentages, column vectors, ``torch.Size(...)``, ordered plain text for
several blanks, Unicode minus signs, dashes and spaces; then layouts a known
mistake explains (diagnosed) and layouts nothing explains (refused).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from quizsvc import families
from quizsvc.answers import parse_matrix
from quizsvc.errors import AnswerError


def find(name: str, ok, levels=None, seeds=range(400)):
    """Return the first generated problem of `name` for which ``ok(problem)`` holds."""
    family = families.get(name)
    for level in levels or family.levels:
        for seed in seeds:
            p = family.generate(seed, level)
            if ok(p):
                return family, p
    raise AssertionError(f"no {name} problem fits")


def text(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def flat(rows) -> list:
    return [v for row in rows for v in row]


def is_2d(p, field="output"):
    return isinstance(p.answer[field][0], list)


# -- symmetric padding, one number per dimension ----------------------------------------------
def test_same_padding_one_number_per_dimension():
    fam, p = find("same_padding", lambda p: len(p.answer["padding"]) == 2
                  and all(b == a for b, a in p.answer["padding"])
                  and p.answer["padding"][0] != p.answer["padding"][1])
    (h, _), (w, _) = p.answer["padding"]
    for typed in (f"[{h}, {w}]", f"({h}, {w})", [h, w], f"{h} {w}", p.answer["padding"]):
        assert fam.check(p.params, typed).correct, typed
    assert not fam.check(p.params, f"[{w}, {h}]").correct  # the dimensions swapped: graded
    with pytest.raises(AnswerError, match="read as"):
        fam.check(p.params, f"[{h}, {w}, {h}]")  # three numbers for two dimensions


def test_same_padding_one_number_for_every_dimension():
    fam, p = find("same_padding", lambda p: len({b for row in p.answer["padding"] for b in row}) == 1
                  and len(p.answer["padding"]) >= 2)
    v = p.answer["padding"][0][0]
    assert fam.check(p.params, str(v)).correct and fam.check(p.params, v).correct
    assert not fam.check(p.params, str(v + 1)).correct


def test_one_number_is_not_read_as_symmetric_when_the_key_is_not():
    """An odd total: PyTorch pads one more after; "1" means 1 before and 1 after, graded wrong."""
    fam, p = find("same_padding", lambda p: any(b != a for b, a in p.answer["padding"]))
    before = p.answer["padding"][0][0]
    grade = fam.check(p.params, str(before))
    assert not grade.correct and grade.score < 1


# -- flat row-major matrices ----------------------------------------------------------------------
@pytest.mark.parametrize("name,field", [("conv_forward", "output"), ("transpose_conv", "output"),
                                        ("toeplitz_matrix", "matrix"), ("dropout", "output")])
def test_a_flat_list_fills_a_matrix_row_by_row(name, field):
    fam, p = find(name, lambda p: isinstance(p.answer[field][0], list)
                  and 1 < len(p.answer[field]) != len(p.answer[field][0]))
    key = p.answer[field]
    assert fam.check(p.params, {field: flat(key)}).correct               # a JSON list
    assert fam.check(p.params, " ".join(text(v) for v in flat(key))).correct  # typed
    column_major = [v for col in zip(*key) for v in col]
    assert not fam.check(p.params, {field: column_major}).correct        # read by rows, not columns
    with pytest.raises(AnswerError, match="read as a 1x"):
        fam.check(p.params, {field: flat(key)[:-1]})                     # one entry short: refused


def test_a_flat_json_list_is_a_row_never_a_column():
    """Without a known shape a flat list is one row; with one, it is read row by row."""
    assert parse_matrix([1, 2, 3]) == [[1, 2, 3]]
    assert parse_matrix("[1, 2, 3]") == [[1, 2, 3]]
    assert parse_matrix([1, 2, 3, 4, 5, 6], (2, 3)) == [[1, 2, 3], [4, 5, 6]]
    assert parse_matrix([1, 2, 3], (3, 1)) == [[1], [2], [3]]


# -- percentages ---------------------------------------------------------------------------------
def test_a_fraction_may_be_a_percentage():
    fam, p = find("receptive_field", lambda p: "weights_saved_fraction" in p.answer)
    layers, frac = p.answer["layers"], p.answer["weights_saved_fraction"]
    assert fam.check(p.params, {"layers": layers, "weights_saved_fraction": f"{frac * 100:.2f}%"}).correct
    assert fam.check(p.params, {"layers": layers, "weights_saved_fraction": f"{frac * 100:.2f} %"}).correct
    assert not fam.check(p.params, {"layers": layers,
                                    "weights_saved_fraction": f"{frac * 100 + 1:.2f}%"}).correct
    assert "percentage (72%)" in p.prompt and "3 significant figures" in p.prompt
    with pytest.raises(AnswerError, match="percentage"):
        fam.check(p.params, {"layers": f"{layers}%", "weights_saved_fraction": frac})


# -- column vectors ------------------------------------------------------------------------------
def test_batchnorm_gradient_as_a_column_vector():
    fam, p = find("batchnorm_grad", lambda p: len(p.answer["grad_x"]) >= 3)
    g = [f"{v:.4f}" for v in p.answer["grad_x"]]
    for typed in ("[" + "; ".join(g) + "]", "\n".join(g), "[" + ", ".join(g) + "]^T",
                  "[" + ", ".join(f"[{v}]" for v in g) + "]"):
        assert fam.check(p.params, typed).correct, typed
    assert not fam.check(p.params, "[" + "; ".join(reversed(g)) + "]").correct or g == g[::-1]
    with pytest.raises(AnswerError, match="read as"):
        fam.check(p.params, "[" + "; ".join(g[:-1]) + "]")
    with pytest.raises(AnswerError, match="not several rows"):
        fam.check(p.params, "1 2; 3 4")


# -- torch.Size and shapes -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["conv_output_shape", "pooling_output_shape"])
def test_torch_size(name):
    fam, p = find(name, lambda p: True)
    shape = p.answer["shape"]
    assert fam.check(p.params, f"torch.Size([{', '.join(map(str, shape))}])").correct
    assert fam.check(p.params, f"Size({tuple(shape)})").correct
    wrong = [s + 1 for s in shape]
    grade = fam.check(p.params, f"torch.Size([{', '.join(map(str, wrong))}])")
    assert not grade.correct


@pytest.mark.parametrize("name", ["conv_output_shape", "pooling_output_shape"])
def test_a_batch_dimension_included_is_diagnosed_not_refused(name):
    fam, p = find(name, lambda p: True)
    shape = p.answer["shape"]
    grade = fam.check(p.params, "x".join(map(str, [1, *shape])))
    assert not grade.correct and grade.score == 0.0
    assert "extra_leading_dimension" in [grade.misconception, *grade.alternatives]


def test_batch_dimension_and_a_forgotten_plus_one_together():
    fam, p = find("conv_output_shape", lambda p: len(p.answer["shape"]) == 3)
    buggy = next(m for m in fam.misconceptions if m.code == "forgot_plus_one").solve(p.params)
    grade = fam.check(p.params, "x".join(map(str, [1, *buggy["shape"]])))
    assert {"forgot_plus_one", "extra_leading_dimension"} <= {grade.misconception, *grade.alternatives}
    assert grade.feedback.startswith("Two mistakes together")


@pytest.mark.parametrize("name", ["conv_output_shape", "pooling_output_shape"])
def test_a_shape_that_fits_no_mistake_is_refused_and_says_how_it_was_read(name):
    fam, p = find(name, lambda p: True)
    shape = p.answer["shape"]
    odd = [7, 7, 7, *shape]  # three sizes too many: no mistake explains it
    with pytest.raises(AnswerError) as info:
        fam.check(p.params, "x".join(map(str, odd)))
    assert f"read as {len(odd)} sizes ({'x'.join(map(str, odd))})" in info.value.message
    assert "used no attempt" in info.value.message


def test_a_transposed_matrix_is_diagnosed():
    fam, p = find("conv_forward", lambda p: is_2d(p) and len(p.answer["output"]) != len(p.answer["output"][0]))
    transposed = [list(c) for c in zip(*p.answer["output"])]
    grade = fam.check(p.params, {"output": transposed})
    assert grade.misconception == "transposed_answer" and grade.score == 0.0


# -- several blanks as plain text, in the order shown ----------------------------------------------
@pytest.mark.parametrize("name", ["conv_param_count", "depthwise_separable", "conv_flops",
                                  "fc_param_count"])
def test_ordered_plain_text(name):
    fam, p = find(name, lambda p: True)
    values = [p.answer[f["name"]] for f in p.answer_spec]
    names = [f["name"] for f in p.answer_spec]
    for typed in (", ".join(map(str, values)), "\n".join(map(str, values)),
                  "; ".join(map(str, values)), " ".join(map(str, values)),
                  ", ".join(f"{n}: {v}" for n, v in zip(names, values)),
                  "\n".join(f"{n} = {v}" for n, v in reversed(list(zip(names, values)))),
                  ", ".join(f"{v:,}" for v in values)):  # thousands separators
        assert fam.check(p.params, typed).correct, typed
    swapped = values[1:] + values[:1]
    if swapped != values:
        assert not fam.check(p.params, ", ".join(map(str, swapped))).correct
    with pytest.raises(AnswerError, match=f"read {len(values) - 1} values"):
        fam.check(p.params, ", ".join(map(str, values[:-1])))


def test_plain_text_lines_for_shapes_and_choices():
    fam, p = find("backprop_shapes", lambda p: True)
    lines = "\n".join("torch.Size([" + ", ".join(map(str, p.answer[f["name"]])) + "])"
                      for f in p.answer_spec)
    assert fam.check(p.params, lines).correct
    fam, p = find("normalization_axes", lambda p: True)
    assert fam.check(p.params, ", ".join(p.answer["axes"]) + "\n" + str(p.answer["count"])).correct
    with pytest.raises(AnswerError, match="one per line"):
        fam.check(p.params, ", ".join(p.answer["axes"]) + ", " + str(p.answer["count"]))


# -- Unicode minus signs, dashes and spaces ------------------------------------------------------
UNICODE = {"en dash": "\u2013", "minus sign": "\u2212", "em dash": "\u2014", "hyphen": "\u2010"}
SPACES = {"no-break space": "\u00a0", "thin space": "\u2009", "narrow no-break": "\u202f",
          "ideographic": "\u3000", "em space": "\u2003"}


@pytest.mark.parametrize("dash", list(UNICODE.values()), ids=list(UNICODE))
@pytest.mark.parametrize("space", list(SPACES.values()), ids=list(SPACES))
def test_unicode_minus_and_spaces(dash, space):
    fam, p = find("conv_forward", lambda p: not is_2d(p) and any(v < 0 for v in p.answer["output"]))
    typed = space.join(text(v).replace("-", dash) for v in p.answer["output"])
    assert fam.check(p.params, typed).correct, repr(typed)
    assert fam.check(p.params, "[" + ("," + space).join(text(v).replace("-", dash)
                                                        for v in p.answer["output"]) + "]").correct


def test_full_width_comma_and_multiplication_sign():
    fam, p = find("conv_forward", lambda p: not is_2d(p))
    assert fam.check(p.params, "\uff0c".join(text(v) for v in p.answer["output"])).correct
    assert fam.check(p.params, "[" + "\uff0c ".join(text(v) for v in p.answer["output"]) + "]").correct
    fam, p = find("conv_output_shape", lambda p: True)
    assert fam.check(p.params, " \u00d7 ".join(map(str, p.answer["shape"]))).correct
    fam, p = find("conv_param_count", lambda p: True)
    values = [p.answer[f["name"]] for f in p.answer_spec]
    assert fam.check(p.params, "\uff0c".join(map(str, values))).correct


def test_unicode_minus_in_a_matrix():
    fam, p = find("transpose_conv", lambda p: is_2d(p) and any(v < 0 for v in flat(p.answer["output"])))
    typed = "; ".join("\u2009".join(text(v).replace("-", "\u2212") for v in row)
                      for row in p.answer["output"])
    assert fam.check(p.params, typed).correct
    assert [[Fraction(v) for v in row] for row in p.answer["output"]] == parse_matrix(typed)
