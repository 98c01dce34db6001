"""Single-channel convolution arithmetic on concrete tensors, as `torch.nn.functional` computes it.

Every function takes a tensor `x` and a kernel `k` of the same number of spatial
dimensions `nd` (1 or 2; `x` may carry leading batch dimensions) and per-dimension
lists `stride`, `padding`, `dilation`. Integer inputs give integer (int64) outputs,
so keys are exact. "Convolution" here is PyTorch's cross-correlation (no flip);
`true_convolution` is the one that flips.

The windows are built with `as_strided` rather than `sliding_window_view`: the
arrays are tiny and the latter's checks cost more than the arithmetic.
"""

from __future__ import annotations

from math import prod
from typing import Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided

from quizsvc.solver.shapes import conv_out_size


def _per_dim(value: Sequence[int] | int | None, nd: int, default: int) -> list[int]:
    if value is None:
        return [default] * nd
    if isinstance(value, int):
        return [value] * nd
    return list(value)


def zero_pad(x: np.ndarray, before: Sequence[int], after: Sequence[int] | None = None) -> np.ndarray:
    """Return `x`: (..., *n) with zeros added around its last ``len(before)`` dimensions.

    The result has shape ``(..., *(n_i + before_i + after_i))``; `after` defaults to `before`.
    """
    after = before if after is None else after
    nd = len(before)
    if not any(before) and not any(after):
        return x
    lead = x.shape[: x.ndim - nd]
    sizes = [n + b + a for n, b, a in zip(x.shape[x.ndim - nd:], before, after)]
    out = np.zeros((*lead, *sizes), dtype=x.dtype)
    out[(..., *(slice(b, b + n) for b, n in zip(before, x.shape[x.ndim - nd:])))] = x
    return out


def windows(x: np.ndarray, kernel_size: Sequence[int], stride: Sequence[int],
            dilation: Sequence[int]) -> np.ndarray:
    """Return the (dilated, strided) windows of `x`: (..., *n) as a read-only view.

    Shape ``(..., *n_out, *kernel_size)`` with ``n_out = floor((n - d(k-1) - 1)/s) + 1``.
    """
    nd = len(kernel_size)
    n = x.shape[x.ndim - nd:]
    out = [conv_out_size(ni, ki, si, 0, di) for ni, ki, si, di in zip(n, kernel_size, stride, dilation)]
    if min(out) < 1:
        raise ValueError(f"kernel {tuple(kernel_size)} (dilation {tuple(dilation)}) "
                         f"does not fit in an input of size {tuple(n)}")
    lead_strides = x.strides[: x.ndim - nd]
    st = x.strides[x.ndim - nd:]
    shape = (*x.shape[: x.ndim - nd], *out, *kernel_size)
    strides = (*lead_strides, *(t * s for t, s in zip(st, stride)), *(t * d for t, d in zip(st, dilation)))
    return as_strided(x, shape, strides, writeable=False)


def correlate(x: np.ndarray | list, k: np.ndarray | list, stride: Sequence[int] | int | None = None,
              padding: Sequence[int] | int | None = None,
              dilation: Sequence[int] | int | None = None) -> np.ndarray:
    """Return the cross-correlation of `x`: (..., *n) with `k`: (*kernel_size), as torch `convNd`.

    Shape ``(..., *n_out)``, ``n_out = floor((n + 2p - d(k-1) - 1)/s) + 1``; no kernel flip.
    """
    x, k = np.asarray(x), np.asarray(k)
    nd = k.ndim
    stride, padding = _per_dim(stride, nd, 1), _per_dim(padding, nd, 0)
    dilation = _per_dim(dilation, nd, 1)
    win = windows(zero_pad(x, padding), k.shape, stride, dilation)
    lead, out = win.shape[: win.ndim - 2 * nd], win.shape[win.ndim - 2 * nd: win.ndim - nd]
    flat = win.reshape(prod(lead) * prod(out), k.size) @ k.reshape(-1)
    return flat.reshape(*lead, *out)


def true_convolution(x: np.ndarray | list, k: np.ndarray | list,
                     padding: Sequence[int] | int | None = None) -> np.ndarray:
    """Return the mathematical convolution of `x`: (*n) with `k`: (*kernel_size), stride 1.

    It is the cross-correlation with the kernel flipped along every axis (rotated 180 degrees
    in 2D). Shape ``(*(n + 2p - k + 1))``.
    """
    k = np.asarray(k)
    return correlate(x, np.flip(k), padding=padding)


def conv_transpose(x: np.ndarray | list, k: np.ndarray | list, stride: Sequence[int] | int | None = None,
                   padding: Sequence[int] | int | None = None,
                   output_padding: Sequence[int] | int | None = None,
                   dilation: Sequence[int] | int | None = None) -> np.ndarray:
    """Return the transposed convolution of `x`: (*n) with `k`: (*kernel_size), as torch.

    Every input entry scales the whole kernel, which is added (overlaps summed) at offset
    ``i * s`` of a full output of length ``(n-1)s + d(k-1) + 1 + output_padding``; then
    `padding` entries are cropped from both ends. Shape ``(*((n-1)s - 2p + d(k-1) + op + 1))``.
    """
    x, k = np.asarray(x), np.asarray(k)
    nd = k.ndim
    stride, padding = _per_dim(stride, nd, 1), _per_dim(padding, nd, 0)
    output_padding, dilation = _per_dim(output_padding, nd, 0), _per_dim(dilation, nd, 1)
    full = [(n - 1) * s + d * (kk - 1) + 1 + op
            for n, kk, s, d, op in zip(x.shape, k.shape, stride, dilation, output_padding)]
    out = np.zeros(full, dtype=np.result_type(x, k))
    # One vectorised add per kernel tap: tap t lands at t*d + i*s for every input index i.
    for tap in np.ndindex(*k.shape):
        region = tuple(slice(t * d, t * d + (n - 1) * s + 1, s)
                       for t, d, n, s in zip(tap, dilation, x.shape, stride))
        out[region] += k[tap] * x
    sizes = [f - 2 * p for f, p in zip(full, padding)]
    if min(sizes) < 1:
        raise ValueError("transposed convolution output would be empty")
    return out[tuple(slice(p, p + m) for p, m in zip(padding, sizes))]


def conv_matrix(in_size: Sequence[int], k: np.ndarray | list, stride: Sequence[int] | int | None = None,
                padding: Sequence[int] | int | None = None,
                dilation: Sequence[int] | int | None = None) -> np.ndarray:
    """Return the convolution (Toeplitz) matrix `A`: (prod(n_out), prod(n)) of `correlate`.

    Rows are output positions and columns unpadded input positions, both row-major, so
    ``A @ x.ravel() == correlate(x, k, ...).ravel()``. Column j is the response to the
    j-th unit input, so the matrix is the correlation of a batch of basis tensors.
    """
    k = np.asarray(k)
    count = prod(in_size)
    basis = np.eye(count, dtype=k.dtype).reshape(count, *in_size)
    return correlate(basis, k, stride, padding, dilation).reshape(count, -1).T


def unfold(x: np.ndarray | list, kernel_size: Sequence[int], stride: Sequence[int] | int | None = None,
           padding: Sequence[int] | int | None = None,
           dilation: Sequence[int] | int | None = None) -> np.ndarray:
    """Return the windows of `x`: (*n) as rows of a matrix: (prod(n_out), prod(kernel_size)).

    ``unfold(x, k.shape, ...) @ k.ravel() == correlate(x, k, ...).ravel()``.
    """
    x = np.asarray(x)
    nd = len(kernel_size)
    stride, padding = _per_dim(stride, nd, 1), _per_dim(padding, nd, 0)
    dilation = _per_dim(dilation, nd, 1)
    win = windows(zero_pad(x, padding), kernel_size, stride, dilation)
    return win.reshape(-1, prod(kernel_size))
