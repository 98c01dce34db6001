"""Pooling windows along the first dimension, with ceil_mode's extra window (solution only).

Counting the windows is the answer, so this figure belongs to the worked solution. A long input
shows only its end, where floor and ceil differ.
"""

from __future__ import annotations

from typing import Any

import drawsvg as dw

from quizsvc.families.problem import Figure
from quizsvc.figures.canvas import ACCENT, ACCENT2, GRID, PAD_FILL, canvas, cell, finish, label
from quizsvc.solver.shapes import pool_out_size

MARGIN = 10
SHOWN = 16
SIZE = 24


def draw(family: str, params: dict[str, Any], key: dict[str, Any]) -> list[Figure]:
    n, k, s = params["in_size"][0], params["kernel_size"][0], params["stride"][0]
    p, d = params["padding"][0], params["dilation"][0]
    ceil = params["ceil_mode"]
    out = key["shape"][0]
    floor_out = pool_out_size(n, k, s, p, d, False)
    span = d * (k - 1) + 1
    # Padded positions run from -p to n + p - 1; a ceil-mode window may run past them.
    last_end = (out - 1) * s - p + span  # one past the last window's last position
    right = max(n + p, last_end)
    left = -p if right + p <= SHOWN else right - SHOWN
    first_window = max(0, -(-(left + p) // s))  # the first window starting inside the view
    windows = list(range(first_window, out))[-8:]
    cols = right - left
    width = max(MARGIN * 2 + 60 + cols * SIZE, 420)
    height = MARGIN * 2 + 60 + SIZE + len(windows) * 14 + 50
    extra = out - floor_out
    alt = (f"Dimension 0 of the input, {n} positions" + (f" with {p} padding on each side" if p else "")
           + (f", its last {cols} positions shown" if left > -p else "") +
           f". Windows of span {span} start every {s} positions; the last window drawn is output "
           f"{out - 1}." + (f" With ceil_mode it is a window that starts inside the input but runs "
                             f"past its end, and it counts: {out} windows instead of {floor_out}."
                             if extra else f" There are {out} windows."))
    dr = canvas(width, height, alt)
    label(dr, f"Pooling windows along dimension 0 (ceil_mode={ceil})", MARGIN, MARGIN + 8,
          weight="bold")
    x0, top = MARGIN + 40, MARGIN + 40
    if left > -p:
        label(dr, "...", MARGIN + 10, top + SIZE / 2)
    for pos in range(left, right):
        real = 0 <= pos < n
        inside = -p <= pos < n + p
        cell(dr, x0 + (pos - left) * SIZE, top, str(pos) if real else ("pad" if inside else ""),
             fill="white" if real else PAD_FILL, size=SIZE, font=9,
             stroke=GRID if inside else "#b0b0b0")
    y = top + SIZE + 12
    for j in windows:
        start = j * s - p
        over = j >= floor_out
        colour = ACCENT if over else ACCENT2
        for t in range(k):
            pos = start + t * d
            cx = x0 + (pos - left) * SIZE + SIZE / 2
            dr.append(dw.Circle(cx, y, 4, fill=colour))
        dr.append(dw.Line(x0 + (start - left) * SIZE + SIZE / 2, y,
                          x0 + (start + span - 1 - left) * SIZE + SIZE / 2, y, stroke=colour,
                          stroke_width=2, stroke_dasharray="4,3" if over else None))
        label(dr, f"out {j}", x0 - 6, y, anchor="end", size=9)
        y += 14
    if extra:
        label(dr, "dashed: the extra window ceil_mode keeps (it starts inside the input)", MARGIN,
              y + 14, size=11)
    return [finish(dr, "pooling.svg", alt, "solution")]
