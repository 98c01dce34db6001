"""The drawing conventions every figure shares: sizes, colours, the text alternative."""

from __future__ import annotations

from typing import Any

import drawsvg as dw

from quizsvc.families.problem import Figure

CELL = 28           # side of one tensor entry, in px
FONT = 12
INK = "#1b1b1b"      # text and lines: contrast > 15:1 on white
GRID = "#6b6b6b"     # cell borders: 5.7:1 on white
PAD_FILL = "#e8e8e8"  # padding zeros
SHADE = "#9ecae1"    # highlighted entries (text on it stays > 12:1)
ACCENT = "#b2182b"   # window outlines: 6.9:1 on white
ACCENT2 = "#2166ac"  # a second window: 6.1:1 on white
TAPS = ("#fdd0a2", "#c6dbef", "#c7e9c0", "#dadaeb", "#fcbba1", "#d9d9d9", "#fee391", "#ccebc5",
        "#f2f2f2")   # light fills, one per kernel tap; black text stays readable on each


def canvas(width: float, height: float, alt: str) -> dw.Drawing:
    """Return a drawing with a title (the text alternative) as its first child."""
    d = dw.Drawing(width, height, role="img", aria_label=alt, font_family="sans-serif")
    d.append(dw.Title(alt))
    d.append(dw.Rectangle(0, 0, width, height, fill="white"))
    return d


def cell(d: dw.Drawing, x: float, y: float, text: Any = "", *, fill: str = "white",
         size: float = CELL, stroke: str = GRID, font: float = FONT) -> None:
    """Draw one entry: a square with its value centred."""
    d.append(dw.Rectangle(x, y, size, size, fill=fill, stroke=stroke, stroke_width=1))
    if text != "":
        d.append(dw.Text(str(text), font, x + size / 2, y + size / 2, text_anchor="middle",
                         dominant_baseline="central", fill=INK))


def label(d: dw.Drawing, text: str, x: float, y: float, *, anchor: str = "start",
          size: float = FONT, weight: str = "normal") -> None:
    d.append(dw.Text(text, size, x, y, text_anchor=anchor, fill=INK, font_weight=weight,
                     dominant_baseline="central"))


def outline(d: dw.Drawing, x: float, y: float, w: float, h: float, colour: str,
            dash: str | None = None) -> None:
    kw = {"stroke_dasharray": dash} if dash else {}
    d.append(dw.Rectangle(x, y, w, h, fill="none", stroke=colour, stroke_width=3, **kw))


def finish(d: dw.Drawing, name: str, alt: str, part: str = "prompt") -> Figure:
    """Return the drawing as a `Figure` (SVG without the XML declaration, to inline in HTML)."""
    svg = d.as_svg()
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2:].lstrip()
    return Figure(name=name, svg=svg, alt=alt, part=part)  # type: ignore[arg-type]


def fmt(v: Any) -> str:
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.3g}"
    return str(v)
