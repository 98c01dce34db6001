"""same_padding: keys against a search over every split, and against PyTorch's own padding."""

from tests.families.harness import FamilySuite


def walk(n: int, k: int, d: int, before: int, after: int) -> int:
    """Count the stride-1 window positions over an input padded by (before, after)."""
    count, start = 0, 0
    while start + d * (k - 1) < n + before + after:
        count += 1
        start += 1
    return count


def search(n: int, k: int, d: int) -> list[int]:
    """Return the (before, after) that keeps the length n, most balanced, surplus after."""
    keeping = [(b, a) for b in range(d * k + 1) for a in range(d * k + 1) if walk(n, k, d, b, a) == n]
    balanced = [(b, a) for b, a in keeping if a >= b]
    return list(min(balanced, key=lambda ba: (ba[1] - ba[0], ba[0])))


class TestSamePadding(FamilySuite):
    name = "same_padding"
    bad_params = [
        ({"in_size": [32, 32], "kernel_size": 0}, "kernel_size"),
        ({"in_size": [32, 32], "kernel_size": [3, 3, 3]}, "kernel_size"),
        ({"in_size": [32, 32], "kernel_size": 3, "dilation": 0}, "dilation"),
        ({"in_size": [32, 32], "kernel_size": 3, "stride": 2}, "unknown"),
        ({"in_size": [10**6], "kernel_size": 3}, "in_size"),
        ({"in_size": [], "kernel_size": 3}, "in_size"),
    ]

    def independent(self, params):
        dims = zip(params["in_size"], params["kernel_size"], params["dilation"])
        return {"padding": [search(n, k, d) for n, k, d in dims]}

    def torch_key(self, params):
        """Read the zeros off PyTorch's output: a kernel that picks its first (last) tap.

        With only the first tap set, output[i] = x[i - before], so an input of ones gives
        `before` leading zeros; with only the last tap, `after` trailing zeros.
        """
        import warnings

        import torch
        import torch.nn.functional as F
        warnings.filterwarnings("ignore", "Using padding='same'", UserWarning)
        rows = []
        for n, k, d in zip(params["in_size"], params["kernel_size"], params["dilation"]):
            x = torch.ones(1, 1, n)
            pads = []
            for tap, side in ((0, "before"), (k - 1, "after")):
                w = torch.zeros(1, 1, k)
                w[0, 0, tap] = 1.0
                y = F.conv1d(x, w, padding="same", dilation=d)[0, 0]
                assert y.numel() == n
                seq = y.tolist() if side == "before" else y.tolist()[::-1]
                pads.append(next((i for i, v in enumerate(seq) if v != 0), n))
            rows.append(pads)
        return {"padding": rows}


def test_even_kernel_mistakes_named():
    """A 4x4 kernel needs 3 zeros per dimension, split [1, 2]; the even splits are named."""
    from quizsvc import families
    fam = families.get("same_padding")
    params = {"in_size": [10, 10], "kernel_size": 4}
    assert fam.solve(params) == {"padding": [[1, 2], [1, 2]]}
    for answer, code in (("1 1; 1 1", "symmetric_round_down"), ("2 2; 2 2", "symmetric_round_up"),
                         ("2 1; 2 1", "extra_before"), ("3 3; 3 3", "padding_once")):
        grade = fam.check(params, answer)
        assert not grade.correct and grade.misconception == code, (answer, grade.feedback)
