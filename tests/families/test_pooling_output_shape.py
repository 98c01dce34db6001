"""pooling_output_shape: keys against walking the pooling windows, and PyTorch's MaxPoolNd."""

from tests.families.harness import FamilySuite


def windows(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Count the windows MaxPool1d visits, walking them in padded coordinates.

    A window fits if it ends inside the padded input. With ceil_mode one more may overhang the
    end, as long as the window before it did not already reach the end and it starts inside
    the input or the left padding.
    """
    span, length = d * (k - 1) + 1, n + 2 * p
    count, start = 0, 0
    while True:
        fits = start + span <= length
        overhangs = (ceil_mode and start < n + p and count > 0
                     and (start - s) + span < length)
        if not (fits or overhangs):
            return count
        count += 1
        start += s


class TestPoolingOutputShape(FamilySuite):
    name = "pooling_output_shape"
    bad_params = [
        ({"in_size": [8, 8], "kernel_size": 3, "padding": 2}, "half the kernel"),
        ({"in_size": [2, 2], "kernel_size": 5, "padding": 1}, "spans"),
        ({"in_size": [8, 8], "kernel_size": 2, "stride": 0}, "stride"),
        ({"in_size": [8, 8], "kernel_size": 2, "ceil_mode": "yes"}, "ceil_mode"),
        ({"in_size": [8, 8, 8, 8], "kernel_size": 2}, "in_size"),
        ({"in_size": [8, 8], "kernel_size": 2, "return_indices": True}, "unknown"),
    ]

    def independent(self, params):
        dims = zip(params["in_size"], params["kernel_size"], params["stride"], params["padding"],
                   params["dilation"])
        return {"shape": [windows(*d, params["ceil_mode"]) for d in dims]}

    def torch_key(self, params):
        import torch
        ndim = len(params["in_size"])
        pool = getattr(torch.nn, f"MaxPool{ndim}d")(
            params["kernel_size"], stride=params["stride"], padding=params["padding"],
            dilation=params["dilation"], ceil_mode=params["ceil_mode"])
        return {"shape": list(pool(torch.empty(1, 1, *params["in_size"], device="meta")).shape[2:])}


def test_default_stride_is_the_kernel_size():
    from quizsvc import families
    family = families.get("pooling_output_shape")
    assert family.solve({"in_size": [32, 32], "kernel_size": 2}) == {"shape": [16, 16]}
    assert family.solve({"in_size": [32, 32], "kernel_size": 2, "stride": None}) == {"shape": [16, 16]}


def test_last_window_rule_of_ceil_mode():
    """Length 5, kernel 2, stride 2, padding 1: ceil gives 4 windows, but the 4th would start
    at padded index 6 = n + p, in the right padding, so PyTorch keeps 3."""
    from quizsvc import families
    family = families.get("pooling_output_shape")
    params = {"in_size": [5], "kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True}
    assert family.solve(params) == {"shape": [3]}
    assert family.check(params, "4").misconception == "no_last_window_rule"
