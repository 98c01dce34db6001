"""Output-size arithmetic of convolution and pooling, as `torch.nn` computes it."""

from __future__ import annotations


def conv_out_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Return the output length of `Conv1d` along one dimension of length `n`.

    ``floor((n + 2p - d(k - 1) - 1) / s) + 1`` (may be <= 0 for impossible layers).
    """
    return (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
