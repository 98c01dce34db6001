"""LaTeX (the subset the families write) to MathML, with the few fixes latex2mathml needs."""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

# latex2mathml copies the argument of \text into <mtext> verbatim: escapes such as \_ stay
# as written and <, > and & would reach the page as markup. These are the text-mode escapes.
_TEXT_ESCAPES = {"\\_": "_", "\\%": "%", "\\&": "&", "\\#": "#", "\\$": "$", "\\{": "{",
                 "\\}": "}", "\\ ": " "}
# Symbols latex2mathml lacks or renders as identifiers, as equivalents it has.
_SYMBOLS = {"\\implies": "\\Longrightarrow", "\\impliedby": "\\Longleftarrow",
            "\\iff": "\\Longleftrightarrow"}
_SYMBOL_RE = re.compile(r"(\\implies|\\impliedby|\\iff)(?![A-Za-z])")
_TEXT_RE = re.compile(r"(\\text|\\textbf|\\textit|\\textrm)\s*\{")
# latex2mathml puts a matrix's brackets beside the other terms of the formula, so they stretch
# to the tallest term (k's brackets as tall as x's matrix in "x = ..., k = ..."): a group
# around each matrix keeps its brackets to its own height (and a ^T on the whole matrix).
_MATRIX_BEGIN = re.compile(r"\\begin\{([bBpvV]?matrix)\}")
_MATRIX_END = re.compile(r"\\end\{([bBpvV]?matrix)\}")


def _text_arg(arg: str) -> str:
    """Return the argument of a text command with its escapes resolved and HTML escaped."""
    for escape, char in _TEXT_ESCAPES.items():
        arg = arg.replace(escape, char)
    return html.escape(arg, quote=False)


def _closing_brace(tex: str, start: int) -> int:
    """Return the index of the brace closing the group that starts after `start`, or -1."""
    depth = 1
    i = start
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def prepare(tex: str) -> str:
    """Rewrite `tex` into what latex2mathml converts faithfully."""
    tex = _SYMBOL_RE.sub(lambda m: _SYMBOLS[m.group(1)], tex)
    tex = _MATRIX_END.sub(lambda m: m.group(0) + "}", _MATRIX_BEGIN.sub(lambda m: "{" + m.group(0), tex))
    out, pos = [], 0
    for m in _TEXT_RE.finditer(tex):
        if m.start() < pos:
            continue  # a text command inside a text argument already handled
        end = _closing_brace(tex, m.end())
        if end < 0:
            break
        out.append(tex[pos:m.end()] + _text_arg(tex[m.end():end]) + "}")
        pos = end + 1
    out.append(tex[pos:])
    return "".join(out)


def to_mathml(tex: str, *, display: bool = False) -> str:
    """Return `tex` as a MathML <math> element (not yet sanitised).

    Raises ValueError (or latex2mathml's own errors) when the LaTeX cannot be read.
    """
    return convert(prepare(tex.strip()), display="block" if display else "inline")
