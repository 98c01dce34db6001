"""A transposed convolution as a sum of scaled kernel copies (solution only: it is the answer).

One panel per input entry x[i] shows x[i] * k placed at offset i * stride (dilated taps spread
out), then the panel of their sum before cropping the padding, outlined where the output is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quizsvc.families.problem import Figure
from quizsvc.figures.canvas import ACCENT, PAD_FILL, SHADE, canvas, cell, finish, fmt, label, outline

MARGIN = 10
MAX_PANELS = 9


def _copies(x: np.ndarray, k: np.ndarray, stride, dilation, output_padding):
    full = [(n - 1) * s + d * (kk - 1) + 1 + op
            for n, kk, s, d, op in zip(x.shape, k.shape, stride, dilation, output_padding)]
    panels = []
    for idx in np.ndindex(*x.shape):
        panel = np.zeros(full, dtype=object)
        mask = np.zeros(full, dtype=bool)
        for tap in np.ndindex(*k.shape):
            pos = tuple(i * s + t * d for i, t, s, d in zip(idx, tap, stride, dilation))
            panel[pos] += x[idx] * k[tap]
            mask[pos] = True
        panels.append((idx, panel, mask))
    return full, panels


def draw(family: str, params: dict[str, Any], key: dict[str, Any]) -> list[Figure]:
    x, k = np.asarray(params["input"]), np.asarray(params["kernel"])
    nd = x.ndim
    full, panels = _copies(x, k, params["stride"], params["dilation"], params["output_padding"])
    total = sum(p for _, p, _ in panels)
    as2d = (lambda a: a) if nd == 2 else (lambda a: a.reshape(1, -1))
    h, w = (full[0], full[1]) if nd == 2 else (1, full[0])
    size = 24
    shown = panels[:MAX_PANELS]
    per_row = max(1, min(len(shown), 520 // (w * size + 24)))
    panel_w, panel_h = w * size + 24, h * size + 30
    rows_of_panels = -(-len(shown) // per_row) + 1
    width = max(MARGIN * 2 + per_row * panel_w, MARGIN * 2 + w * size + 24, 360)
    height = MARGIN * 2 + 26 + rows_of_panels * panel_h + 24
    pad = params["padding"]
    alt = (f"Each input entry scales the whole kernel; the copy of entry i is placed at offset "
           f"i x stride in a {'x'.join(map(str, full))} grid. {len(shown)} of the {len(panels)} copies are drawn, then "
           f"their sum" + (f", of which the output keeps the part inside {pad} cropped entries "
                           "on each side." if any(pad) else ", which is the output."))
    d = canvas(width, height, alt)
    label(d, "Scaled copies of the kernel, and their sum", MARGIN, MARGIN + 8, weight="bold")
    top = MARGIN + 26
    for n, (idx, panel, mask) in enumerate(shown):
        px = MARGIN + (n % per_row) * panel_w
        py = top + (n // per_row) * panel_h
        where = ", ".join(map(str, idx))
        label(d, f"x[{where}] = {fmt(x[idx].item())} times k", px, py + 6, size=11)
        grid, m = as2d(panel), as2d(mask)
        for i in range(h):
            for j in range(w):
                cell(d, px + j * size, py + 14 + i * size, fmt(grid[i][j]) if m[i][j] else "",
                     fill=SHADE if m[i][j] else "white", size=size, font=10)
    py = top + rows_of_panels * panel_h - panel_h
    label(d, "sum of the copies" + (" (output outlined)" if any(pad) else ""), MARGIN, py + 6,
          size=11, weight="bold")
    grid = as2d(total)
    ph, pw = (pad[0], pad[1]) if nd == 2 else (0, pad[0])
    for i in range(h):
        for j in range(w):
            inside = ph <= i < h - ph and pw <= j < w - pw
            cell(d, MARGIN + j * size, py + 14 + i * size, fmt(grid[i][j]),
                 fill="white" if inside else PAD_FILL, size=size, font=10)
    if any(pad):
        outline(d, MARGIN + pw * size, py + 14 + ph * size, (w - 2 * pw) * size,
                (h - 2 * ph) * size, ACCENT)
    return [finish(d, "transpose.svg", alt, "solution")]
