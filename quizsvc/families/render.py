"""Rendering helpers for prompts and worked solutions (Markdown, math as $...$)."""

from __future__ import annotations

from typing import Any, Sequence


def dims(values: Sequence[int]) -> str:
    """Return ``4x16`` for ``[4, 16]``."""
    return "x".join(str(v) for v in values)


def tup(values: Sequence[Any]) -> str:
    """Return ``(3, 5)`` for ``[3, 5]`` and ``(3,)`` for ``[3]``."""
    return "(" + ", ".join(str(v) for v in values) + ("," if len(values) == 1 else "") + ")"


def arg(values: Sequence[Any]) -> str:
    """Return a per-dimension argument as PyTorch accepts it: ``2`` for ``[2, 2]``, else ``(2, 1)``."""
    return str(values[0]) if len(set(values)) == 1 else str(tuple(values))


def torch_call(cls: str, **kwargs: Any) -> str:
    """Return a `torch.nn` constructor call as code, e.g. ``nn.Conv2d(3, 16, kernel_size=(5, 5))``."""
    parts = []
    for k, v in kwargs.items():
        if isinstance(v, (list, tuple)):
            v = tup(v)
        parts.append(f"{k}={v}")
    return f"`nn.{cls}({', '.join(parts)})`"


def num(value: Any) -> str:
    """Return a number as a person writes it: ``3``, ``-0.5``, ``0.3333``."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.6g}"
    return str(value)


def group(value: Any, *, math: bool = True) -> str:
    """Return an integer with its digits grouped by three from five digits on.

    Groups are separated by a thin space, as the SI writes numbers: ``group(1234567)`` is
    ``1\\,234\\,567`` for LaTeX and ``group(1234567, math=False)`` is ``1 234 567`` with
    narrow no-break spaces (U+202F) for text. A thin space reads the same in every locale,
    where a comma is a decimal mark in many; and MathML turns LaTeX's ``1{,}234`` into a
    list-like "1, 234". ``4096`` and other numbers of up to four digits stay as they are.
    Anything that is not an integer goes through `num`.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)
        else:
            return num(value)
    if abs(value) < 10_000:
        return str(value)
    text = f"{value:,}"
    return text.replace(",", "\\," if math else "\u202f")


def bmatrix(rows: Sequence[Sequence[Any]] | Sequence[Any]) -> str:
    """Return a LaTeX ``bmatrix`` of a matrix (or of a vector, as one row)."""
    if rows and not isinstance(rows[0], (list, tuple)):
        rows = [rows]  # type: ignore[list-item]
    body = r" \\ ".join(" & ".join(num(v) for v in row) for row in rows)  # type: ignore[union-attr]
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def spatial_names(ndim: int) -> list[str]:
    """Return the names of the spatial dimensions of a 1-3D input: L; H, W; D, H, W."""
    return {1: ["L"], 2: ["H", "W"], 3: ["D", "H", "W"]}[ndim]
