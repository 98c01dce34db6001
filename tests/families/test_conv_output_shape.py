"""conv_output_shape: keys against counting the window positions one by one."""

from quizsvc.families.rng import Sampler
from tests.families.harness import FamilySuite


def positions(n: int, k: int, s: int, p: int, d: int) -> int:
    """Count the start positions of a dilated window over a padded input, by walking it."""
    count, start = 0, 0
    while start + d * (k - 1) < n + 2 * p:
        count += 1
        start += s
    return count


class TestConvOutputShape(FamilySuite):
    name = "conv_output_shape"
    bad_params = [
        ({"in_channels": 3, "out_channels": 8, "in_size": [4, 4], "kernel_size": 7}, "kernel spans"),
        ({"in_channels": 3, "out_channels": 8, "in_size": [32, 32], "kernel_size": 3, "stride": 0},
         "stride"),
        ({"in_channels": 3, "out_channels": 8, "in_size": [32, 32, 32, 32], "kernel_size": 3},
         "in_size"),
        ({"in_channels": 0, "out_channels": 8, "in_size": [32], "kernel_size": 3}, "in_channels"),
        ({"in_channels": 3, "out_channels": 8, "in_size": [10**9], "kernel_size": 3}, "in_size"),
        ({"in_channels": 3, "out_channels": 8, "in_size": [32, 32], "kernel_size": [3, 3, 3]},
         "kernel_size"),
    ]

    def independent(self, params):
        dims = zip(params["in_size"], params["kernel_size"], params["stride"], params["padding"],
                   params["dilation"])
        return {"shape": [params["out_channels"], *(positions(*d) for d in dims)]}

    def torch_key(self, params):
        import torch
        ndim = len(params["in_size"])
        conv = getattr(torch.nn, f"Conv{ndim}d")(
            params["in_channels"], params["out_channels"], params["kernel_size"],
            stride=params["stride"], padding=params["padding"], dilation=params["dilation"])
        with torch.no_grad():
            meta = torch.empty(1, params["in_channels"], *params["in_size"], device="meta")
            return {"shape": list(conv.to("meta")(meta).shape[1:])}


def test_reference_quiz_output_size():
    """Quiz 003 section 3: 32x32, kernel 3, stride 3, padding 2 gives 12x12, not the key's 11x11.

    The key computes (32 - 3 + 4)/3 = 11 and forgets the +1: floor(33/3) + 1 = 12.
    """
    from quizsvc import families
    key = families.get("conv_output_shape").solve(
        {"in_channels": 1, "out_channels": 1, "in_size": [32, 32], "kernel_size": 3, "stride": 3,
         "padding": 2})
    assert key["shape"][1:] == [12, 12]
    assert positions(32, 3, 3, 2, 1) == 12


def test_reference_homework_channels_last():
    """Homework 002 Q1.1: 64x64x10 input, 10 filters 6x6, stride 2, padding 1: (10, 31, 31).

    The document's 31 x 31 x 10 has the right sizes in TensorFlow's channels-last order.
    """
    from quizsvc import families
    fam = families.get("conv_output_shape")
    params = {"in_channels": 10, "out_channels": 10, "in_size": [64, 64], "kernel_size": 6,
              "stride": 2, "padding": 1}
    assert fam.solve(params) == {"shape": [10, 31, 31]}
    assert fam.check(params, "31x31x10").misconception == "channels_last"
    assert fam.check(params, "31x31").misconception == "left_out_channels"


def test_no_window_sees_padding_only():
    """Generated layers pad at most d(k-1): every window reaches at least one real input."""
    from quizsvc import families
    fam = families.get("conv_output_shape")
    for level in fam.levels:
        for seed in range(300):
            p = fam.generate(seed, level).params
            for k, pad, d in zip(p["kernel_size"], p["padding"], p["dilation"]):
                assert pad <= d * (k - 1), (seed, level, p)


def test_sampler_is_stable():
    """The SplitMix64 stream must never change: published variants depend on it."""
    rng = Sampler("conv_output_shape", "easy", 0)
    assert [rng.integers(0, 1000) for _ in range(5)] == [rng2 for rng2 in _first_five()]


def _first_five():
    # Recomputed from the SplitMix64 definition itself, not from Sampler.
    import hashlib
    mask = (1 << 64) - 1
    state = int.from_bytes(hashlib.blake2b(b"conv_output_shape|easy|0", digest_size=8).digest(), "little")
    out = []
    while len(out) < 5:
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        if z < (1 << 64) - ((1 << 64) % 1000):
            out.append(z % 1000)
    return out
