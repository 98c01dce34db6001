"""Per-student variants of a bank: seeds a student can neither predict nor choose."""

from __future__ import annotations

import hashlib
import hmac

from quizsvc.families.rng import SEED_MAX


def variant_seed(secret: str | bytes, bank_id: int, item_index: int, variant: int,
                 user_id: int, version: int = 1) -> int:
    """Return the seed of `user_id`'s `variant`-th problem of item `item_index` of a bank.

    HMAC-SHA256 under the server secret of ``bank|item|variant|user``, truncated
    to 53 bits (every seed must survive a round trip through JSON): stable for
    the same student, unpredictable without the secret.
    """
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"quizsvc-variant|{bank_id}|{item_index}|{variant}|{user_id}"
    if version != 1:
        message += f"|v{version}"
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & SEED_MAX
