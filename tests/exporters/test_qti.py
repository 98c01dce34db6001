"""Canvas QTI 1.2: the zip is laid out as Canvas expects, validates, and scores as meant."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from quizsvc.exporters import export
from quizsvc.exporters.items import build_item
from quizsvc.exporters.qti12 import bounds
from tests.exporters import qti_oracle as oracle
from tests.exporters.helpers import entries, ident, mistakes, qti_dtd, same_layout, typed


def _items(package):
    return {i.ident: i for _, _, items in package.groups for i in items}


def test_zip_layout_manifest_and_meta(bank):
    data = export(bank, "qti12", title="Quiz <3> & co").data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert zf.testzip() is None
    assert "imsmanifest.xml" in names
    package = oracle.read(data)
    (meta_name,) = [n for n in names if n.endswith("/assessment_meta.xml")]
    meta = oracle.strip_namespaces(etree.fromstring(package.files[meta_name]))
    assert meta.findtext("title") == "Quiz <3> & co"
    assert float(meta.findtext("points_possible")) == len(package.groups)  # one drawn per group
    assert export(bank, "qti12", title="Quiz <3> & co").data == data, "same bank, same bytes"


def test_validates_against_the_qti_dtd(bank):
    dtd = qti_dtd()
    for style in ("typed", "choice"):
        package = oracle.read(export(bank, "qti12", style=style).data)
        assert dtd.validate(package.assessment), dtd.error_log.filter_from_errors()


def test_a_group_per_family_and_level_draws_pick_of_its_variants(bank):
    package = oracle.read(export(bank, "qti12", pick=3).data)
    seen = set()
    for title, number, items in package.groups:
        assert number == min(3, len(items))
        families_levels = {(i.meta["quizsvc_family"], i.meta["quizsvc_level"]) for i in items}
        assert len(families_levels) == 1 and title == "{} ({})".format(*families_levels.pop())
        seen |= {i.ident for i in items}
    assert seen == {ident(p) for p in bank}
    everything = oracle.read(export(bank, "qti12", pick=None).data)
    assert all(n == len(items) for _, n, items in everything.groups)


def test_every_item_carries_its_variant(bank):
    items = _items(oracle.read(export(bank, "qti12").data))
    for p in bank:
        meta = items[ident(p)].meta
        assert (meta["quizsvc_family"], meta["quizsvc_version"], meta["quizsvc_seed"],
                meta["quizsvc_level"]) == (p.family, str(p.version), str(p.seed), p.level)


def test_key_full_marks_and_each_mistake_scores_as_meant(bank):
    items = _items(oracle.read(export(bank, "qti12").data))
    kinds = set()
    for p in bank:
        item = items[ident(p)]
        kinds.add(item.qtype)
        if item.qtype == "numerical_question":
            (f,) = p.answer_spec
            assert oracle.process(item, {"response1": typed(p.answer[f["name"]])})[0] == 100
            for m, answer in mistakes(p):
                assert oracle.process(item, {"response1": typed(answer[f["name"]])})[0] == 0, m.code
        elif item.qtype == "fill_in_multiple_blanks_question":
            rids = list(item.labels)
            key = entries(p.answer_spec, p.answer)
            assert oracle.process(item, oracle.typed(item, dict(zip(rids, map(str, key)))))[0] == 100
            for m, answer in mistakes(p):
                if not same_layout(p.answer_spec, p.answer, answer):
                    continue
                given = entries(p.answer_spec, answer)
                meant = 100 * sum(g == k for g, k in zip(given, key)) / len(key)
                got = oracle.process(item, oracle.typed(item, dict(zip(rids, map(str, given)))))[0]
                hits = sum(g == k for g, k in zip(given, key))  # each share is 100/n within 0.01
                assert got == pytest.approx(meant, abs=0.01 * hits + 1e-9) and got < 100, (ident(p), m.code)
        else:
            assert item.qtype in ("multiple_choice_question", "multiple_answers_question")
            (rid,) = item.labels
            right = [i for i, t in item.labels[rid].items()
                     if oracle.process(item, {rid: i if item.cardinality[rid] == "Single" else {i}})[0] == 100]
            assert len(right) == 1 or item.cardinality[rid] == "Multiple"
    assert "numerical_question" in kinds or "fill_in_multiple_blanks_question" in kinds


def test_choice_style_gives_each_mistake_zero_with_its_feedback(bank):
    items = _items(oracle.read(export(bank, "qti12", style="choice").data))
    for p in bank:
        item = items[ident(p)]
        if not mistakes(p):
            continue
        assert item.qtype == "multiple_choice_question"
        labels = item.labels["response1"]
        scores = {i: oracle.process(item, {"response1": i}) for i in labels}
        assert sorted(s for s, _ in scores.values()) == [0.0] * (len(labels) - 1) + [100.0]
        for i, (score, shown) in scores.items():
            if score == 0:
                assert f"{i}_fb" in shown and item.feedback[f"{i}_fb"].strip(), (ident(p), i)
            assert "general_fb" in shown, "the worked solution is shown after answering"


@pytest.mark.parametrize("value,tol", [(0, 0.0), (-7, 0.0), (5, 0.0), (-3.5, 0.035), (0.0, 0.01),
                                       (-0.004, 0.01), (123456789012345, 0.0), (2.5e-7, 0.01)])
def test_exact_answer_bounds_hold_the_key_for_zero_and_negatives(value, tol):
    from quizsvc.exporters.items import Blank

    exact, low, high = bounds(Blank("x", "x", "number", value, tol, 1, "x"))
    assert float(low) <= float(exact) == float(value) <= float(high)
    assert float(high) - float(low) == pytest.approx(2 * tol, abs=1e-12)
    assert "e" not in exact + low + high, "no exponent notation"


def test_unfit_items_fall_back_to_choice_or_are_listed(bank):
    result = export(bank, "qti12")
    for s in result.skipped:
        assert s.reason and not build_item(next(p for p in bank if ident(p) == s.ident)).has_distractors
    assert result.count + len(result.skipped) == len(bank)


@pytest.mark.parametrize("policy,settings,noted", [
    ((3, "after_last_attempt"), {"allowed_attempts": "3", "show_correct_answers": "true",
                                 "show_correct_answers_last_attempt": "true",
                                 "hide_results": "until_after_last_attempt"}, []),
    ((None, "always"), {"allowed_attempts": "-1", "show_correct_answers": "true",
                        "show_correct_answers_last_attempt": "false", "hide_results": ""}, ["unlimited"]),
    ((1, "never"), {"allowed_attempts": "1", "show_correct_answers": "false",
                    "hide_results": "always"}, ["show_key never"]),
    ((2, "after_correct"), {"allowed_attempts": "2", "show_correct_answers": "false",
                            "hide_results": "always"}, ["show_key after_correct"]),
    ((5, "after_correct_or_last_attempt"), {"allowed_attempts": "5",
                                            "hide_results": "until_after_last_attempt"},
     ["after_correct_or_last_attempt"]),
])
def test_the_attempt_policy_becomes_canvas_quiz_settings(bank, policy, settings, noted):
    from quizsvc.exporters import Policy

    result = export(bank[:6], "qti12", policy=Policy(*policy))
    package = oracle.read(result.data)
    assert package.settings["scoring_policy"] == "keep_highest"
    assert {k: package.settings[k] for k in settings} == settings
    assert package.max_attempts == (str(policy[0]) if policy[0] else "unlimited")
    for words in noted:  # what Canvas cannot express is in the report (and the file's comment)
        assert any(words in n for n in result.notes), result.notes
    assert any("attempts" in n for n in result.notes)
