"""GIFT: every question reads back through a GIFT grammar with its text intact, and scores as meant."""

from __future__ import annotations

import pytest

from quizsvc.exporters import export
from quizsvc.exporters.gift import escape
from quizsvc.exporters.items import build_item
from tests.exporters import gift_oracle as oracle
from tests.exporters.helpers import engine_grade, ident, mistakes, typed


def _questions(problems, **kwargs):
    result = export(problems, "gift", **kwargs)
    parsed = oracle.parse(result.data)
    by_name = {q.name: q for q in parsed}
    return result, parsed, by_name


@pytest.mark.parametrize("text", ["plain", "a~b=c#d{e}f:g\\h", "\\{x\\}", "{1:NUMERICAL:=5}",
                                  "####", "%50%", "//x", "[html]<p>&amp;</p>", "line\nbreak"])
def test_escape_reads_back_through_the_grammar(text):
    data = f"::n::[html]{escape(text)}{{=a ~b}}\n".encode()
    (q,) = oracle.parse(data)
    assert q.text == text.replace("\n", " ").strip()


def test_texts_survive_and_every_item_is_written_or_listed(bank):
    result, parsed, by_name = _questions(bank)
    assert len(parsed) == result.count
    assert result.count + len(result.skipped) == len(bank)
    skipped = {s.ident for s in result.skipped}
    for p in bank:
        item = build_item(p)
        if ident(p) in skipped:
            continue
        q = by_name[item.title]
        assert q.format == "html" and q.text == item.prompt, ident(p)
        assert q.general == item.solution
        assert q.category.endswith(f"/{p.family}/{p.level}")


def test_key_full_marks_and_each_mistake_scores_zero(bank):
    result, parsed, by_name = _questions(bank)
    numerical = 0
    for p in bank:
        q = by_name.get(build_item(p).title)
        if q is None:
            continue
        if q.qtype == "numerical":
            (f,) = p.answer_spec
            assert oracle.grade(q, typed(p.answer[f["name"]])) == 1.0
            for m, answer in mistakes(p):
                assert oracle.grade(q, typed(answer[f["name"]])) == engine_grade(p, answer).score == 0
                numerical += 1
        else:
            right = [a for a in q.answers if oracle.grade(q, a.text if q.single else [a.text]) > 0]
            assert right
            if q.single:
                assert len(right) == 1 and oracle.grade(q, right[0].text) == 1.0
                wrong = [a for a in q.answers if a is not right[0]]
                assert all(a.feedback for a in wrong), "every distractor explains its mistake"
                assert len({a.text for a in q.answers}) == len(q.answers)
    assert numerical


def test_items_gift_cannot_express_are_listed_with_a_reason(bank):
    result, parsed, by_name = _questions(bank)
    for s in result.skipped:
        p = next(p for p in bank if ident(p) == s.ident)
        item = build_item(p)
        assert item.form == "blanks" and not item.has_distractors and "GIFT" in s.reason


def test_ids_and_tags_are_comments_moodle_reads(bank):
    result, parsed, by_name = _questions(bank)
    skipped = {s.ident for s in result.skipped}
    written = [p for p in bank if ident(p) not in skipped]
    assert [q.idnumber for q in parsed] == [ident(p) for p in written]
    for p, q in zip(written, parsed):
        assert q.tags == ["quizsvc", f"family:{p.family}", f"version:{p.version}",
                          f"seed:{p.seed}", f"level:{p.level}"]
