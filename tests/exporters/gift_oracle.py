"""A test oracle: a small GIFT reader following Moodle's importer, and Moodle's grading.

Questions are blocks separated by blank lines; ``//`` lines are comments, in
which (as Moodle 4's importer does) ``[id:...]`` gives the question's idnumber
and each ``[tag:...]`` a tag;
``\\\\`` is a backslash and ``\\:``, ``\\#``, ``\\=``, ``\\{``, ``\\}``, ``\\~`` are
literal characters; the answers are between the first ``{`` and the first
``}``; ``####`` starts the general feedback; ``#`` starts an answer's feedback;
``%w%`` gives an answer a weight; a numerical answer is ``value:tolerance``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_ESC = {"\\:": "\x01", "\\#": "\x02", "\\=": "\x03", "\\{": "\x04", "\\}": "\x05", "\\~": "\x06",
        "\\n": "\x07"}
_BACK = {"\x01": ":", "\x02": "#", "\x03": "=", "\x04": "{", "\x05": "}", "\x06": "~", "\x07": "\n"}
_WEIGHT = re.compile(r"^%(-*[0-9]{1,2}\.?[0-9]*)%")
_IS_NUMBER = re.compile(r"^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _pre(text: str) -> str:
    text = text.replace("\\\\", "\x00")
    for k, v in _ESC.items():
        text = text.replace(k, v)
    return text.replace("\x00", "\\")


def _post(text: str) -> str:
    for k, v in _BACK.items():
        text = text.replace(k, v)
    return text


def _formatted(text: str) -> tuple[str, str]:
    text = text.strip()
    if text.startswith("["):
        end = text.index("]")
        if text[1:end] in ("html", "moodle", "plain", "markdown"):
            return text[1:end], _post(text[end + 1:]).strip()
    return "moodle", _post(text).strip()


@dataclass
class Answer:
    fraction: float
    text: str
    feedback: str
    tolerance: float = 0.0


@dataclass
class Question:
    qtype: str
    name: str
    category: str
    format: str
    text: str
    general: str
    answers: list[Answer] = field(default_factory=list)
    single: bool = True
    idnumber: str = ""
    tags: list[str] = field(default_factory=list)


def _weight(answer: str) -> tuple[float | None, str]:
    m = _WEIGHT.match(answer)
    if not m:
        return None, answer
    return float(m.group(1)) / 100, answer[m.end():]


def _split_feedback(answer: str) -> tuple[str, str]:
    text, _, fb = answer.partition("#")
    return _formatted(text)[1], _formatted(fb)[1] if fb else ""


def parse(data: bytes) -> list[Question]:
    """Return the questions of a GIFT file, as Moodle's importer reads them."""
    blocks = re.split(r"\n[ \t]*\n", data.decode("utf-8").replace("\r\n", "\n"))
    category = ""
    out = []
    for block in blocks:
        comments = " ".join(ln for ln in block.split("\n") if ln.strip().startswith("//"))
        ids = re.findall(r"\[id:([^\]]*)\]", comments)
        tags = re.findall(r"\[tag:([^\]]*)\]", comments)
        lines = [" " if ln.strip().startswith("//") else ln for ln in block.split("\n")]
        text = "\n".join(lines).strip()
        if not text:
            continue
        text = _pre(text)
        if text.startswith("$CATEGORY:"):
            category = text[10:].strip()
            continue
        name = ""
        if text.startswith("::"):
            end = text.index("::", 2)
            name, text = _post(text[2:end]), text[end + 2:].strip()
        start, finish = text.find("{"), text.find("}")
        assert start >= 0 and finish > start, f"no answer section in {text[:80]!r}"
        answers = text[start + 1:finish].strip()
        qtext = text[:start] + text[finish + 1:]
        general = ""
        if "####" in answers:
            cut = answers.rindex("####")
            answers, general = answers[:cut].strip(), answers[cut + 4:]
        fmt, qtext = _formatted(qtext)
        q = Question("", name, category, fmt, qtext, _formatted(general)[1],
                     idnumber=ids[0].strip() if ids else "", tags=[t.strip() for t in tags])
        if answers.startswith("#"):
            q.qtype = "numerical"
            body = answers[1:]
            assert "~" not in body, "wrong-answer feedback is not used"
            for part in [p.strip() for p in body.split("=") if p.strip()]:
                w, part = _weight(part)
                value, fb = _split_feedback(part)
                ans, _, tol = value.partition(":")
                assert _IS_NUMBER.match(ans) and _IS_NUMBER.match(tol or "0"), f"not numbers: {value!r}"
                q.answers.append(Answer(1.0 if w is None else w, ans.strip(), fb, float(tol or 0)))
        elif "~" in answers:
            q.qtype = "multichoice"
            q.single = "=" in answers
            parts = [p.strip() for p in answers.replace("=", "~=").split("~") if p.strip()]
            assert len(parts) >= 2, "a multiple-choice question needs two answers"
            for part in parts:
                if part.startswith("="):
                    w, part = 1.0, part[1:]
                else:
                    w, part = _weight(part)
                    w = 0.0 if w is None else w
                value, fb = _split_feedback(part)
                q.answers.append(Answer(w, value, fb))
        else:
            raise AssertionError(f"unexpected question type for answers {answers[:60]!r}")
        out.append(q)
    return out


def grade(q: Question, response: Any) -> float:
    """Return Moodle's grade (0..1): first numerical answer in tolerance; chosen options' weights."""
    if q.qtype == "numerical":
        try:
            x = float(str(response))
        except ValueError:
            return 0.0
        for a in q.answers:
            if abs(x - float(a.text)) <= a.tolerance + 1e-12 * max(1.0, abs(float(a.text))):
                return max(0.0, a.fraction)
        return 0.0
    if q.single:
        hits = [a for a in q.answers if a.text == response]
        return max(0.0, hits[0].fraction) if hits else 0.0
    chosen = set(response)
    return min(1.0, max(0.0, sum(a.fraction for a in q.answers if a.text in chosen)))
