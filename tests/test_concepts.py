"""The concept bank: the shipped file is well formed, and the loader refuses malformed banks."""

import copy
import json

import pytest

from quizsvc.concepts import (DEFAULT_PATH, ConceptBankError, ConceptQuestion, list_questions,
                              load_concepts, parse_concepts, topics)

# The topics the reference material asks about conceptually; the bank must cover each one.
REQUIRED_TOPICS = {"CNN vs MLP", "Weight sharing", "Equivariance and invariance", "Pooling",
                   "Convolution vs cross-correlation", "Residual connections", "Architecture",
                   "Implementation", "Normalization", "Dropout", "Depthwise separable convolution"}


@pytest.fixture(scope="module")
def bank():
    return load_concepts()


@pytest.fixture
def raw():
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_shipped_bank_loads(bank):
    assert 20 <= len(bank) <= 40
    assert all(isinstance(q, ConceptQuestion) for q in bank)


def test_ids_are_unique(bank):
    ids = [q.id for q in bank]
    assert len(ids) == len(set(ids))


def test_each_question_has_exactly_one_correct_option_unless_declared(bank):
    for q in bank:
        if q.multiple:
            assert 1 <= len(q.correct) < len(q.options), q.id
        else:
            assert len(q.correct) == 1, q.id


def test_every_option_explains_itself(bank):
    for q in bank:
        for o in q.options:
            assert len(o.explanation) >= 15, (q.id, o.text)
            assert o.explanation != o.text, (q.id, o.text)
        distractors = [o for o in q.options if not o.correct]
        assert len(distractors) >= 1, q.id


def test_every_question_cites_its_source_and_covers_the_topics(bank):
    assert all(q.source for q in bank)
    assert REQUIRED_TOPICS <= set(topics())
    referenced = {q.source.split(" ")[1] for q in bank if q.source.startswith("reference ")}
    assert {"000", "001", "002", "003", "004"} <= referenced


def test_math_delimiters_balance(bank):
    """Unbalanced $ would break the Markdown/MathJax rendering of a stem or option."""
    for q in bank:
        for text in [q.stem, *(o.text for o in q.options), *(o.explanation for o in q.options)]:
            assert text.count("$") % 2 == 0, (q.id, text)


def test_list_questions_filters_by_topic(bank):
    dropout = list_questions("dropout")
    assert dropout and all(q.topic == "Dropout" for q in dropout)
    assert len(list_questions()) == len(bank)
    assert list_questions("no such topic") == []


def test_to_dict_hides_the_key_unless_asked(bank):
    q = bank[0]
    public = q.to_dict(include_key=False)
    assert all(set(o) == {"text"} for o in public["options"])
    full = q.to_dict()
    assert [o["correct"] for o in full["options"]].count(True) == len(q.correct)
    assert json.loads(json.dumps(full)) == full


def _break(raw, fn):
    data = copy.deepcopy(raw)
    fn(data)
    return data


@pytest.mark.parametrize("mutate,words", [
    (lambda d: d["questions"][0]["options"][1].update(correct=True), "exactly one option"),
    (lambda d: [o.update(correct=False) for o in d["questions"][0]["options"]], "exactly one option"),
    (lambda d: d["questions"][0]["options"][1].update(explanation=""), "'explanation' must be"),
    (lambda d: d["questions"][0]["options"][1].pop("explanation"), "'explanation' must be"),
    (lambda d: d["questions"][0]["options"][1].update(correct="yes"), "'correct' must be"),
    (lambda d: d["questions"][1].update(id=d["questions"][0]["id"]), "appears twice"),
    (lambda d: d["questions"][0].update(id="Has Spaces"), "id must be"),
    (lambda d: d["questions"][0].pop("source"), "'source' must be"),
    (lambda d: d["questions"][0].update(stem="  "), "'stem' must be"),
    (lambda d: d["questions"][0].update(options=d["questions"][0]["options"][:1]), "2 to 8 options"),
    (lambda d: d["questions"][0].update(answer=1), "unknown keys answer"),
    (lambda d: d["questions"][0]["options"].append(dict(d["questions"][0]["options"][1])), "same text"),
    (lambda d: d["questions"][0].update(multiple="no"), "'multiple' must be"),
    (lambda d: d.update(format=2), "unsupported concept bank format"),
    (lambda d: d.update(questions=[]), "no questions"),
    (lambda d: d.update(questions={}), "a concept bank is an object"),
    (lambda d: d["questions"].append("what?"), "must be an object"),
])
def test_malformed_banks_are_refused(raw, mutate, words):
    with pytest.raises(ConceptBankError) as info:
        parse_concepts(_break(raw, mutate))
    assert words in info.value.message


def test_multiple_answer_question_needs_a_wrong_option(raw):
    multi = next(i for i, q in enumerate(raw["questions"]) if q.get("multiple"))
    data = _break(raw, lambda d: [o.update(correct=True) for o in d["questions"][multi]["options"]])
    with pytest.raises(ConceptBankError, match="at least one correct and one wrong"):
        parse_concepts(data)


def test_errors_name_the_question(raw):
    data = _break(raw, lambda d: d["questions"][2]["options"][0].update(text=""))
    with pytest.raises(ConceptBankError) as info:
        parse_concepts(data)
    assert f"question 3 ({raw['questions'][2]['id']}) option 1" in info.value.message


def test_unreadable_files_are_refused(tmp_path):
    with pytest.raises(ConceptBankError, match="cannot read"):
        load_concepts(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConceptBankError, match="not valid JSON"):
        load_concepts(bad)


def test_load_from_a_given_path(tmp_path, raw):
    path = tmp_path / "bank.json"
    path.write_text(json.dumps({"format": 1, "questions": raw["questions"][:2]}), encoding="utf-8")
    assert [q.id for q in load_concepts(path)] == [q["id"] for q in raw["questions"][:2]]
