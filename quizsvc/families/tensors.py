"""Helpers shared by the families that work on concrete single-channel tensors.

A tensor parameter is a nested list: a 1D signal ``[1, 4, 0]`` or a 2D image given
as rows ``[[1, 2], [3, 4]]``. Its answer is a `vector` or a `matrix` field.
"""

from __future__ import annotations

from math import prod
from typing import Any, Sequence

from quizsvc.errors import ParamError
from quizsvc.families import params as P
from quizsvc.families.render import bmatrix, num
from quizsvc.families.rng import Sampler

MAX_PADDING = 8
MAX_STRIDE = 8
MAX_DILATION = 8


def ndim_of(value: Any) -> int:
    """Return 2 for a list of rows, else 1 (validation catches everything else)."""
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)):
        return 2
    return 1


def read(params: dict[str, Any], name: str, ndim: int | None = None, *,
         integral: bool = False) -> list:
    """Return tensor `name` (1D or 2D, of `ndim` dims if given) as a clean nested list."""
    value = params.get(name)
    found = ndim_of(value)
    if ndim is not None and found != ndim:
        raise ParamError(f"{name} must be {_what(ndim)} like the input, got {_what(found)}",
                         errors={name: f"expected {ndim} dimensions"})
    fast = _int_rows(value if found == 2 else [value])
    if fast is not None:
        return fast if found == 2 else fast[0]
    return P.tensor(params, name, found, integral=integral)


def _int_rows(rows: Any) -> list[list[int]] | None:
    """Return a copy of a small rectangular list of int rows, or None to take the careful path.

    The fast path accepts exactly what `params.tensor` accepts when every entry is a plain
    int; anything else (floats, errors to report) goes through `params.tensor`.
    """
    if type(rows) is not list or not rows or len(rows) > P.MAX_ARRAY_SIDE:
        return None
    width = len(rows[0]) if type(rows[0]) is list else 0
    if not 1 <= width <= P.MAX_ARRAY_SIDE:
        return None
    out = []
    for row in rows:
        if type(row) is not list or len(row) != width or set(map(type, row)) != _INT \
                or max(row) > P.MAX_ABS_VALUE or min(row) < -P.MAX_ABS_VALUE:
            return None
        out.append(row[:])
    return out


_INT = {int}


def _what(ndim: int) -> str:
    return "a 1D list" if ndim == 1 else "a 2D list of rows"


def shape(value: list) -> list[int]:
    """Return ``[L]`` or ``[H, W]`` of a clean nested list."""
    return [len(value), len(value[0])] if ndim_of(value) == 2 else [len(value)]


def size(value: list) -> int:
    """Return the number of entries of a clean nested list."""
    return prod(shape(value))


def kind(ndim: int) -> str:
    """Return the answer kind of a tensor with `ndim` dimensions."""
    return "matrix" if ndim == 2 else "vector"


def tex(value: Sequence[Any]) -> str:
    """Return a tensor as LaTeX: a matrix as rows, a 1D signal as one row (`render.bmatrix`)."""
    return bmatrix(value)


def fmt(v: Any) -> str:
    """Return an entry as written: ints as they are, floats without noise (`render.num`)."""
    return num(v)


def shape_text(value: list) -> str:
    """Return ``3x4`` for a matrix and ``length 5`` for a signal."""
    s = shape(value)
    return f"{s[0]}x{s[1]}" if len(s) == 2 else f"length {s[0]}"


def per_dims(params: dict[str, Any], ndim: int) -> dict[str, list[int]]:
    """Return the canonical stride, padding and dilation (lists of `ndim` ints) of params."""
    return {
        "stride": P.per_dim(params, "stride", ndim, 1, MAX_STRIDE, default=1),
        "padding": P.per_dim(params, "padding", ndim, 0, MAX_PADDING, default=0),
        "dilation": P.per_dim(params, "dilation", ndim, 1, MAX_DILATION, default=1),
    }


def check_fits(n: Sequence[int], k: Sequence[int], padding: Sequence[int],
               dilation: Sequence[int], what: str = "input") -> None:
    """Refuse a (dilated) kernel that spans more positions than the padded input has."""
    P.window_fits(n, k, padding, dilation, field="kernel", where=what)


def dot_text(window: Sequence[Any], kernel: Sequence[Any]) -> str:
    """Return ``(1)(2) + (0)(-1) + ...``: the products of a window and a kernel, flattened."""
    flat_w = [v for row in window for v in row] if ndim_of(window) == 2 else list(window)
    flat_k = [v for row in kernel for v in row] if ndim_of(kernel) == 2 else list(kernel)
    return " + ".join(f"({fmt(a)})({fmt(b)})" for a, b in zip(flat_k, flat_w))


def draw(rng: Sampler, values: Sequence[int], count: int) -> list[int]:
    """Return `count` values drawn uniformly from `values`, several per 64-bit draw.

    One draw of an integer below ``len(values) ** c`` gives c independent uniform digits,
    which keeps sampling a 7x7 image to a handful of draws.
    """
    base = len(values)
    per = max(1, int(40 // base.bit_length()))
    out: list[int] = []
    while len(out) < count:
        c = min(per, count - len(out))
        r = rng.integers(0, base ** c)
        for _ in range(c):
            r, digit = divmod(r, base)
            out.append(values[digit])
    return out


def draw_matrix(rng: Sampler, values: Sequence[int], rows: int, cols: int) -> list[list[int]]:
    """Return a ``rows x cols`` nested list of values drawn by `draw`."""
    flat = draw(rng, values, rows * cols)
    return [flat[i * cols:(i + 1) * cols] for i in range(rows)]
