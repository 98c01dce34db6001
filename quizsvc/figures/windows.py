"""Sliding windows over the padded input: the first windows and the stride between them.

conv_forward (prompt): the padded input with its values, the first window and the next one
along the last axis, which shows the stride and the dilation without computing any output.
first_last_symbolic (solution): the padded signal of symbols, the first and the last window
with the kernel tap under each entry (the answer, so only with the worked solution).
"""

from __future__ import annotations

from typing import Any

from quizsvc.families.problem import Figure
from quizsvc.figures.canvas import (ACCENT, ACCENT2, CELL, FONT, PAD_FILL, canvas, cell, finish,
                                    fmt, label, outline)

MARGIN = 10


def _grid(values: list[list[Any]], before: list[int], after: list[int]) -> list[list[Any]]:
    """Return the padded grid: None marks a padding zero."""
    (bh, bw), (ah, aw) = before, after
    width = len(values[0]) + bw + aw
    rows = [[None] * width for _ in range(bh)]
    rows += [[None] * bw + list(r) + [None] * aw for r in values]
    rows += [[None] * width for _ in range(ah)]
    return rows


def _taps(start: tuple[int, int], kernel: tuple[int, int], dilation: tuple[int, int]) -> list[tuple[int, int]]:
    return [(start[0] + a * dilation[0], start[1] + b * dilation[1])
            for a in range(kernel[0]) for b in range(kernel[1])]


def _render(alt: str, grid: list[list[Any]], kernel, dilation, starts, captions, tap_labels,
            width: int, height: int, heading: str):
    d = canvas(width, height, alt)
    label(d, heading, MARGIN, MARGIN + 8, weight="bold")
    top = MARGIN + 22 + (16 if tap_labels else 0)
    texts = [["0" if v is None else fmt(v) for v in row] for row in grid]
    font = FONT if max(len(t) for row in texts for t in row) <= 2 else FONT - 1  # x16, -0.5
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            cell(d, MARGIN + j * CELL, top + i * CELL, texts[i][j],
                 fill=PAD_FILL if v is None else "white", font=font)
    colours = (ACCENT, ACCENT2)
    drawn: set[tuple[int, int]] = set()
    for w, start in enumerate(starts):
        for t, (i, j) in enumerate(_taps(start, kernel, dilation)):
            # On the cell's border, clear of its text; inside an earlier window's outline only
            # where the two windows share the cell.
            inset = 2 + 3 * w if (i, j) in drawn else 2
            drawn.add((i, j))
            outline(d, MARGIN + j * CELL + inset, top + i * CELL + inset, CELL - 2 * inset,
                    CELL - 2 * inset, colours[w % 2], None if w == 0 else "5,3")
            if tap_labels:
                above = w == 0
                y = top + i * CELL + (-7 if above else CELL + 8)
                label(d, tap_labels[t], MARGIN + j * CELL + CELL / 2, y, anchor="middle", size=10)
    y = top + len(grid) * CELL + (38 if tap_labels else 22)
    for w, text in enumerate(captions):
        outline(d, MARGIN, y - 7, 14, 14, colours[w % 2], None if w == 0 else "5,3")
        label(d, text, MARGIN + 22, y)
        y += 22
    return d


def draw(family: str, params: dict[str, Any], key: dict[str, Any]) -> list[Figure]:
    if family == "first_last_symbolic":
        return [_symbolic(params, key)]
    return [_conv_forward(params)]


def _as2d(v: list) -> list[list[Any]]:
    return v if v and isinstance(v[0], list) else [v]


def _pair(values: list[int], neutral: int) -> tuple[int, int]:
    return (values[0], values[1]) if len(values) == 2 else (neutral, values[0])


def _conv_forward(p: dict[str, Any]) -> Figure:
    x = _as2d(p["input"])
    nd = 2 if isinstance(p["input"][0], list) else 1
    kh, kw = (len(p["kernel"]), len(p["kernel"][0])) if nd == 2 else (1, len(p["kernel"]))
    ph, pw = _pair(p["padding"], 0)
    sw = _pair(p["stride"], 1)[1]
    dh, dw_ = _pair(p["dilation"], 1)
    grid = _grid(x, [ph, pw], [ph, pw])
    span = dw_ * (kw - 1) + 1
    starts = [(0, 0)]
    if sw + span <= len(grid[0]):
        starts.append((0, sw))
    caps = ["first window (output position 0)" if nd == 1 else "first window (output (0, 0))"]
    if len(starts) > 1:
        caps.append(f"next window, {sw} position(s) to the right (the stride)")
    rows, cols = len(grid), len(grid[0])
    width, height = max(MARGIN * 2 + cols * CELL, 380), MARGIN * 2 + 22 + rows * CELL + 22 * (len(caps) + 1)
    what = f"length {len(x[0])}" if nd == 1 else f"{len(x)}x{len(x[0])}"
    pad = f" padded with {ph if nd == 2 else pw} zero(s) on each side (grey)" if ph or pw else ""
    dil = f", taps {dw_} apart (dilation {dw_})" if max(dh, dw_) > 1 else ""
    alt = (f"The input ({what}){pad}, as given in the question. The first window of the "
           f"{kw if nd == 1 else f'{kh}x{kw}'} kernel is outlined at the start{dil}"
           + (f"; the next window, dashed, starts {sw} position(s) to the right." if len(starts) > 1 else "."))
    d = _render(alt, grid, (kh, kw), (dh, dw_), starts, caps, None, width, height,
                "Padded input and the first windows")
    return finish(d, "windows.svg", alt)


def _symbolic(p: dict[str, Any], key: dict[str, Any]) -> Figure:
    from quizsvc.families.first_last_symbolic import pads
    n, k, s, d = p["length"], p["kernel_size"], p["stride"], p["dilation"]
    before, after = pads(p)
    grid = _grid([[f"x{i}" for i in range(1, n + 1)]], [0, before], [0, after])
    last = (key["length"] - 1) * s
    starts = [(0, 0), (0, last)]
    caps = [f"first window: {key['first']}", f"last window (output {key['length'] - 1}): {key['last']}"]
    cols = len(grid[0])
    # Heading, tap labels, the row, tap labels, one line per caption.
    width, height = max(MARGIN * 2 + cols * CELL, 420), MARGIN + 38 + CELL + 38 + 22 * len(caps)
    alt = (f"The signal x1 to x{n} with {before} padding zero(s) before and {after} after. The first "
           f"window covers padded positions 0 to {d * (k - 1)}; the last starts at position {last}. "
           f"First element {key['first']}; last element {key['last']}.")
    labels = [f"k{t + 1}" for t in range(k)]
    dr = _render(alt, grid, (1, k), (1, d), starts, caps, labels, width, height,
                 "The first and the last window")
    return finish(dr, "windows.svg", alt, "solution")
