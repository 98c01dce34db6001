"""Moodle XML: numerical, multichoice and cloze questions, a category per family and level.

Numerical questions carry the key with its tolerance (0 for integers) and, as
0% answers with feedback, the values the family's catalogued mistakes give.
Vectors, matrices, shapes and several fields become one cloze question with a
``{w:NUMERICAL:...}`` box per entry, weighted so that the cloze grade is the
engine's partial credit (each field counts equally, its entries share it).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from quizsvc.exporters.common import SHARE, category_path, fraction, left_out_comment
from quizsvc.exporters.items import Blank, Item, Option, Skipped, answer_table
from quizsvc.exporters.markup import escape, plain_number
from quizsvc.exporters.registry import Format, Options, Written, register

MAX_CLOZE_BLANKS = 256

# Cloze sub-question text is entity-decoded by Moodle before it is stored, and
# ``#``, ``}``, ``~`` (and a backslash before them) end an answer or feedback:
# writing every such character as an entity keeps the text intact.
_CLOZE = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("#", "&#35;"),
          ("{", "&#123;"), ("}", "&#125;"), ("~", "&#126;"), ("\\", "&#92;"), ("/", "&#47;"))


@lru_cache(maxsize=4096)  # the same mistakes' feedback recurs in every variant of a family
def cloze_text(html: str) -> str:
    """Return HTML made safe inside a cloze sub-question (answer or feedback)."""
    for char, ref in _CLOZE:  # "&" first, so that the references are not escaped again
        html = html.replace(char, ref)
    return html


def _text(tag: str, html: str) -> str:
    return f'<{tag} format="html"><text>{escape(html)}</text></{tag}>'


def _head(item: Item, qtype: str, question_html: str) -> str:
    tags = "".join(f"<tag><text>{escape(t)}</text></tag>" for t in (
        "quizsvc", f"family:{item.family}", f"version:{item.version}", f"seed:{item.seed}",
        f"level:{item.level}"))
    return (f'<question type="{qtype}"><name><text>{escape(item.title)}</text></name>'
            f"{_text('questiontext', question_html)}{_text('generalfeedback', item.solution)}"
            f"<defaultgrade>1</defaultgrade><penalty>0.3333333</penalty><hidden>0</hidden>"
            f"<idnumber>{escape(item.ident)}</idnumber><tags>{tags}</tags>")


def numerical(item: Item) -> str:
    """Return a numerical question: the key, then each mistake's value at 0%."""
    blank = item.blanks[0]
    tol = plain_number(blank.tolerance)
    answers = [(("100", plain_number(blank.value), "Correct."))]
    answers += [("0", plain_number(w.value), w.feedback) for w in blank.wrongs]
    body = "".join(f'<answer fraction="{f}" format="moodle_auto_format"><text>{v}</text>'
                   f"{_text('feedback', fb)}<tolerance>{tol}</tolerance></answer>"
                   for f, v, fb in answers)
    return (_head(item, "numerical", item.prompt) + body
            + "<unitgradingtype>0</unitgradingtype><unitpenalty>0.1000000</unitpenalty>"
            "<showunits>3</showunits><unitsleft>0</unitsleft></question>\n")


def multichoice(item: Item, options: tuple[Option, ...], multiple: bool) -> str:
    """Return a multichoice question (one answer, or several with shared credit)."""
    if multiple:
        right = sum(o.correct for o in options)
        wrong = len(options) - right
        grades = [SHARE[right] if o.correct else "-" + SHARE[wrong] for o in options]
    else:
        grades = ["100" if o.correct else "0" for o in options]
    answers = "".join(f'<answer fraction="{g}" format="html"><text>{escape(o.html)}</text>'
                      f"{_text('feedback', o.feedback)}</answer>" for g, o in zip(grades, options))
    return (_head(item, "multichoice", item.prompt)
            + f"<single>{'false' if multiple else 'true'}</single><shuffleanswers>true</shuffleanswers>"
            "<answernumbering>abc</answernumbering><showstandardinstruction>0</showstandardinstruction>"
            + _text("correctfeedback", "Correct.")
            + _text("partiallycorrectfeedback", "Partly correct.")
            + _text("incorrectfeedback", "Not quite: see the feedback on your choice.")
            + answers + "</question>\n")


def cloze_blank(blank: Blank) -> str:
    """Return one cloze sub-question: ``{w:NUMERICAL:=v:tol#ok~%0%bad:tol#why}``."""
    if blank.kind == "choice":
        if blank.multiple:
            right, wrong = len(blank.value), len(blank.choices) - len(blank.value)
            alts = [(f"%{SHARE[right]}%" if c in blank.value else f"%-{SHARE[wrong]}%")
                    + cloze_text(escape(c)) for c in blank.choices]
            return f"{{{blank.weight}:MULTIRESPONSE:{'~'.join(alts)}}}"
        feedback = {str(w.value): w.feedback for w in blank.wrongs}
        alts = [("=" + cloze_text(escape(c)) + "#Correct." if c == blank.value
                 else cloze_text(escape(c)) + ("#" + cloze_text(feedback[c]) if c in feedback else ""))
                for c in blank.choices]
        return f"{{{blank.weight}:MULTICHOICE:{'~'.join(alts)}}}"
    tol = plain_number(blank.tolerance)
    alts = [f"={plain_number(blank.value)}:{tol}#Correct."]
    alts += [f"%0%{plain_number(w.value)}:{tol}#{cloze_text(w.feedback)}" for w in blank.wrongs]
    return f"{{{blank.weight}:NUMERICAL:{'~'.join(alts)}}}"


def _braces(html: str) -> str:
    return html.replace("{", "&#123;")


def cloze(item: Item) -> str:
    """Return a cloze question with one weighted box per entry of every field."""
    # A literal "{1:NUMERICAL:..." in the text would read as a box: write braces as references.
    html = _braces(item.prompt) + answer_table(item, cloze_blank, _braces)
    return _head(item, "cloze", html) + "</question>\n"


def _multi_ok(options: tuple[Option, ...]) -> bool:
    right = sum(o.correct for o in options)
    return 1 <= right <= 10 and len(options) - right <= 10


def question(item: Item, style: str = "typed") -> str | Skipped:
    """Return the question XML of one item, or why Moodle cannot take it."""
    if style == "choice" and item.has_distractors:
        return multichoice(item, item.options, False)
    if item.form == "choice":
        multiple = bool(item.spec[0].get("multiple"))
        if not multiple or _multi_ok(item.choice_options):
            return multichoice(item, item.choice_options, multiple)
    elif item.number_issue is None:
        if item.form == "numerical":
            return numerical(item)
        multi = [b for b in item.blanks if b.multiple]
        if len(item.blanks) <= MAX_CLOZE_BLANKS and all(
                1 <= len(b.value) <= 10 and len(b.choices) - len(b.value) <= 10 for b in multi):
            return cloze(item)
    if item.has_distractors:
        return multichoice(item, item.options, False)
    reason = item.number_issue or (f"{len(item.blanks)} answer boxes (more than {MAX_CLOZE_BLANKS})"
                                   " and no catalogued mistake to build a multiple-choice version")
    return Skipped(item.ident, reason)


def write(items: Iterable[Item], options: Options) -> Written:
    """Return the Moodle XML of `items`, with the items left out."""
    title, style = options.title, options.style
    groups: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        groups.setdefault((item.family, item.level), []).append(item)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    skipped: list[Skipped] = []
    count = 0
    for (family, level), members in groups.items():
        out.append('<question type="category"><category><text>'
                   f"{escape(category_path(title, family, level))}</text></category>"
                   + _text("info", escape(f"{members[0].topic}: {family}, {level}")) + "</question>\n")
        for item in members:
            q = question(item, style)
            if isinstance(q, Skipped):
                skipped.append(q)
            else:
                out.append(q)
                count += 1
    out.append(left_out_comment(skipped) + "</quiz>\n")
    return Written("".join(out).encode("utf-8"), count, skipped)


REGISTERED = register(Format("moodle", "Moodle XML", "application/xml", ".xml", write,
                         "Moodle question bank: numerical, multiple-choice and cloze questions"))
