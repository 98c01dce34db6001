"""A test oracle: read Moodle XML as Moodle's importer does, and grade responses as Moodle would.

Written from Moodle's own rules, not from our exporter: the XML is read as
Moodle's reader does, which drops every chunk of character data that is only
whitespace (an expat parser splits text at each entity reference, so the space
in ``&lt;/b&gt; &lt;i&gt;`` is such a chunk; a CDATA section is one chunk);
numerical answers are tried in order and the first within tolerance gives its
fraction; a cloze question is parsed with the regular expressions of
``qtype_multianswer`` (sub-question texts are entity-decoded, ``\\}`` and
``\\#`` unescaped), weighs the sum of its boxes' weights whatever its
``defaultgrade`` says, and is graded as the weighted mean of its sub-questions.
Embedded files (``<file>``) are kept per question text.
"""

from __future__ import annotations

import base64
import html
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

ALLOWED = {100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667,
           14.28571, 12.5, 11.11111, 10, 5, 0}

# qtype_multianswer's expressions (PHP's variable-width negative look-behind split in three).
_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"
_NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
_NUMERICAL = re.compile(f"^({_NUMBER})(:{_NUMBER})?$", re.S)
_TYPES = (r"(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|"
          r"(SHORTANSWER|SA|MW)|(SHORTANSWER_C|SAC|MWC)|(MULTIRESPONSE|MR)")
_CLOZE = re.compile(r"\{([0-9]*):(" + _TYPES + r"):(" + _ALTERNATIVE + "(~" + _ALTERNATIVE + r")*)\}", re.S)
_ALT = re.compile("~?" + _ALTERNATIVE, re.S)


@dataclass
class Answer:
    fraction: float        # 0..1 (negative for penalised options)
    text: str
    feedback: str
    tolerance: float = 0.0


@dataclass
class Question:
    qtype: str
    name: str
    idnumber: str
    tags: list[str]
    category: str
    text: str
    general: str
    answers: list[Answer] = field(default_factory=list)
    single: bool = True
    subs: list[tuple[int, str, list[Answer]]] = field(default_factory=list)  # cloze: weight, type
    defaultgrade: float = 1.0
    files: dict[str, bytes] = field(default_factory=dict)   # question text's embedded files

    @property
    def mark(self) -> float:
        """The question's mark in a Moodle quiz: a cloze weighs the sum of its boxes."""
        return float(sum(w for w, _, _ in self.subs)) if self.qtype == "cloze" else self.defaultgrade


def _fraction(text: str) -> float:
    value = float(text)
    assert abs(value) in ALLOWED or any(abs(abs(value) - a) < 1e-9 for a in ALLOWED), \
        f"{text}% is not a grade Moodle accepts"
    return value / 100


def _cloze(text: str) -> list[tuple[int, str, list[Answer]]]:
    subs = []
    while True:
        m = _CLOZE.search(text)
        if not m:
            return subs
        weight = int(m.group(1) or 1)
        kind = "numerical" if m.group(3) else ("multiresponse" if m.group(9) else "multichoice"
                                                if (m.group(4) or m.group(5) or m.group(6)) else "shortanswer")
        alts = m.group(10)
        answers = []
        while alts:
            a = _ALT.match(alts)
            assert a and a.group(0), f"unparsable cloze alternatives {alts!r}"
            frac = 1.0 if a.group(1) == "=" else (_fraction(a.group(2).replace(",", ".")) if a.group(2) else 0.0)
            feedback = html.unescape(a.group(5) or "").replace("\\}", "}").replace("\\#", "#")
            if kind == "numerical":
                n = _NUMERICAL.match(a.group(3))
                assert n, f"not a number: {a.group(3)!r}"
                answers.append(Answer(frac, n.group(1), feedback, float(n.group(6)) if n.group(6) else 0.0))
            else:
                answer = html.unescape(a.group(3)).replace("\\}", "}").replace("\\#", "#")
                answers.append(Answer(frac, answer, feedback))
            alts = alts[len(a.group(0)):]
        if kind == "multiresponse":  # positive grades are scaled to add up to 1
            total = sum(a.fraction for a in answers if a.fraction > 0)
            for a in answers:
                if a.fraction > 0:
                    a.fraction /= total
        subs.append((weight, kind, answers))
        text = text[:m.start()] + f"{{#{len(subs)}}}" + text[m.end():]


def read_like_moodle(data: bytes) -> etree._Element:
    """Return the XML tree as Moodle's reader sees it: whitespace-only text chunks dropped."""
    builder = etree.TreeBuilder()
    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = False  # one call per chunk, as PHP's expat handler gets them
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = lambda chunk: builder.data(chunk) if chunk.strip() else None
    parser.Parse(data, True)
    return builder.close()


def parse(data: bytes) -> list[Question]:
    """Return the questions of a Moodle XML file (categories applied, cloze parsed)."""
    root = read_like_moodle(data)
    assert root.tag == "quiz"
    category = ""
    out = []
    for q in root.findall("question"):
        qtype = q.get("type")
        if qtype == "category":
            category = q.findtext("category/text")
            continue
        question = Question(
            qtype=qtype, name=q.findtext("name/text"), idnumber=q.findtext("idnumber") or "",
            tags=[t.text for t in q.findall("tags/tag/text")], category=category,
            text=q.findtext("questiontext/text"), general=q.findtext("generalfeedback/text") or "",
            defaultgrade=float(q.findtext("defaultgrade") or 1),
            files={f.get("name"): base64.b64decode(f.text or "") for f in q.findall("questiontext/file")
                   if f.get("encoding") == "base64"})
        for a in q.findall("answer"):
            question.answers.append(Answer(_fraction(a.get("fraction")), a.findtext("text"),
                                           a.findtext("feedback/text") or "",
                                           float(a.findtext("tolerance") or 0)))
        if qtype == "multichoice":
            question.single = q.findtext("single") == "true"
        if qtype == "cloze":
            question.subs = _cloze(question.text)
        out.append(question)
    return out


def _number(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None


def numerical_match(answers: list[Answer], response: str) -> Answer | None:
    """Return the first answer whose tolerance interval holds the response (Moodle's rule)."""
    x = _number(response)
    if x is None:
        return None
    for a in answers:
        if abs(x - float(a.text)) <= a.tolerance + 1e-12 * max(1.0, abs(float(a.text))):
            return a
    return None


def _choice(answers: list[Answer], response: Any, single: bool) -> float:
    if single:
        hits = [a for a in answers if a.text == response]
        return max(0.0, hits[0].fraction) if hits else 0.0
    chosen = set(response)
    return min(1.0, max(0.0, sum(a.fraction for a in answers if a.text in chosen)))


def grade(q: Question, response: Any) -> float:
    """Return Moodle's grade (0..1) of a response: text, an option text, or one per cloze box."""
    if q.qtype == "numerical":
        a = numerical_match(q.answers, str(response))
        return max(0.0, a.fraction) if a else 0.0
    if q.qtype == "multichoice":
        return _choice(q.answers, response, q.single)
    if q.qtype == "cloze":
        total = got = 0.0
        for (weight, kind, answers), r in zip(q.subs, response, strict=True):
            total += weight
            if kind == "numerical":
                a = numerical_match(answers, str(r))
                got += weight * (max(0.0, a.fraction) if a else 0.0)
            else:
                got += weight * _choice(answers, r, kind != "multiresponse")
        return got / total
    raise AssertionError(f"no grading rule for {q.qtype}")


def feedback(q: Question, response: Any) -> str:
    """Return the feedback Moodle shows for a numerical response or a chosen option."""
    if q.qtype == "numerical":
        a = numerical_match(q.answers, str(response))
        return a.feedback if a else ""
    hits = [a for a in q.answers if a.text == response]
    return hits[0].feedback if hits else ""
