"""How the receptive field grows layer by layer (solution only: its last bar is the answer)."""

from __future__ import annotations

from typing import Any

import drawsvg as dw

from quizsvc.families.problem import Figure
from quizsvc.figures.canvas import ACCENT2, SHADE, canvas, finish, label

MARGIN = 10
BAR = 18


def growth(layers: list[dict[str, Any]]) -> list[int]:
    """Return the receptive field on the input after 0, 1, ... layers (1 + sum d(k-1) * jump)."""
    rf, jump, out = 1, 1, [1]
    for layer in layers:
        rf += layer["dilation"] * (layer["kernel_size"] - 1) * jump
        jump *= layer["stride"]
        out.append(rf)
    return out


def draw(family: str, params: dict[str, Any], key: dict[str, Any]) -> list[Figure]:
    if params["variant"] == "stack":
        rows = [("input pixel", 1)]
        for i, (layer, rf) in enumerate(zip(params["layers"], growth(params["layers"])[1:]), 1):
            rows.append((f"after {layer['type']} {i} (k={layer['kernel_size']}, s={layer['stride']}"
                         + (f", d={layer['dilation']}" if layer["dilation"] > 1 else "") + ")", rf))
        alt = ("The receptive field on the input of one unit, after each layer: "
               + "; ".join(f"{name}: {rf}" for name, rf in rows) + ".")
        title = "Receptive field after each layer (input pixels)"
    else:
        big, k = params["large_kernel"], params["kernel_size"]
        n = key["layers"]
        rows = [(f"after {i} layer(s) of {k}x{k}", 1 + i * (k - 1)) for i in range(1, n + 1)]
        rows.append((f"one {big}x{big} layer", big))
        alt = (f"Stacked stride-1 {k}x{k} layers widen the receptive field by {k - 1} each: "
               + "; ".join(f"{name}: {rf}" for name, rf in rows) + ".")
        title = f"{n} layers of {k}x{k} reach the receptive field of one {big}x{big}"
    widest = max(rf for _, rf in rows)
    scale = min(14.0, 300.0 / widest)
    width, height = 620, MARGIN * 2 + 30 + len(rows) * (BAR + 8)
    d = canvas(width, height, alt)
    label(d, title, MARGIN, MARGIN + 8, weight="bold")
    y = MARGIN + 30
    centre = 250 + 150
    for name, rf in rows:
        label(d, name, MARGIN, y + BAR / 2, size=11)
        w = max(rf * scale, 3)
        d.append(dw.Rectangle(centre - w / 2, y, w, BAR, fill=SHADE, stroke=ACCENT2))
        label(d, str(rf), centre + w / 2 + 6, y + BAR / 2, size=11)
        y += BAR + 8
    return [finish(d, "receptive_field.svg", alt, "solution")]
