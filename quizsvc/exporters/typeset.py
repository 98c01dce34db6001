"""The engine's Markdown and LaTeX as Typst markup, for printed papers.

Prompts and solutions use a small Markdown subset with math as ``$...$`` and
``$$...$$`` (see `markup`). Text becomes Typst markup with every character
Typst would read as syntax escaped; math goes through `texmath`. Wide display
math and matrices are scaled down to fit the page.
"""

from __future__ import annotations

import re

from quizsvc.exporters.texmath import TexError, convert

_INLINE = re.compile(
    r"`(?P<code>[^`\n]+)`"
    r"|\$\$(?P<display>.+?)\$\$"
    r"|\$(?P<math>[^$\n]+?)\$"
    r"|\*\*(?P<bold>\S(?:.*?\S)?)\*\*"
    r"|\*(?P<em>[^*\s](?:[^*\n]*?[^*\s])?)\*",
    re.S,
)
_BULLET = re.compile(r"^\s*[-*] +(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)] +(.*)$")
_SPECIAL = re.compile(r"([\\#$*_`<>@\[\]~/=+\-'\"])")


def text(plain: str) -> str:
    """Return plain text as Typst markup that shows exactly that text."""
    return _SPECIAL.sub(r"\\\1", plain.replace("\r", "").replace("\n", " "))


def string(plain: str) -> str:
    """Return a Typst string literal (for code mode)."""
    return '"' + plain.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def math(tex: str) -> str:
    """Return LaTeX math as the body of a Typst equation (unknown LaTeX: `TexError`)."""
    return convert(tex)


def _equation(tex: str, display: bool) -> str:
    try:
        eq = math(tex)
    except TexError:  # shown as source rather than losing the whole paper (tests forbid it)
        return f"#raw({string(tex)})"
    if display:
        return f"#fit[$ {eq} $]"
    # A matrix inline is as tall as a display: typeset it so, in the line (box), shrunk to fit.
    return f"#box(fit[$display({eq})$])" if "mat(" in eq else f"${eq}$"


def _piece(kind: str, body: str) -> str:
    if kind == "code":
        return f"#raw({string(body)})"
    if kind in ("display", "math"):
        return _equation(body, kind == "display")
    return f"#strong[{inline(body)}]" if kind == "bold" else f"#emph[{inline(body)}]"


def inline(line: str) -> str:
    """Return one line of the Markdown subset as Typst markup."""
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(line):
        out.append(text(line[pos:m.start()]))
        kind = m.lastgroup
        body = m.group(kind)
        out.append(_piece(kind, body))
        pos = m.end()
    out.append(text(line[pos:]))
    return "".join(out)


def markdown(source: str) -> str:
    """Return the Markdown subset (paragraphs, lists, code, emphasis, math) as Typst markup."""
    blocks = []
    for block in re.split(r"\n\s*\n", source.strip()):
        lines: list[str] = []
        para: list[str] = []   # source lines of the paragraph being read (math may span them)
        item: list[str] = []   # source lines of the list item being read
        mark = ""

        def flush() -> None:
            nonlocal para, item
            if para:
                lines.append(inline(" ".join(para)))
            if item:
                lines.append(f"{mark} {inline(' '.join(item))}")
            para, item = [], []

        for line in block.split("\n"):
            bullet = _BULLET.match(line)
            numbered = None if bullet else _NUMBERED.match(line)
            if bullet or numbered:
                flush()
                mark = "-" if bullet else "+"
                item = [(bullet or numbered).group(1).strip()]
            elif item and line.startswith((" ", "\t")) and line.strip():
                item.append(line.strip())  # a continuation line of the list item
            elif line.strip():
                if item:
                    flush()
                para.append(line.strip())
        flush()
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
