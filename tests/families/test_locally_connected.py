"""locally_connected: keys against walking every window and counting its taps, and nn.Unfold."""

from tests.families.harness import FamilySuite


def windows(n: int, k: int, s: int, p: int) -> list[list[int]]:
    """Return every window of one dimension as the list of padded-input indices it covers."""
    out, start = [], 0
    while start + k <= n + 2 * p:
        out.append(list(range(start, start + k)))
        start += s
    return out


class TestLocallyConnected(FamilySuite):
    name = "locally_connected"
    bad_params = [
        ({"in_size": [4], "in_channels": 1, "out_channels": 1, "kernel_size": 7}, "kernel spans"),
        ({"in_size": [8, 8, 8], "in_channels": 1, "out_channels": 1, "kernel_size": 3}, "in_size"),
        ({"in_size": [9], "in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 0},
         "stride"),
        ({"in_size": [4096, 4096], "in_channels": 65536, "out_channels": 65536, "kernel_size": 1},
         "2^53"),
        ({"in_size": [9], "in_channels": 1, "out_channels": 1, "kernel_size": 3, "dilation": 2},
         "unknown"),
    ]

    def independent(self, params):
        # One filter per (window position, output channel), each with a weight for every
        # (input channel, tap) pair, padded taps included; windows are products across dims.
        per_dim = [windows(n, k, s, p) for n, k, s, p in zip(
            params["in_size"], params["kernel_size"], params["stride"], params["padding"])]
        taps, positions = 1, 1
        for ws in per_dim:
            taps *= sum(len(w) for w in ws)
            positions *= len(ws)
        weights = taps * params["in_channels"] * params["out_channels"]
        biases = positions * params["out_channels"] if params["bias"] else 0
        return {"total": weights + biases}

    def torch_key(self, params):
        """Unfold gives the patches a locally connected layer multiplies: (C_in*window, L)."""
        import torch
        size, k, s, p = (params["in_size"], params["kernel_size"], params["stride"],
                         params["padding"])
        if len(size) == 1:
            size, k, s, p = [1, *size], [1, *k], [1, *s], [0, *p]
        unfold = torch.nn.Unfold(kernel_size=k, stride=s, padding=p)
        patches = unfold(torch.zeros(1, params["in_channels"], *size))
        patch, positions = patches.shape[1:]
        weight = torch.empty(positions, params["out_channels"], patch, device="meta")
        bias = (torch.empty(params["out_channels"], positions, device="meta") if params["bias"]
                else torch.empty(0, device="meta"))
        return {"total": weight.numel() + bias.numel()}


def test_no_window_sees_padding_only():
    """Generated layers pad at most d(k-1), so every window reaches a real input (the medium and hard
    level once drew 1-wide kernels with padding up to 3)."""
    from quizsvc import families
    fam = families.get("locally_connected")
    for level in fam.levels:
        for seed in range(300):
            p = fam.generate(seed, level).params
            for k, pad, d in zip(p["kernel_size"], p["padding"], [1] * len(p["kernel_size"])):
                assert pad <= d * (k - 1), (seed, level, p)
