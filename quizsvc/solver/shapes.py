"""Output-size arithmetic of convolution and pooling, as `torch.nn` computes it."""

from __future__ import annotations


def conv_out_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Return the output length of `Conv1d` along one dimension of length `n`.

    ``floor((n + 2p - d(k - 1) - 1) / s) + 1`` (may be <= 0 for impossible layers).
    """
    return (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pool_out_size(n: int, kernel: int, stride: int, padding: int = 0, dilation: int = 1,
                  ceil_mode: bool = False) -> int:
    """Return the output length of `MaxPool1d` along one dimension of length `n`.

    As `conv_out_size`, but with ``ceil_mode`` the division rounds up, and a last window
    that would start in the right padding is dropped (PyTorch's rule).
    """
    top = n + 2 * padding - dilation * (kernel - 1) - 1
    out = (-(-top // stride) if ceil_mode else top // stride) + 1
    if ceil_mode and (out - 1) * stride >= n + padding:
        out -= 1
    return out


def same_padding(kernel: int, dilation: int = 1) -> tuple[int, int]:
    """Return the zeros ``(before, after)`` that `padding="same"` adds along one dimension.

    The total is ``d(k - 1)``; PyTorch puts the odd one out after the input.
    """
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2
