"""Hard content survives every format: 0, negatives, reals, large integers, <, &, braces, LaTeX, Unicode."""

from __future__ import annotations

import html

import pytest

from quizsvc.answers import tolerance_for
from quizsvc.exporters import export
from quizsvc.exporters.items import build_item, parse_ident
from quizsvc.exporters.markup import to_html
from tests.exporters import crafted, gift_oracle, moodle_oracle, qti_oracle
from tests.exporters.helpers import ident, qti_dtd, typed

TITLE = 'Sign &lt;flipped&gt; &amp; "lost" {braces} ~ # = :'


def _case(problems, case):
    return [p for p in problems if p.level == case]


def test_markdown_becomes_escaped_html_with_mathjax_delimiters():
    out = to_html("a < b & `x<y>` $\\frac{a}{b} \\{x\\} < 1 \\& 2$\n\n$$M = \\begin{bmatrix} 1 & 2 \\end{bmatrix}$$"
                  "\n\n- **bold $x$** and *it*\n1. one")
    assert out == ("<p>a &lt; b &amp; <code>x&lt;y&gt;</code> \\(\\frac{a}{b} \\{x\\} &lt; 1 \\&amp; 2\\)</p>"
                   "<p>\\[M = \\begin{bmatrix} 1 &amp; 2 \\end{bmatrix}\\]</p>"
                   "<ul><li><strong>bold \\(x\\)</strong> and <em>it</em></li></ul><ol><li>one</li></ol>")


def test_identifiers_name_the_variant(hard):
    for p in hard:
        item = build_item(p)
        assert item.ident == ident(p)
        assert parse_ident(item.ident) == {"family": p.family, "version": p.version, "seed": p.seed,
                                           "level": p.level, "params_digest": None}


def test_moodle(hard):
    result = export(hard, "moodle", title="T/<&>")
    questions = {q.idnumber: q for q in moodle_oracle.parse(result.data)}
    assert result.count == len(hard) and not result.skipped
    for p in hard:
        q, item = questions[ident(p)], build_item(p)
        assert q.general == item.solution and "🚀" in q.general
        if q.qtype == "cloze":
            assert q.text.startswith(item.prompt.replace("{", "&#123;"))
        else:
            assert q.text == item.prompt
    for p in _case(hard, "zero"):
        q = questions[ident(p)]
        assert q.qtype == "numerical"
        assert moodle_oracle.grade(q, "0") == moodle_oracle.grade(q, "-0") == 1.0
        assert moodle_oracle.grade(q, "1") == moodle_oracle.grade(q, "-1") == 0.0
        assert TITLE in moodle_oracle.feedback(q, "1")
    for p in _case(hard, "real"):
        q, x = questions[ident(p)], p.answer["x"]
        tol = tolerance_for(x)  # the engine's one tolerance
        assert moodle_oracle.grade(q, typed(x + 0.9 * tol)) == 1.0
        assert moodle_oracle.grade(q, typed(x - 1.1 * tol)) == 0.0
        assert moodle_oracle.grade(q, typed(-x)) == 0.0 and TITLE in moodle_oracle.feedback(q, typed(-x))
    for p in _case(hard, "matrix"):
        q = questions[ident(p)]
        if not build_item(p).additive:
            # The engine's credit for this key is not box by box (a rule against guessing):
            # multiple choice over the key and the mistakes instead of a cloze.
            assert q.qtype == "multichoice" and any(TITLE in a.feedback for a in q.answers)
            continue
        key = [0, -p.params["k"], p.params["k"] * 1_000_003, 7]
        assert moodle_oracle.grade(q, [*map(str, key), str(-p.params["k"])]) == 1.0
        # One wrong entry of four in the matrix field, total right: (3/4 + 1) / 2.
        assert moodle_oracle.grade(q, ["1", *map(str, key[1:]), str(-p.params["k"])]) == pytest.approx(0.875)
        feedbacks = [a.feedback for _, _, answers in q.subs for a in answers if a.fraction == 0]
        assert any(TITLE in f for f in feedbacks) and any("]]&gt; 🚀" in f for f in feedbacks)
    for p in _case(hard, "huge"):
        q = questions[ident(p)]
        assert q.qtype == "multichoice", "2^60 cannot be compared exactly as a float"
        right = [a for a in q.answers if a.fraction == 1]
        assert [a.text for a in right] == [str(p.answer["n"])]
    for p in _case(hard, "choice"):
        q = questions[ident(p)]
        assert q.qtype == "multichoice"
        assert moodle_oracle.grade(q, html.escape(p.answer["pick"], quote=False)) == 1.0
        assert sum(moodle_oracle.grade(q, a.text) for a in q.answers) == 1.0
    for p in _case(hard, "multi"):
        q = questions[ident(p)]
        (w1, k1, sets), (w2, k2, _) = q.subs
        # The engine gives a set all or nothing: one choice among the 15 candidate sets.
        assert (k1, k2) == ("multichoice", "numerical") and w1 == w2
        assert len(sets) == 15 and [a.text for a in sets if a.fraction == 1] == ["N, H, W"]
        assert moodle_oracle.grade(q, ["N, H, W", "0"]) == 1.0
        assert moodle_oracle.grade(q, ["N, C, H, W", "0"]) == pytest.approx(0.5)
        assert moodle_oracle.grade(q, ["N", "0.0005"]) == pytest.approx(0.5)
        assert "Sign" in next(a.feedback for a in sets if a.text == "N")


def test_choices_inside_a_cloze_keep_their_text(hard):
    questions = {q.idnumber: q for q in moodle_oracle.parse(export(hard, "moodle").data)}
    for p in _case(hard, "mixed"):
        q = questions[ident(p)]
        (w1, k1, mc), (w2, k2, _) = q.subs
        assert (k1, k2) == ("multichoice", "numerical") and w1 == w2
        assert [a.text for a in mc] == [html.escape(c, quote=False) for c in crafted.CHOICES]
        right = html.escape(p.answer["pick"], quote=False)
        wrong = next(a for a in mc if a.text != right and a.feedback)
        assert TITLE in wrong.feedback
        assert moodle_oracle.grade(q, [right, str(p.answer["x"])]) == 1.0
        assert moodle_oracle.grade(q, [wrong.text, str(p.answer["x"])]) == 0.5
        assert moodle_oracle.grade(q, [right, str(p.answer["x"] - 1)]) == 0.5


def test_qti(hard):
    result = export(hard, "qti12")
    package = qti_oracle.read(result.data)
    dtd = qti_dtd()
    assert dtd.validate(package.assessment), dtd.error_log.filter_from_errors()
    items = {i.ident: i for _, _, group in package.groups for i in group}
    for p in hard:
        i, item = items[ident(p)], build_item(p)
        if i.qtype == "fill_in_multiple_blanks_question":
            assert html.unescape(i.text).startswith(html.unescape(item.prompt))
            assert "[html]" not in i.text and "&#91;html&#93;" in i.text
        else:
            assert i.text == item.prompt
        assert i.feedback["general_fb"] == item.solution
    for case, right, wrong in (("zero", ["0", "0.0", "-0"], ["1", "-1", "0.5"]),
                               ("negative", None, None), ("real", None, None)):
        for p in _case(hard, case):
            i = items[ident(p)]
            assert i.qtype == "numerical_question"
            x = next(iter(p.answer.values()))
            tol = tolerance_for(x)
            for r in right or [typed(x), typed(x + 0.9 * tol)]:
                assert qti_oracle.process(i, {"response1": r})[0] == 100, (case, r)
            for r in wrong or [typed(-x), typed(x - 1.1 * tol - 1e-9)]:
                assert qti_oracle.process(i, {"response1": r})[0] == 0, (case, r)
    for p in _case(hard, "matrix"):
        i = items[ident(p)]
        assert i.qtype == "fill_in_multiple_blanks_question"
        k = p.params["k"]
        texts = dict(zip(i.labels, ["0", str(-k), str(k * 1_000_003), "7", str(-k)]))
        assert qti_oracle.process(i, qti_oracle.typed(i, texts))[0] == 100
        texts[next(iter(texts))] = "1"
        assert qti_oracle.process(i, qti_oracle.typed(i, texts))[0] == pytest.approx(80)
    for p in _case(hard, "huge") + _case(hard, "multi"):
        assert items[ident(p)].qtype == "multiple_choice_question"
    for p in _case(hard, "mixed"):
        i = items[ident(p)]
        assert i.qtype == "fill_in_multiple_blanks_question"
        texts = dict(zip(i.labels, [p.answer["pick"].upper(), str(p.answer["x"])]))
        assert qti_oracle.process(i, qti_oracle.typed(i, texts))[0] == 100
    for p in _case(hard, "choice"):
        i = items[ident(p)]
        (rid,) = i.labels
        right = [lid for lid, text in i.labels[rid].items()
                 if text == html.escape(p.answer["pick"], quote=False)]
        assert qti_oracle.process(i, {rid: right[0]})[0] == 100


def test_gift(hard):
    result = export(hard, "gift", title="T:{x}")
    assert not result.skipped
    questions = {q.name: q for q in gift_oracle.parse(result.data)}
    for p in hard:
        q, item = questions[build_item(p).title], build_item(p)
        assert q.text == item.prompt and q.general == item.solution
        assert [a.text for a in q.answers] in ([o.html for o in item.options],
                                               [o.html for o in item.choice_options])
    for p in _case(hard, "zero"):
        q = questions[build_item(p).title]
        assert gift_oracle.grade(q, "0") == 1.0 and gift_oracle.grade(q, "-1") == 0.0
        assert any(TITLE in a.feedback for a in q.answers)
    for p in _case(hard, "negative"):
        q = questions[build_item(p).title]
        assert gift_oracle.grade(q, str(p.answer["x"])) == 1.0
        assert gift_oracle.grade(q, str(-p.answer["x"])) == 0.0
    for p in _case(hard, "choice"):
        q = questions[build_item(p).title]
        assert [a.text for a in q.answers] == [html.escape(c, quote=False) for c in
                                               ("a < b & {c}", "x ~ y = z # w : v", "naïve ∑ \\frac{1}{2} }")]
        assert gift_oracle.grade(q, html.escape(p.answer["pick"], quote=False)) == 1.0
