"""Property tests: no input makes a parser raise anything but AnswerError; typed values round-trip."""

from fractions import Fraction

from hypothesis import HealthCheck, given, settings, strategies as st

from quizsvc.answers import compare_field, parse_field
from quizsvc.errors import AnswerError

KINDS = ("integer", "number", "vector", "matrix", "shape", "choice")
CHOICES = ("N", "C", "H", "W")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text made of the characters answers are made of reaches the parsers' inner branches far
# more often than arbitrary Unicode does; both are tried.
answerish = st.text(alphabet="0123456789 +-−./eExX×*,;:[](){}\n\tNCHW", max_size=60)
# Numbers at the edges of what floats hold: huge integers and exponents up to 999.
extreme = (st.integers(-10**400, 10**400)
           | st.from_regex(r"[+-]?\d{1,5}(\.\d{0,3})?[eE][+-]?\d{1,3}", fullmatch=True))
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=30,
)


def parse_or_refuse(kind, value, multiple=False):
    try:
        return parse_field(kind, value, choices=CHOICES if kind == "choice" else None,
                           multiple=multiple)
    except AnswerError as exc:
        assert exc.message and isinstance(exc.message, str)
        return None


@SETTINGS
@given(st.sampled_from(KINDS), st.booleans(), st.text(max_size=80) | answerish)
def test_any_text_parses_or_raises_answer_error(kind, multiple, text):
    parse_or_refuse(kind, text, multiple)


@SETTINGS
@given(st.sampled_from(KINDS), st.booleans(), json_like)
def test_any_json_value_parses_or_raises_answer_error(kind, multiple, value):
    parse_or_refuse(kind, value, multiple)


@SETTINGS
@given(st.sampled_from(("integer", "number", "vector", "matrix", "shape")),
       json_like | answerish | extreme | st.lists(extreme, min_size=1, max_size=3))
def test_comparing_whatever_parsed_never_crashes(kind, value):
    """Whatever a parser accepts can be compared with a key of that kind without an exception."""
    parsed = parse_or_refuse(kind, value)
    if parsed is None:
        return
    key = {"integer": 3, "number": 2.5, "vector": [1.0, -2.0], "matrix": [[1, 2], [3, 4]],
           "shape": [4, 16]}[kind]
    score, correct, feedback = compare_field(kind, parsed, key)
    assert 0.0 <= score <= 1.0 and isinstance(correct, bool) and feedback


numbers = st.one_of(
    st.integers(-10**6, 10**6),
    st.fractions(min_value=-1000, max_value=1000, max_denominator=1000),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)


def typed(v) -> str:
    if isinstance(v, Fraction):
        return f"{v.numerator}/{v.denominator}"
    return repr(v)


def same(parsed: Fraction, v) -> bool:
    return float(parsed) == float(v) if isinstance(v, float) else parsed == v


@SETTINGS
@given(numbers)
def test_numbers_round_trip(v):
    assert same(parse_field("number", typed(v)), v)
    assert same(parse_field("number", v if not isinstance(v, Fraction) else typed(v)), v)


@SETTINGS
@given(st.lists(numbers, min_size=1, max_size=12),
       st.sampled_from(["[{}]", "({})", "{}"]), st.sampled_from([", ", " ", ",", "  "]))
def test_vectors_round_trip(values, brackets, sep):
    text = brackets.format(sep.join(typed(v) for v in values))
    parsed = parse_field("vector", text)
    assert len(parsed) == len(values) and all(same(p, v) for p, v in zip(parsed, values))
    key = [float(v) for v in values]
    assert compare_field("vector", parsed, key)[:2] == (1.0, True)


@SETTINGS
@given(st.integers(1, 5).flatmap(lambda cols: st.lists(
           st.lists(numbers, min_size=cols, max_size=cols), min_size=1, max_size=5)),
       st.sampled_from(["json", "semicolons", "lines", "row brackets"]))
def test_matrices_round_trip(rows, style):
    if style == "json":
        text = "[" + ", ".join("[" + ", ".join(typed(v) for v in r) + "]" for r in rows) + "]"
    elif style == "semicolons":
        text = "; ".join(" ".join(typed(v) for v in r) for r in rows)
    elif style == "lines":
        text = "\n".join(" ".join(typed(v) for v in r) for r in rows)
    else:
        text = " ".join("[" + " ".join(typed(v) for v in r) + "]" for r in rows)
    parsed = parse_field("matrix", text)
    assert [len(r) for r in parsed] == [len(r) for r in rows]
    assert all(same(p, v) for pr, r in zip(parsed, rows) for p, v in zip(pr, r))


@SETTINGS
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=8),
       st.sampled_from(["x", " x ", "×", "*", ", "]), st.booleans())
def test_shapes_round_trip(sizes, sep, parens):
    text = sep.join(str(s) for s in sizes)
    if parens:
        text = f"({text})"
    assert parse_field("shape", text) == sizes
    assert compare_field("shape", parse_field("shape", text), sizes)[:2] == (1.0, True)


@SETTINGS
@given(st.sets(st.sampled_from(CHOICES), min_size=1), st.sampled_from([", ", " ", ";", ""]),
       st.booleans(), st.randoms())
def test_axis_sets_round_trip_in_any_order_and_case(axes, sep, lower, rnd):
    items = sorted(axes)
    rnd.shuffle(items)
    text = sep.join(a.lower() if lower else a for a in items)
    assert parse_field("choice", text, choices=CHOICES, multiple=True) == [c for c in CHOICES if c in axes]
