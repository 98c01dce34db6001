"""Moodle XML: numerical, multichoice and cloze questions, a category per family and level.

Numerical questions carry the key with its tolerance (0 for integers) and, as
0% answers with feedback, the values the family's catalogued mistakes give.
Vectors, matrices, shapes and several fields become one cloze question with a
``{w:NUMERICAL:...}`` box per entry, weighted so that the cloze grade is the
engine's partial credit (each field counts equally, its entries share it); a
"tick all that apply" field is one ``MULTICHOICE`` box over the candidate sets
(the engine gives a set all or nothing). Moodle ignores ``defaultgrade`` for a
cloze question and weighs it by the sum of its boxes, so every question of an
export gets the same mark: the least common multiple of what its cloze
questions need, or, when that exceeds `MAX_MARK`, the mark up to it that makes
the most of them exact (the others' weights are rounded, and the report says so).
Every ``<text>`` is CDATA, as Moodle's own exporter writes it: Moodle's XML
reader drops text chunks that are only whitespace, which escaped markup such
as ``&lt;/strong&gt; &lt;code&gt;`` is split into. Figures are embedded files
(``@@PLUGINFILE@@``).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote

from quizsvc import families
from quizsvc.errors import QuizError
from quizsvc.exporters.common import ALLOWED, SHARE, category_path, left_out_comment
from quizsvc.exporters.items import Blank, Item, Option, Skipped, answer_table, expression_refusal
from quizsvc.exporters.markup import _XML_BAD, escape, escape_attr, plain_number
from quizsvc.exporters.registry import Format, Options, Written, register
from quizsvc.families.problem import Figure

MAX_CLOZE_BLANKS = 256
MAX_MARK = 10_080  # = 2 x 7! : a multiple of every box count up to 10, and of many more

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


def cdata(text: str) -> str:
    """Return ``<text>`` content as one CDATA section (``]]>`` split across two)."""
    if _XML_BAD.search(text):
        text = _XML_BAD.sub("", text)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text(tag: str, html: str, files: str = "") -> str:
    return f'<{tag} format="html"><text>{cdata(html)}</text>{files}</{tag}>'


def _figures(figures: tuple[Figure, ...]) -> tuple[str, str]:
    """Return the HTML showing figures and the ``<file>`` elements that hold them.

    Moodle keeps files per text area: the prompt's figures go with the question
    text, the solution's (which show the answer) with the general feedback.
    """
    # The reference is URL-encoded, as Moodle's own exporter writes it; the file keeps its name.
    html = "".join(f'<p><img src="@@PLUGINFILE@@/{escape_attr(quote(f.name))}" '
                   f'alt="{escape_attr(f.alt)}"></p>' for f in figures)
    files = "".join(f'<file name="{escape_attr(f.name)}" path="/" encoding="base64">'
                    f"{base64.b64encode(f.svg.encode()).decode()}</file>" for f in figures)
    return html, files


def _head(item: Item, qtype: str, question_html: str, mark: int) -> str:
    tags = "".join(f"<tag><text>{cdata(t)}</text></tag>" for t in (
        "quizsvc", f"family:{item.family}", f"version:{item.version}", f"seed:{item.seed}",
        f"level:{item.level}"))
    figures, files = _figures(item.figures)
    shown, held = _figures(item.solution_figures)
    return (f'<question type="{qtype}"><name><text>{cdata(item.title)}</text></name>'
            f"{_text('questiontext', question_html + figures, files)}"
            f"{_text('generalfeedback', item.solution + shown, held)}"
            f"<defaultgrade>{mark}</defaultgrade><penalty>0.3333333</penalty><hidden>0</hidden>"
            f"<idnumber>{cdata(item.ident)}</idnumber><tags>{tags}</tags>")


def numerical(item: Item, mark: int = 1) -> str:
    """Return a numerical question: the key, then each mistake's value at 0%."""
    blank = item.blanks[0]
    tol = plain_number(blank.tolerance)
    answers = [(("100", plain_number(blank.value), "Correct."))]
    answers += [("0", plain_number(w.value), w.feedback) for w in blank.wrongs]
    body = "".join(f'<answer fraction="{f}" format="moodle_auto_format"><text>{v}</text>'
                   f"{_text('feedback', fb)}<tolerance>{tol}</tolerance></answer>"
                   for f, v, fb in answers)
    return (_head(item, "numerical", item.prompt, mark) + body
            + "<unitgradingtype>0</unitgradingtype><unitpenalty>0.1000000</unitpenalty>"
            "<showunits>3</showunits><unitsleft>0</unitsleft></question>\n")


def multichoice(item: Item, options: tuple[Option, ...], multiple: bool = False, mark: int = 1,
                grades: list[str] | None = None) -> str:
    """Return a multichoice question (one answer, or several with shared credit)."""
    if grades is None and multiple:
        right = sum(o.correct for o in options)
        wrong = len(options) - right
        grades = [SHARE[right] if o.correct else "-" + SHARE[wrong] for o in options]
    elif grades is None:
        grades = ["100" if o.correct else "0" for o in options]
    answers = "".join(f'<answer fraction="{g}" format="html"><text>{cdata(o.html)}</text>'
                      f"{_text('feedback', o.feedback)}</answer>" for g, o in zip(grades, options))
    return (_head(item, "multichoice", item.prompt, mark)
            + f"<single>{'false' if multiple else 'true'}</single><shuffleanswers>true</shuffleanswers>"
            "<answernumbering>abc</answernumbering><showstandardinstruction>0</showstandardinstruction>"
            + _text("correctfeedback", "Correct.")
            + _text("partiallycorrectfeedback", "Partly correct.")
            + _text("incorrectfeedback", "Not quite: see the feedback on your choice.")
            + answers + "</question>\n")


def cloze_blank(blank: Blank, weight: int | None = None) -> str:
    """Return one cloze sub-question: ``{w:NUMERICAL:=v:tol#ok~%0%bad:tol#why}``."""
    w = blank.weight if weight is None else weight
    if blank.kind == "choice" and blank.multiple:  # one choice among the candidate sets
        alts = [("=" if o.correct else "") + cloze_text(o.html)
                + ("#" + cloze_text(o.feedback) if o.feedback else "") for o in blank.sets]
        return f"{{{w}:MULTICHOICE:{'~'.join(alts)}}}"
    if blank.kind == "choice":
        feedback = {str(wr.value): wr.feedback for wr in blank.wrongs}
        alts = [("=" + cloze_text(escape(c)) + "#Correct." if c == blank.value
                 else cloze_text(escape(c)) + ("#" + cloze_text(feedback[c]) if c in feedback else ""))
                for c in blank.choices]
        return f"{{{w}:MULTICHOICE:{'~'.join(alts)}}}"
    tol = plain_number(blank.tolerance)
    alts = [f"={plain_number(blank.value)}:{tol}#Correct."]
    alts += [f"%0%{plain_number(wr.value)}:{tol}#{cloze_text(wr.feedback)}" for wr in blank.wrongs]
    return f"{{{w}:NUMERICAL:{'~'.join(alts)}}}"


def _braces(html: str) -> str:
    return html.replace("{", "&#123;")


def need(item: Item) -> int:
    """Return the smallest mark whose box weights give the engine's credit exactly."""
    fields = len(item.layout)
    counts = [sum(len(r) for r in f.rows) for f in item.layout]
    return math.lcm(*(fields * n for n in counts))


def weights(item: Item, mark: int) -> tuple[list[int], bool]:
    """Return integer box weights summing to `mark` (each field an equal share, its boxes
    equal shares of it), and whether they are exact rather than rounded."""
    fields = len(item.layout)
    shares = []
    for f in item.layout:
        n = sum(len(r) for r in f.rows)
        shares += [mark / (fields * n)] * n
    floors = [max(1, math.floor(s)) for s in shares]
    # Largest remainders get the marks left, so that the weights add up to the mark.
    order = sorted(range(len(shares)), key=lambda i: shares[i] - math.floor(shares[i]), reverse=True)
    for i in order[:max(0, mark - sum(floors))]:
        floors[i] += 1
    return floors, all(abs(w - s) < 1e-9 for w, s in zip(floors, shares))


def cloze(item: Item, mark: int | None = None) -> str:
    """Return a cloze question with one weighted box per entry of every field."""
    ws = weights(item, mark)[0] if mark is not None else [b.weight for b in item.blanks]
    by_name = {b.name: w for b, w in zip(item.blanks, ws)}
    # A literal "{1:NUMERICAL:..." in the text would read as a box: write braces as references.
    html = _braces(item.prompt) + answer_table(item, lambda b: cloze_blank(b, by_name[b.name]),
                                               _braces)
    return _head(item, "cloze", html, sum(ws)) + "</question>\n"


def _grade_floor(score: float) -> str:
    """Return the largest grade Moodle accepts that is at most `score` (0..1) as a percentage."""
    return next(g for g in ALLOWED if float(g) <= 100 * score + 1e-6)


def engine_graded(item: Item, mark: int) -> tuple[str, str | None]:
    """Return a multichoice whose options carry the engine's own credit (floored to Moodle's
    grades), and a note if some credit had to be rounded down."""
    fam = families.get(item.family)
    spec = fam.answer_spec(item.params)

    def score(option: Option) -> float:
        if option.correct:
            return 1.0
        try:
            return fam.grade(item.params, item.key, spec, option.answer).score
        except (QuizError, ArithmeticError, ValueError, IndexError, KeyError, TypeError):
            return 0.0  # an answer the engine cannot grade earns nothing here either
    scores = [score(o) for o in item.options]
    grades = [_grade_floor(s) for s in scores]
    rounded = any(abs(float(g) - 100 * s) > 1e-4 for g, s in zip(grades, scores))
    return (multichoice(item, item.options, mark=mark, grades=grades),
            f"{item.ident}: partial credit rounded down to Moodle's grades" if rounded else None)


def question(item: Item, style: str = "typed", mark: int = 1) -> tuple[str | Skipped, list[str]]:
    """Return the question XML of one item (or why Moodle cannot take it), and notes."""
    refused = expression_refusal(item)
    if refused is not None:
        return refused, []
    if style == "choice" and item.has_distractors:
        return multichoice(item, item.options, mark=mark), []
    if item.form == "choice":
        return multichoice(item, item.choice_options, mark=mark), []
    if item.number_issue is None:
        if item.form == "numerical":
            return numerical(item, mark), []
        if len(item.blanks) <= MAX_CLOZE_BLANKS:
            if item.additive:
                exact = weights(item, mark)[1]
                note = [] if exact else [f"{item.ident}: box weights rounded to make the mark "
                                         f"{mark} (partial credit within {len(item.blanks)}/{mark})"]
                return cloze(item, mark), note
            if item.has_distractors:
                q, note = engine_graded(item, mark)
                return q, [f"{item.ident}: multiple choice, because quizsvc's partial credit is "
                           "not the sum of box-by-box credit a cloze question gives"] + (
                               [note] if note else [])
            return cloze(item, mark), [f"{item.ident}: cloze boxes add credit one by one, "
                                       "which is not quizsvc's partial credit for every answer"]
    if item.has_distractors:
        return multichoice(item, item.options, mark=mark), []
    reason = item.number_issue or (f"{len(item.blanks)} answer boxes (more than {MAX_CLOZE_BLANKS})"
                                   " and no catalogued mistake to build a multiple-choice version")
    return Skipped(item.ident, reason), []


def export_mark(items: list[Item], style: str) -> int:
    """Return the mark every question of an export gets: what its cloze questions need."""
    needs = [need(i) for i in items if i.form == "blanks" and i.number_issue is None
             and not (style == "choice" and i.has_distractors) and len(i.blanks) <= MAX_CLOZE_BLANKS]
    mark = math.lcm(1, *needs)
    if mark <= MAX_MARK:
        return mark
    counts: dict[int, int] = {}
    for n in needs:
        counts[n] = counts.get(n, 0) + 1
    # The smallest mark that makes the most cloze questions exact.
    return max(range(1, MAX_MARK + 1), key=lambda m: (sum(c for n, c in counts.items() if m % n == 0), -m))


def write(items: Iterable[Item], options: Options) -> Written:
    """Return the Moodle XML of `items`, with the items left out."""
    title, style = options.title, options.style
    items = list(items)
    mark = export_mark(items, style)
    items = list(items)
    # Items the format cannot take at all get no category of their own, only the report.
    refused = [r for r in map(expression_refusal, items) if r is not None]
    groups: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        if expression_refusal(item) is None:
            groups.setdefault((item.family, item.level), []).append(item)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    skipped: list[Skipped] = list(refused)
    notes: list[str] = []
    if mark > 1:
        notes.append(f"every question is worth {mark} marks (Moodle weighs a cloze question by "
                     "the sum of its boxes): in a quiz they weigh the same")
    if options.policy is not None:
        notes.append(f"attempt policy (max_attempts={options.policy.max_attempts}, "
                     f"show_key={options.policy.show_key}): Moodle XML holds questions, not quiz "
                     "settings; set attempts, 'Highest grade' and the review options in the quiz")
    count = 0
    for (family, level), members in groups.items():
        out.append('<question type="category"><category><text>'
                   f"{cdata(category_path(title, family, level))}</text></category>"
                   + _text("info", escape(f"{members[0].topic}: {family}, {level}")) + "</question>\n")
        for item in members:
            q, said = question(item, style, mark)
            notes += said
            if isinstance(q, Skipped):
                skipped.append(q)
            else:
                out.append(q)
                count += 1
    out.append(left_out_comment(skipped, notes) + "</quiz>\n")
    return Written("".join(out).encode("utf-8"), count, skipped, notes)


REGISTERED = register(Format("moodle", "Moodle XML", "application/xml", ".xml", write,
                             "Moodle question bank: numerical, multiple-choice and cloze questions"))
