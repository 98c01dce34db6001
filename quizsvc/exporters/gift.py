"""GIFT (Moodle's plain-text format): numerical and multiple-choice questions.

GIFT reads ``~ = # { } :`` as syntax everywhere and a backslash as an escape,
so every one of them in a text, LaTeX braces and backslashes included, is
written with a backslash. Each question is preceded by ``// [id:...]`` and
``// [tag:...]`` comments, the only place Moodle's GIFT importer reads an
idnumber and tags from. GIFT has no question with several numeric boxes:
such items become multiple choice over the family's catalogued mistakes, or
are left out (and listed with the reason) when no mistake gives a distractor.
"""

from __future__ import annotations

from typing import Iterable

from quizsvc.exporters.common import SHARE, category_path, report_lines
from quizsvc.exporters.items import Item, Option, Skipped, expression_refusal
from quizsvc.exporters.markup import plain_number
from quizsvc.exporters.registry import Format, Options, Written, register

_SPECIAL = "~=#{}:"


def escape(text: str) -> str:
    """Return text with every GIFT special character escaped, on one line."""
    text = text.replace("\\", "\\\\")  # the backslash first: the escapes add more
    for char in _SPECIAL:
        if char in text:
            text = text.replace(char, "\\" + char)
    return text.replace("\r", " ").replace("\n", " ")


def _bracketed(text: str) -> str:
    # Moodle reads [id:...] and [tag:...] up to the first "]"; identifiers and tags have none.
    return text.replace("]", "").replace("\n", " ")


def _head(item: Item) -> str:
    tags = " ".join(f"[tag:{_bracketed(t)}]" for t in (
        "quizsvc", f"family:{item.family}", f"version:{item.version}", f"seed:{item.seed}",
        f"level:{item.level}"))
    return (f"// [id:{_bracketed(item.ident)}]\n// {tags}\n"
            f"::{escape(item.title)}::[html]{escape(item.prompt)}")


def _general(item: Item) -> str:
    return f"\t####[html]{escape(item.solution)}\n"


def numerical(item: Item) -> str:
    """Return ``{#=%100%v:tol#Correct. =%0%bad:tol#why ...}``."""
    blank = item.blanks[0]
    tol = plain_number(blank.tolerance)
    lines = [f"\t=%100%{plain_number(blank.value)}:{tol}#Correct.\n"]
    lines += [f"\t=%0%{plain_number(w.value)}:{tol}#{escape(w.feedback)}\n" for w in blank.wrongs]
    return _head(item) + "{#\n" + "".join(lines) + _general(item) + "}\n"


def choice(item: Item, options: tuple[Option, ...], multiple: bool) -> str:
    """Return ``{=right#fb ~wrong#fb ...}``; several right options share the credit."""
    right = sum(o.correct for o in options)
    lines = []
    for o in options:
        if multiple:
            mark = f"~%{SHARE[right]}%" if o.correct else f"~%-{SHARE[len(options) - right]}%"
        else:
            mark = "=" if o.correct else "~"
        fb = f"#{escape(o.feedback)}" if o.feedback else ""
        lines.append(f"\t{mark}{escape(o.html)}{fb}\n")
    return _head(item) + "{\n" + "".join(lines) + _general(item) + "}\n"


def question(item: Item, style: str = "typed") -> str | Skipped:
    """Return the GIFT text of one item, or why GIFT cannot express it."""
    refused = expression_refusal(item)
    if refused is not None:
        return refused
    if style == "choice" and item.has_distractors:
        return choice(item, item.options, False)
    if item.form == "choice":  # a set answer is one choice among the candidate sets
        return choice(item, item.choice_options, False)
    elif item.form == "numerical" and item.number_issue is None:
        return numerical(item)
    if item.has_distractors:
        return choice(item, item.options, False)
    if item.number_issue:
        return Skipped(item.ident, item.number_issue)
    return Skipped(item.ident, f"GIFT has no question with several answer boxes "
                   f"({len(item.blanks)} here) and no catalogued mistake gives a distractor "
                   "for a multiple-choice version")


def write(items: Iterable[Item], options: Options) -> Written:
    """Return the GIFT text of `items`, with the items left out."""
    title, style = options.title, options.style
    items = list(items)
    # Items the format cannot take at all get no category of their own, only the report.
    refused = [r for r in map(expression_refusal, items) if r is not None]
    groups: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        if expression_refusal(item) is None:
            groups.setdefault((item.family, item.level), []).append(item)
    out = [f"// quizsvc question bank: {title.splitlines()[0] if title else ''}\n\n"]
    skipped: list[Skipped] = list(refused)
    count = 0
    notes: list[str] = []
    if options.policy is not None:
        notes.append(f"attempt policy (max_attempts={options.policy.max_attempts}, "
                     f"show_key={options.policy.show_key}): GIFT holds questions, not quiz "
                     "settings; set attempts, 'Highest grade' and the review options in the quiz")
    for (family, level), members in groups.items():
        path = " ".join(category_path(title, family, level).split())
        out.append(f"$CATEGORY: {path}\n\n")
        for item in members:
            q = question(item, style)
            if isinstance(q, Skipped):
                skipped.append(q)
            else:
                out.append(q + "\n")
                count += 1
                drawn = item.figures + item.solution_figures
                if drawn:
                    notes.append(f"{item.ident}: figures left out ({', '.join(f.name for f in drawn)}): "
                                 "GIFT carries no files; use Moodle XML")
    out += [f"// {line}\n" for line in report_lines(skipped, notes)]
    return Written("".join(out).encode("utf-8"), count, skipped, notes)


REGISTERED = register(Format("gift", "GIFT", "text/plain; charset=utf-8", ".txt", write,
                         "Moodle's plain-text format: numerical and multiple-choice questions"))
