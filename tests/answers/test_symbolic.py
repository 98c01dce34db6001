"""The expression parser: any order, spacing, index notation and coefficient gives the same terms."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizsvc.answers.symbolic import compare, linear, parse_expression, to_text
from quizsvc.errors import AnswerError

LETTERS = st.sampled_from("kxwab")
INDEX = st.integers(min_value=1, max_value=40)
SYMBOL = st.tuples(LETTERS, INDEX)
TERM = st.tuples(st.integers(min_value=-9, max_value=9).filter(bool),
                 st.lists(SYMBOL, min_size=1, max_size=3))
EXPR = st.lists(TERM, min_size=1, max_size=6)


def expected(terms) -> dict[str, Fraction]:
    """Sum the coefficients by monomial, by hand (sorted (letter, index) pairs)."""
    out: dict[tuple, Fraction] = {}
    for c, syms in terms:
        mono = tuple(sorted(syms))
        out[mono] = out.get(mono, Fraction(0)) + c
    return {"*".join(f"{a}{i}" for a, i in mono): v for mono, v in out.items() if v}


def write_symbol(draw, letter, index):
    style = draw(st.sampled_from(["{l}{i}", "{l}_{i}", "{l}_{{{i}}}", "{l}[{i}]", "{l}_{{ {i} }}"]))
    return style.format(l=letter, i=index)


@st.composite
def typed(draw):
    """Return (terms, text) with terms shuffled, factors shuffled, spacing and notation varied."""
    terms = draw(EXPR)
    order = draw(st.permutations(list(range(len(terms)))))
    pieces = []
    for n, j in enumerate(order):
        c, syms = terms[j]
        syms = draw(st.permutations(syms))
        joiner = draw(st.sampled_from(["*", " * ", " ", "·", "*"]))
        factors = [write_symbol(draw, a, i) for a, i in syms]
        mag = abs(c)
        if mag != 1 or draw(st.booleans()):
            where = draw(st.sampled_from(["front", "back"]))
            factors = [str(mag)] + factors if where == "front" else factors + [str(mag)]
        body = joiner.join(factors)
        sign = "-" if c < 0 else "+"
        space = draw(st.sampled_from(["", " ", "  "]))
        if n == 0:
            pieces.append(("-" if c < 0 else draw(st.sampled_from(["", "+"]))) + space + body)
        else:
            pieces.append(f"{space}{sign}{space}{body}")
    return terms, "".join(pieces)


@settings(max_examples=400, deadline=None)
@given(typed())
def test_any_order_spacing_and_notation_reads_the_same_coefficients(case):
    terms, text = case
    assert parse_expression(text) == expected(terms), text


@settings(max_examples=200, deadline=None)
@given(EXPR)
def test_text_reads_back_to_itself(terms):
    parsed = parse_expression(" + ".join(f"{c}*" + "*".join(f"{a}{i}" for a, i in syms)
                                         for c, syms in terms))
    assert parse_expression(to_text(parsed)) == parsed


@settings(max_examples=200, deadline=None)
@given(EXPR, st.integers(min_value=0, max_value=5))
def test_changing_one_coefficient_is_wrong_with_partial_credit(terms, which):
    key = linear([(c, [f"{a}{i}" for a, i in syms]) for c, syms in terms])
    parsed = parse_expression(key)
    if not parsed:
        return
    mono = sorted(parsed)[which % len(parsed)]
    changed = dict(parsed)
    changed[mono] += 1
    changed = {m: c for m, c in changed.items() if c}
    score, ok, _ = compare(changed, key)
    assert not ok and 0 <= score < 1


@pytest.mark.parametrize("text", ["k1*x1 +", "(k1 + k2)*x1", "k1 ** x1", "k1 = x1", "*k1",
                                  "k1*x1/0", "k1/x1", "k1^x", "", "k1 x_"])
def test_malformed_expressions_say_how_to_write_one(text):
    with pytest.raises(AnswerError):
        parse_expression(text)


def test_allowed_symbols_name_the_stranger():
    with pytest.raises(AnswerError, match="'y1' is not a symbol"):
        parse_expression("k1*y1", ("k1", "x1"))


def test_fractions_decimals_and_powers():
    assert parse_expression("k1*x1/2 + 0.5 x1 k1 + x2^2") == {"k1*x1": 1, "x2*x2": 1}
    assert to_text(parse_expression("-x2 + 3k1x1 - k1 x1")) == "2*k1*x1 - x2"
    assert parse_expression("k1*x1 - x1*k1") == {}
    assert to_text({}) == "0"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_raises_answer_error(text):
    try:
        parse_expression(text)
    except AnswerError:
        pass


def test_the_preview_shows_an_expression_as_it_reads_back():
    from quizsvc import families
    from quizsvc.services.preview import preview_answer

    family = families.get("first_last_symbolic")
    fields = family.answer_spec({"length": 9, "kernel_size": 3, "stride": 1, "padding": 0,
                                 "dilation": 1})
    out = preview_answer(family, fields, {"first": "x2 k_2 + k1x1", "last": "k1*y9"})
    first, last = out["fields"][1], out["fields"][2]
    assert first["state"] == "read" and first["value"] == "k1*x1 + k2*x2"
    assert last["state"] == "unreadable" and "'y9' is not a symbol" in last["message"]


def test_feedback_counts_terms_in_words():
    assert compare("k1*x1", "k1*x1 + k2*x2")[2] == "1 term missing"
    assert compare("k1*x1 + k2*x2 + k3*x3", "k1*x1")[2] == "2 terms that do not belong"
    assert compare("k1*x2 + 2*k2*x3", "k1*x1 + k2*x3")[2] == (
        "1 term missing; 1 term that does not belong; 1 coefficient wrong")
