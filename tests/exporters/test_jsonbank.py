"""Our JSON bank: export, import and export again gives the same bytes and the same problems."""

from __future__ import annotations

import json

import pytest

from quizsvc.exporters import export, jsonbank
from quizsvc.exporters.jsonbank import BankFormatError


def test_round_trip_is_byte_identical_and_regenerates_the_same_problems(bank):
    data = export(bank, "json", title="Bank «β» <1> & {x}").data
    title, problems = jsonbank.loads(data)
    assert title == "Bank «β» <1> & {x}"
    assert [p.to_dict() for p in problems] == [p.to_dict() for p in bank]
    assert export(problems, "json", title=title).data == data


def test_hard_content_round_trips(hard):
    data = jsonbank.dumps(hard, title="hard")
    title, problems = jsonbank.loads(data)
    assert [p.to_dict() for p in problems] == [p.to_dict() for p in hard]
    assert jsonbank.dumps(problems, title=title) == data
    assert any(p.answer.get("n", 0) > 2**60 for p in problems), "large integers stay exact"


def _doc(data: bytes) -> dict:
    return json.loads(data)


def test_refuses_another_family_version(bank):
    doc = _doc(jsonbank.dumps(bank[:2]))
    doc["problems"][1]["version"] += 1
    with pytest.raises(BankFormatError) as err:
        jsonbank.loads(json.dumps(doc))
    msg = err.value.message
    assert "problem 2" in msg and f"version {doc['problems'][1]['version']}" in msg
    assert err.value.status == 409


@pytest.mark.parametrize("edit,words", [
    (lambda d: d["problems"][0]["params"].update(zzz=1), "parameters differ"),
    (lambda d: d["problems"][0].update(answer={"nope": 1}), "stored key differs"),
    (lambda d: d["problems"][0].pop("seed"), "missing seed"),
    (lambda d: d["problems"][0].update(family="no_such_family"), "no problem family"),
    (lambda d: d.update(format="other"), "not a quizsvc bank"),
    (lambda d: d.update(format_version=99), "format version 99"),
    (lambda d: d["problems"][0].update(level="impossible"), "problem 1"),
])
def test_refuses_damaged_banks_with_a_clear_error(bank, edit, words):
    doc = _doc(jsonbank.dumps(bank[:1]))
    edit(doc)
    with pytest.raises(BankFormatError) as err:
        jsonbank.loads(json.dumps(doc))
    assert words in err.value.message


def test_refuses_what_is_not_json():
    with pytest.raises(BankFormatError, match="not a JSON bank"):
        jsonbank.loads(b"\xff<quiz/>")


def test_instructor_built_problems_round_trip_as_custom():
    from quizsvc import families

    fam = families.get("conv_param_count")
    p = fam.build(fam.validate({"in_channels": 3, "out_channels": 4, "kernel_size": [3, 3]}))
    data = jsonbank.dumps([p])
    title, (q,) = jsonbank.loads(data)
    assert q.to_dict() == p.to_dict() and q.level == "custom"
    assert jsonbank.dumps([q]) == data
