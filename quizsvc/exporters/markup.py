"""Turn the engine's Markdown (math as ``$...$``) into the HTML every LMS shows.

Prompts and worked solutions use a small Markdown subset: paragraphs, ``-`` and
``1.`` lists, inline code, ``**bold**``, ``*italic*``, inline math ``$...$`` and
display math ``$$...$$``. LMSs render math with MathJax from ``\\( ... \\)`` and
``\\[ ... \\]``, so that is what the math becomes; everything else is escaped.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

# Characters XML 1.0 cannot carry at all (not even as references).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
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


def escape(text: str) -> str:
    """Return text escaped for HTML and XML text (``&``, ``<``, ``>``), minus forbidden characters."""
    if _XML_BAD.search(text):
        text = _XML_BAD.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(text: str) -> str:
    """Return text escaped for a double-quoted XML attribute."""
    return escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def inline(text: str) -> str:
    """Return one line of Markdown as HTML, math as ``\\( \\)`` and ``\\[ \\]``."""
    if "$" not in text and "`" not in text and "*" not in text:
        return escape(text)
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append(escape(text[pos:m.start()]))
        kind = m.lastgroup
        body = m.group(kind)
        if kind == "code":
            out.append(f"<code>{escape(body)}</code>")
        elif kind == "display":
            out.append(f"\\[{escape(body)}\\]")
        elif kind == "math":
            out.append(f"\\({escape(body)}\\)")
        elif kind == "bold":
            out.append(f"<strong>{inline(body)}</strong>")
        else:
            out.append(f"<em>{inline(body)}</em>")
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def to_html(markdown: str) -> str:
    """Return the Markdown subset of prompts and solutions as one line of HTML."""
    html: list[str] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        para: list[str] = []
        items: list[str] = []
        tag = ""
        for line in block.split("\n"):
            bullet = _BULLET.match(line)
            numbered = None if bullet else _NUMBERED.match(line)
            match = bullet or numbered
            if match:
                if para:
                    html.append(f"<p>{inline(' '.join(para))}</p>")
                    para = []
                new_tag = "ul" if bullet else "ol"
                if items and new_tag != tag:
                    html.append(f"<{tag}>{''.join(items)}</{tag}>")
                    items = []
                tag = new_tag
                items.append(f"<li>{inline(match.group(1).strip())}</li>")
            elif items and line.startswith((" ", "\t")) and line.strip():
                # A continuation line of the last list item.
                items[-1] = items[-1][:-5] + " " + inline(line.strip()) + "</li>"
            else:
                if items:
                    html.append(f"<{tag}>{''.join(items)}</{tag}>")
                    items = []
                if line.strip():
                    para.append(line.strip())
        if items:
            html.append(f"<{tag}>{''.join(items)}</{tag}>")
        if para:
            html.append(f"<p>{inline(' '.join(para))}</p>")
    return "".join(html)


def plain_number(value: Any) -> str:
    """Return a number as plain decimal text, never in exponent form: ``-0.00001``, ``12``."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{value} is not a finite number")
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def decimal(value: Any) -> Decimal:
    """Return the exact decimal a number is written as (``0.1`` is 0.1, not its binary neighbour)."""
    return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
