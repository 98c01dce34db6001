"""Printed papers as PDF, typeset by Typst: worksheets, exams with a version per student, answer keys.

Each paper opens with a cover (title, the student, the version code and its QR
code, the instructions) and numbers its own pages. Every problem shows its
prompt with the math typeset from the families' LaTeX (`typeset`), its figures,
and an answer area sized to the key: one box per number, a row of boxes for a
shape or vector, a grid for a matrix, tick boxes for a choice. An answer key
fills the boxes with the key and adds the worked solution. Modes: ``worksheet``
and ``key`` print one paper; ``exam`` and ``exam-key`` print every version in
`Options.papers`, in one PDF (page numbers restart per paper) or, with
``extra["split"]``, one PDF per paper in a zip.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from typing import Any

import segno
import typst
from lxml import etree

from quizsvc.errors import ParamError
from quizsvc.exporters.items import FieldLayout, Item
from quizsvc.exporters.markup import plain_number
from quizsvc.exporters.registry import Format, Options, Paper, Written, register
from quizsvc.exporters.typeset import inline, markdown, string, text
from quizsvc.families.problem import Figure

MODES = ("worksheet", "exam", "key", "exam-key")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

PREAMBLE = r"""
#set document(date: none)
#set text(size: 10.5pt)
#set par(justify: false)
#let paper-code = state("paper-code", "")
#let paper-no = state("paper-no", 0)
#set page(paper: "a4", margin: (x: 1.8cm, top: 1.8cm, bottom: 2cm), footer: context {
  let n = paper-no.get()
  let ends = query(label("paper-end-" + str(n)))
  let total = if ends.len() > 0 { counter(page).at(ends.first().location()).first() } else { none }
  set text(size: 8.5pt)
  [#paper-code.get() #h(1fr) Page #counter(page).display()#if total != none [ of #total]]
})
#let fit(body) = layout(size => {
  let w = measure(body).width
  if w > size.width { scale(size.width / w * 100%, reflow: true, body) } else { body }
})
#let ans(width, body) = box(width: width, height: 1.5em, stroke: 0.6pt + black, inset: (x: 3pt),
  baseline: 0.4em, align(center + horizon, text(fill: rgb("#1a4f9c"), body)))
#let brackets(body) = context {
  let h = measure(body).height + 6pt
  let line = 0.8pt
  let side(left) = box(width: 4pt, height: h, stroke: if left { (left: line, top: line, bottom: line) }
                                                     else { (right: line, top: line, bottom: line) })
  grid(columns: 3, column-gutter: 3pt, align: horizon, side(true), body, side(false))
}
#let tick(on) = box(width: 0.9em, height: 0.9em, stroke: 0.6pt, baseline: 0.1em,
  align(center + horizon, if on { text(size: 0.8em, fill: rgb("#1a4f9c"))[X] }))
"""


def _em(width_chars: int) -> str:
    # At least 4 em: a box as narrow as a one-digit key would tell the student its length.
    return f"{max(4.0, 0.62 * width_chars + 1.2):.1f}em"


def _value(kind: str, value: Any) -> str:
    # An expression key (`k1*x1 + k2*x2`) is printed as typed; numbers in plain notation.
    return plain_number(value) if kind not in ("choice", "expression") else str(value)


def _boxes(values: list[Any], kind: str, key: bool) -> list[str]:
    """Return one answer box per value, all as wide as the widest value needs."""
    width = _em(max(len(_value(kind, v)) for v in values))
    return [f"#ans({width})[{text(_value(kind, v)) if key else ''}]" for v in values]


def answer_area(item: Item, key: bool) -> str:
    """Return the answer area of an item: boxes sized to the key, filled in on an answer key."""
    out = []
    for f in item.layout:
        out.append(_field_area(item, f, key))
    return "\n\n".join(out)


def _field_area(item: Item, f: FieldLayout, key: bool) -> str:
    value = item.key[f.name]
    label = f"#strong[{text(f.label)}:]"
    if f.kind == "matrix":
        cols = len(value[0])
        cells = _boxes([v for row in value for v in row], f.kind, key)
        grid = (f"grid(columns: {cols}, gutter: 4pt, " + ", ".join(f"[{c}]" for c in cells) + ")")
        return (f"{label} ({len(value)} rows, {cols} columns)\n\n"
                f"#align(center, fit(brackets({grid})))")
    if f.kind in ("shape", "vector"):
        opening, closing = ("(", ")") if f.kind == "shape" else ("[", "]")
        cells = _boxes(list(value), f.kind, key)
        return f"{label} {text(opening)}{', '.join(cells)}{text(closing)}"
    if f.kind == "choice":
        spec = next(s for s in item.spec if s["name"] == f.name)
        chosen = set(value) if spec.get("multiple") else {value}
        hint = "tick every one that applies" if spec.get("multiple") else "tick one"
        # A choice may hold inline math or code (the concept questions): typeset, not verbatim.
        ticks = " #h(1.2em) ".join(f"#tick({'true' if key and c in chosen else 'false'}) {inline(c)}"
                                   for c in spec["choices"])
        return f"{label} #emph[({hint})]\n\n{ticks}"
    (box,) = _boxes([value], f.kind, key)
    return f"{label} {box}"


def _figures(figures: tuple[Figure, ...]) -> tuple[str, list[str]]:
    """Return figures as Typst, and the names of those left out (not SVG)."""
    out, bad = [], []
    for fig in figures:
        try:
            etree.fromstring(fig.svg.encode())
        except etree.XMLSyntaxError:
            bad.append(fig.name)
            continue
        out.append(f"#align(center, fit(image(bytes({string(fig.svg)}), format: \"svg\", "
                   f"alt: {string(fig.alt)})))")
    return "\n\n".join(out), bad


def problem(n: int, item: Item, key: bool) -> tuple[str, list[str]]:
    """Return problem `n` of a paper as Typst, and any figures left out."""
    source = item.problem
    prompt = markdown(source.prompt) if source is not None else text(item.prompt)
    figures, bad = _figures(item.figures)
    # Solution figures show the answer: only an answer key prints them, with the worked solution.
    shown, unshown = _figures(item.solution_figures) if key else ("", [])
    bad += unshown
    parts = [f"#block(breakable: true, width: 100%)[\n== Problem {n} #h(1fr) "
             f"#text(size: 8.5pt, weight: \"regular\")[1 point]\n\n{prompt}"]
    if figures:
        parts.append(figures)
    parts.append("#v(0.4em)\n" + answer_area(item, key))
    if key and source is not None:
        parts.append(f"#block(inset: (left: 8pt), stroke: (left: 1.5pt + luma(170)))[*Worked "
                     f"solution.* {markdown(source.solution)}]")
        if shown:
            parts.append(shown)
    return "\n\n".join(parts) + "\n]\n#v(0.8em)", bad


def qr_svg(code: str) -> str:
    """Return the QR code of a version code as SVG text."""
    buf = io.BytesIO()
    segno.make(code, error="m", micro=False).save(buf, kind="svg", scale=4, border=4, xmldecl=False)
    return buf.getvalue().decode()


def cover(title: str, paper: Paper, key: bool, count: int) -> str:
    """Return the cover page of one paper."""
    kind = "Answer key" if key else ("Exam" if paper.student else "Worksheet")
    who = (f"#text(size: 13pt)[{text(paper.student)}]" if paper.student
           else "Name: #box(width: 9cm, stroke: (bottom: 0.6pt))[]")
    if key:
        instructions = ("For staff only: the key of the paper with this version code, with "
                        "the worked solution of every problem.")
    else:
        instructions = ("Write each answer in its box. Whole numbers must be exact; other "
                        "numbers may be off by 1% of the answer (or 0.01, whichever is larger). "
                        "Tick boxes: mark the choice (or every choice) that applies.")
    return f"""
#align(center)[#v(2cm)#text(size: 20pt, weight: "bold")[{text(title)}]
#v(4pt)#text(size: 14pt)[{kind}]]
#v(1.2cm)
{who}

#v(0.6cm)
#grid(columns: (1fr, auto), gutter: 12pt, align: horizon,
  [Version code: #text(font: "DejaVu Sans Mono", size: 14pt, weight: "bold")[{text(paper.code)}]

   {count} problems, 1 point each ({count} points).

   {text(instructions)}],
  image(bytes({string(qr_svg(paper.code))}), format: "svg", width: 3.6cm,
        alt: {string("QR code of version " + paper.code)}))
#pagebreak()
"""


def document(title: str, papers: list[Paper], key: bool) -> tuple[str, list[str]]:
    """Return the Typst source of the papers, one after another, and figures left out."""
    parts = [PREAMBLE, f"#set document(title: {string(title)})"]
    left = []
    for i, paper in enumerate(papers):
        if i:
            parts.append("#pagebreak()")
        parts.append(f"#paper-code.update({string(paper.code)})#paper-no.update({i})"
                     "#counter(page).update(1)")
        parts.append(cover(title, paper, key, len(paper.items)))
        for n, item in enumerate(paper.items, 1):
            body, bad = problem(n, item, key)
            parts.append(body)
            left += [f"{item.ident}: figure {name} is not valid SVG" for name in bad]
        parts.append(f"#metadata(none) <paper-end-{i}>")
    return "\n".join(parts), left


def compile_pdf(source: str) -> bytes:
    """Return the PDF of a Typst source."""
    return typst.compile(source.encode("utf-8"), format="pdf")


def adhoc_code(items: list[Item]) -> str:
    """Return the version code of a paper that is not from a stored bank (a digest of its items)."""
    digest = hashlib.sha256("\n".join(i.ident for i in items).encode()).hexdigest()
    return "X-" + digest[:8].upper()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "paper"


def _papers(items: list[Item], options: Options) -> tuple[list[Paper], bool]:
    if options.mode not in MODES:
        raise ParamError(f"mode must be one of {', '.join(MODES)}, got {options.mode!r}",
                         errors={"mode": "unknown mode"})
    papers = options.papers or [Paper(adhoc_code(items), items)]
    if options.mode in ("worksheet", "key"):
        papers = papers[:1]
    return papers, options.mode in ("key", "exam-key")


def preview(items: list[Item], options: Options, ppi: int = 100) -> list[bytes]:
    """Return the pages of the (unsplit) PDF `write` would make, as PNG images."""
    papers, key = _papers(items, options)
    return typst.compile(document(options.title, papers, key)[0].encode("utf-8"), format="png",
                         ppi=ppi)


def write(items: list[Item], options: Options) -> Written:
    """Return the PDF (or, split, a zip of PDFs) of the papers the options ask for."""
    papers, key = _papers(items, options)
    count = sum(len(p.items) for p in papers)
    notes = []
    if options.extra.get("split") and options.mode in ("exam", "exam-key"):
        buf = io.BytesIO()
        left: list[str] = []
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for paper in papers:
                source, bad = document(options.title, [paper], key)
                left += bad
                name = _safe(f"{paper.student or 'paper'}-{paper.code}") + ".pdf"
                zf.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), compile_pdf(source))
        notes += left
        return Written(buf.getvalue(), count, [], notes, media_type="application/zip",
                       extension=".zip")
    source, bad = document(options.title, papers, key)
    return Written(compile_pdf(source), count, [], notes + bad)


REGISTERED = register(Format(
    "pdf", "PDF (print)", "application/pdf", ".pdf", write,
    "Printed worksheet, exam (a version per student) or answer key, typeset with Typst"))
