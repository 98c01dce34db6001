"""Moodle XML: it parses, carries every variant's identity, and scores as we meant."""

from __future__ import annotations

import html
import re

import pytest

from quizsvc import families
from quizsvc.errors import AnswerError
from quizsvc.exporters import export
from quizsvc.exporters.items import build_item
from tests.exporters import moodle_oracle as oracle
from tests.exporters.helpers import engine_grade, entries, ident, mistakes, same_layout, typed


def _by_ident(problems, data):
    questions = {q.idnumber: q for q in oracle.parse(data)}
    return [(p, questions.get(ident(p))) for p in problems]


def _cloze_responses(p, answer):
    return [v if isinstance(v, (str, list)) else typed(v) for v in entries(p.answer_spec, answer)]


def _meant(p, answer) -> float:
    """The cloze grade we mean: the engine's, except that several choices earn shared credit."""
    grade = engine_grade(p, answer)
    scores = []
    for f, r in zip(p.answer_spec, grade.fields):
        if f["kind"] == "choice" and f.get("multiple"):
            right, chosen = set(p.answer[f["name"]]), set(answer[f["name"]])
            wrong = len(f["choices"]) - len(right)
            credit = len(chosen & right) / len(right) - (len(chosen - right) / wrong if wrong else 0)
            scores.append(min(1.0, max(0.0, credit)))
        else:
            scores.append(r.score)
    return sum(scores) / len(scores)


def test_every_item_parses_with_identity_and_category(bank):
    data = export(bank, "moodle", title="Week 3 / CNNs").data
    parsed = oracle.parse(data)
    assert len(parsed) == len(bank)
    for p, q in _by_ident(bank, data):
        assert q is not None, f"{ident(p)} missing"
        assert {f"family:{p.family}", f"version:{p.version}", f"seed:{p.seed}", f"level:{p.level}"} <= set(q.tags)
        assert q.category == f"$course$/top/Week 3 // CNNs/{p.family}/{p.level}"
        assert q.general, "the worked solution is the general feedback"
        if "$" in p.solution:
            assert "\\(" in q.general or "\\[" in q.general, "math is written \\( ... \\)"


def test_key_full_marks_and_each_mistake_scores_as_meant(bank):
    data = export(bank, "moodle").data
    checked = {"numerical": 0, "cloze": 0, "multichoice": 0}
    for p, q in _by_ident(bank, data):
        if q.qtype == "numerical":
            (f,) = p.answer_spec
            assert oracle.grade(q, typed(p.answer[f["name"]])) == 1.0
            for m, answer in mistakes(p):
                got = oracle.grade(q, typed(answer[f["name"]]))
                assert got == engine_grade(p, answer).score == 0.0, (ident(p), m.code)
                fb = oracle.feedback(q, typed(answer[f["name"]]))
                assert fb, f"{ident(p)}: mistake {m.code} gets no feedback"
                checked["numerical"] += 1
        elif q.qtype == "cloze":
            assert oracle.grade(q, _cloze_responses(p, p.answer)) == 1.0, ident(p)
            item = build_item(p)
            for m, answer in mistakes(p):
                if not same_layout(p.answer_spec, p.answer, answer):
                    continue  # a wrong-sized answer does not fit the boxes at all
                got = oracle.grade(q, _cloze_responses(p, answer))
                if item.weights_exact:
                    assert got == pytest.approx(_meant(p, answer), abs=1e-9), (ident(p), m.code)
                assert got < 1.0, (ident(p), m.code)
                checked["cloze"] += 1
        else:
            assert q.qtype == "multichoice"
            right = [a for a in q.answers if a.fraction > 0]
            assert right and all(oracle.grade(q, a.text) <= 1.0 for a in q.answers)
            checked["multichoice"] += 1
    assert checked["numerical"] and checked["cloze"], checked


def _option_answer(spec, text: str) -> dict:
    """Read a multiple-choice option back into an answer the engine can grade."""
    text = html.unescape(text)
    if len(spec) == 1:
        parts = [text]
    else:
        # "Label 1: value; Label 2: value": labels may contain ": " or "; " themselves,
        # so cut at each known "label: " rather than splitting on separators.
        parts, rest = [], text
        for i, f in enumerate(spec):
            head = html.unescape(f["label"]) + ": "
            assert rest.startswith(head), (rest, head)
            rest = rest[len(head):]
            if i + 1 < len(spec):
                cut = rest.index("; " + html.unescape(spec[i + 1]["label"]) + ": ")
                parts.append(rest[:cut])
                rest = rest[cut + 2:]
            else:
                parts.append(rest)
    out = {}
    for f, part in zip(spec, parts, strict=True):
        m = re.fullmatch(r"\\\(\\begin\{bmatrix\} (.*) \\end\{bmatrix\}\\\)", part)
        if m:
            part = "; ".join(row.replace("&", " ") for row in m.group(1).split(r" \\ "))
        out[f["name"]] = part
    return out


def test_choice_style_options_are_the_key_and_the_catalogued_mistakes(bank):
    data = export(bank, "moodle", style="choice").data
    for p, q in _by_ident(bank, data):
        if q.qtype != "multichoice":
            assert not mistakes(p), f"{ident(p)} has distractors but is not multiple choice"
            continue
        fam = families.get(p.family)
        spec = fam.answer_spec(p.params)
        keyed = [a for a in q.answers if a.fraction == 1.0]
        assert len(keyed) == 1 and len(q.answers) >= 2
        assert engine_grade(p, _option_answer(p.answer_spec, keyed[0].text)).correct
        texts = [a.text for a in q.answers]
        assert len(set(texts)) == len(texts), "options are distinct"
        for a in q.answers:
            if a is keyed[0]:
                continue
            assert a.fraction == 0 and a.feedback, (ident(p), a.text)
            assert not engine_grade(p, _option_answer(p.answer_spec, a.text)).correct
        for m, answer in mistakes(p):
            matches = [a for a in q.answers if _same(fam, p, spec, answer, a.text)]
            assert matches, f"{ident(p)}: no option gives mistake {m.code}'s answer"
            assert oracle.grade(q, matches[0].text) == 0.0
            assert m.title.split()[0] in html.unescape(matches[0].feedback)


def _same(fam, p, spec, answer, text) -> bool:
    """Whether an option is `answer` (an option of another layout is refused, so not it)."""
    try:
        return fam.grade(p.params, answer, spec, _option_answer(p.answer_spec, text)).correct
    except AnswerError:
        return False


def test_fraction_helper_accepts_only_moodle_grades():
    from quizsvc.exporters.moodle import fraction

    assert fraction(100 / 3) == "33.33333" and fraction(-50) == "-50" and fraction(0) == "0"
    with pytest.raises(ValueError):
        fraction(35)
