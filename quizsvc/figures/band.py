"""The band structure of a convolution matrix (solution only: its entries are the answer).

Each nonzero entry is coloured by the kernel tap it holds, so the shifted copies of the kernel
in consecutive rows, and the blocks of a 2D input's doubly block Toeplitz matrix, stand out.
"""

from __future__ import annotations

from typing import Any

from quizsvc.families.problem import Figure
from quizsvc.figures.canvas import TAPS, canvas, cell, finish, fmt, label

MARGIN = 10


def tap_map(in_size: list[int], kshape: list[int], stride: list[int], before: list[int],
            after: list[int], dilation: list[int]) -> dict[tuple[int, int], int]:
    """Return {(row, column): tap number} of the matrix, rows and columns row-major."""
    nd = len(in_size)
    h, w = (in_size[0], in_size[1]) if nd == 2 else (1, in_size[0])
    kh, kw = (kshape[0], kshape[1]) if nd == 2 else (1, kshape[0])
    sh, sw = (stride[0], stride[1]) if nd == 2 else (1, stride[0])
    bh, bw = (before[0], before[1]) if nd == 2 else (0, before[0])
    ah, aw = (after[0], after[1]) if nd == 2 else (0, after[0])
    dh, dw_ = (dilation[0], dilation[1]) if nd == 2 else (1, dilation[0])
    ho = (h + bh + ah - dh * (kh - 1) - 1) // sh + 1
    wo = (w + bw + aw - dw_ * (kw - 1) - 1) // sw + 1
    out = {}
    for i in range(ho):
        for j in range(wo):
            for a in range(kh):
                for b in range(kw):
                    y, x = i * sh + a * dh - bh, j * sw + b * dw_ - bw
                    if 0 <= y < h and 0 <= x < w:
                        out[(i * wo + j, y * w + x)] = a * kw + b
    return out


def draw(family: str, params: dict[str, Any], key: dict[str, Any]) -> list[Figure]:
    kernel = params["kernel"]
    nd = len(params["in_size"])
    kshape = [len(kernel), len(kernel[0])] if nd == 2 else [len(kernel)]
    if family == "conv_matrix_same":
        from quizsvc.families.conv_matrix_same import pads
        before, after = pads(params)
        stride = [1] * nd
    else:
        before = after = params["padding"]
        stride = params["stride"]
    taps = tap_map(params["in_size"], kshape, stride, before, after, params["dilation"])
    matrix = key["matrix"]
    rows, cols = len(matrix), len(matrix[0])
    size = 26 if cols <= 12 else 20
    font = 11 if size == 26 else 9
    flat = [v for row in kernel for v in row] if nd == 2 else list(kernel)
    names = ([f"k[{t // kshape[1]},{t % kshape[1]}]" for t in range(len(flat))] if nd == 2
             else [f"k[{t}]" for t in range(len(flat))])
    legend_rows = -(-len(flat) // 4)
    width = max(MARGIN * 2 + 40 + cols * size, 420)
    height = MARGIN * 2 + 40 + rows * size + 24 * legend_rows
    alt = (f"The {rows}x{cols} matrix A: row r holds the kernel taps of output r at the columns of "
           f"the inputs under its window, coloured by tap; blank entries are 0. The kernel moves "
           + ("one position per row: a Toeplitz band." if nd == 1 else
              "along each row of the image, and the pattern repeats block by block: a doubly "
              "block Toeplitz matrix."))
    d = canvas(width, height, alt)
    label(d, f"A: {rows} outputs x {cols} inputs, entries coloured by kernel tap", MARGIN,
          MARGIN + 8, weight="bold")
    left, top = MARGIN + 34, MARGIN + 34
    for c in range(cols):
        label(d, str(c), left + c * size + size / 2, top - 8, anchor="middle", size=9)
    for r in range(rows):
        label(d, str(r), left - 6, top + r * size + size / 2, anchor="end", size=9)
        for c in range(cols):
            t = taps.get((r, c))
            v = matrix[r][c]
            cell(d, left + c * size, top + r * size, fmt(v) if v else "",
                 fill=TAPS[t % len(TAPS)] if t is not None else "white", size=size, font=font)
    y = top + rows * size + 16
    for t, (name, v) in enumerate(zip(names, flat)):
        x = MARGIN + (t % 4) * 100
        if t and t % 4 == 0:
            y += 24
        cell(d, x, y - 8, "", fill=TAPS[t % len(TAPS)], size=16)
        label(d, f"{name} = {fmt(v)}", x + 22, y)
    return [finish(d, "band.svg", alt, "solution")]
