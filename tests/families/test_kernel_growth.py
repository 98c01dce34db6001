"""kernel_growth: keys against counting window starts and trying ever larger kernels."""

from tests.families.harness import FamilySuite


def windows(n, k, s, p, d):
    """Count the starts j = 0, s, 2s, ... whose dilated window ends inside the padded input."""
    count, start = 0, 0
    while start + d * (k - 1) < n + 2 * p:
        count += 1
        start += s
    return count


def independent_key(params):
    n, p, s, d = params["length"], params["padding"], params["stride"], params["dilation"]
    k = 1
    while windows(n, k + 1, s, p, d) > 0:
        k += 1
    return {"sizes": [windows(n, kk, s, p, d) for kk in params["kernel_sizes"]],
            "max_kernel": k, "out_at_max": windows(n, k, s, p, d)}


class TestKernelGrowth(FamilySuite):
    name = "kernel_growth"
    bad_params = [
        ({"length": 9, "kernel_sizes": [3, 10]}, "does not fit"),
        ({"length": 9, "kernel_sizes": []}, "kernel_sizes"),
        ({"length": 9, "kernel_sizes": [3], "stride": 0}, "stride"),
        ({"length": 9, "kernel_sizes": 3}, "list"),
    ]

    def independent(self, params):
        return independent_key(params)

    def torch_key(self, params):
        import torch
        n, p, s, d = params["length"], params["padding"], params["stride"], params["dilation"]
        x = torch.zeros(1, 1, n)

        def out(k):
            return torch.nn.functional.conv1d(x, torch.zeros(1, 1, k), stride=s, padding=p,
                                              dilation=d).shape[-1]
        km = max(k for k in range(1, n + 2 * p + 2) if d * (k - 1) + 1 <= n + 2 * p)
        return {"sizes": [out(k) for k in params["kernel_sizes"]], "max_kernel": km,
                "out_at_max": out(km)}
