"""The (N, C, H*W) block of a normalization layer with one statistic's entries shaded.

Drawn as in the Group Norm paper: samples N across, channels C in depth, the H*W positions of a
feature map down. One mean and variance are computed over the shaded entries. For which_norm
the shaded block is the question (the prompt states it in words too); for normalization_axes it
is the answer, so it is drawn in the solution.
"""

from __future__ import annotations

from typing import Any

import drawsvg as dw

from quizsvc.families.problem import Figure
from quizsvc.figures.canvas import GRID, INK, SHADE, canvas, finish, label

S = 30          # cell side
DX, DY = 15, 11  # depth offset per channel
ROWS = 4        # rows drawn for the H*W positions


def shaded_set(norm: str, shape: list[int], groups: int | None = None) -> set[tuple[int, int]]:
    """Return the (sample, channel) pairs of the statistic drawn; every position of each is in."""
    n, c = shape[0], shape[1]
    if norm == "batch":
        return {(i, 0) for i in range(n)}
    if norm == "layer":
        return {(0, j) for j in range(c)}
    if norm == "instance":
        return {(0, 0)}
    per = c // (groups or 1)
    return {(0, j) for j in range(per)}


def describe(shape: list[int], cells: set[tuple[int, int]]) -> str:
    """Say in words which entries are shaded (without naming the norm)."""
    n, c, h, w = shape
    samples = sorted({i for i, _ in cells})
    channels = sorted({j for _, j in cells})
    who = "every sample" if len(samples) == n else f"sample {samples[0] + 1} only"
    if len(channels) == c:
        which = "every channel"
    elif len(channels) == 1:
        which = f"channel {channels[0] + 1} only"
    else:
        which = f"channels {channels[0] + 1} to {channels[-1] + 1} (of {c})"
    return (f"A block of N = {n} samples by C = {c} channels by H\u00b7W = {h}\u00d7{w} = {h * w} "
            f"positions. The shaded entries, the set one statistic is computed over: {who}, "
            f"{which}, all H\u00b7W positions.")


def block(shape: list[int], cells: set[tuple[int, int]], alt: str, name: str, part: str) -> Figure:
    n, c, h, w = shape
    rows = min(ROWS, h * w)
    x0, y0 = 100, 12 + c * DY  # the top face of the last channel rises c * DY above y0
    width = x0 + n * S + c * DX + 60
    height = y0 + rows * S + 60
    d = canvas(max(width, 300), height, alt)

    def poly(points, filled):
        flat = [v for pt in points for v in pt]
        d.append(dw.Lines(*flat, close=True, fill=SHADE if filled else "white", stroke=GRID,
                          stroke_width=1))
    # Back to front: the top face, the right face, then the front face.
    for j in range(c - 1, -1, -1):
        for i in range(n):
            x, y = x0 + i * S + j * DX, y0 - j * DY
            poly([(x, y), (x + S, y), (x + S + DX, y - DY), (x + DX, y - DY)], (i, j) in cells)
    for j in range(c - 1, -1, -1):
        for r in range(rows):
            x, y = x0 + n * S + j * DX, y0 + r * S - j * DY
            poly([(x, y), (x + DX, y - DY), (x + DX, y - DY + S), (x, y + S)], (n - 1, j) in cells)
    for i in range(n):
        for r in range(rows):
            x, y = x0 + i * S, y0 + r * S
            poly([(x, y), (x + S, y), (x + S, y + S), (x, y + S)], (i, 0) in cells)
    label(d, f"N = {n}", x0 + n * S / 2, y0 + rows * S + 16, anchor="middle", weight="bold")
    label(d, f"H\u00b7W = {h * w}", x0 - 8, y0 + rows * S / 2, anchor="end", weight="bold")
    d.append(dw.Text(f"C = {c}", 12, x0 + n * S + c * DX / 2 + 18, y0 + rows * S - c * DY / 2 + 4,
                     fill=INK, font_weight="bold"))
    if h * w > rows:
        label(d, f"({rows} of {h * w} rows drawn)", x0, y0 + rows * S + 36, size=10)
    return finish(d, name, alt, part)


def draw(family: str, params: dict[str, Any], key: dict[str, Any]) -> list[Figure]:
    shape, norm = params["shape"], params["norm"]
    if family == "normalization_axes" and norm == "layer" and len(params["normalized_shape"]) == 1:
        return []  # a statistic over W alone splits the H*W axis the block draws as one
    cells = shaded_set(norm, shape, params.get("num_groups"))
    if family == "which_norm":
        return [block(shape, cells, describe(shape, cells), "normalization.svg", "prompt")]
    if norm == "layer" and len(params["normalized_shape"]) == 2:
        cells = {(0, 0)}  # over H, W: one sample and channel, like instance norm
    alt = describe(shape, cells) + f" These are the axes {', '.join(key['axes'])}."
    return [block(shape, cells, alt, "normalization.svg", "solution")]
