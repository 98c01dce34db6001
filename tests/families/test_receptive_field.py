"""receptive_field: keys against tracing the input pixels one output unit reads, and against
the span of PyTorch's gradient through the same stack."""

from fractions import Fraction

from tests.families.harness import FamilySuite


def traced(layers: list[dict]) -> int:
    """Walk back from one unit of the last layer to the input pixels it reads; return the span."""
    seen = {0}
    for layer in reversed(layers):
        k, s, d = layer["kernel_size"], layer["stride"], layer["dilation"]
        seen = {j * s + t * d for j in seen for t in range(k)}
    return max(seen) - min(seen) + 1


def conv(k: int) -> dict:
    return {"type": "conv", "kernel_size": k, "stride": 1, "dilation": 1}


class TestReceptiveField(FamilySuite):
    name = "receptive_field"
    bad_params = [
        ({"variant": "factorize", "large_kernel": 10, "kernel_size": 3}, "multiple"),
        ({"variant": "factorize", "large_kernel": 3, "kernel_size": 5}, "smaller"),
        ({"variant": "factorize", "large_kernel": 9, "kernel_size": 1}, "kernel_size"),
        ({"variant": "stack", "layers": []}, "layers"),
        ({"variant": "stack", "layers": [{"kernel_size": 3, "padding": 1}]}, "unknown"),
        ({"variant": "stack", "layers": [{"kernel_size": 3, "type": "avgpool"}]}, "type"),
        ({"variant": "stack", "layers": [{"kernel_size": 3}] * 13}, "layers"),
        ({"variant": "pyramid", "layers": [{"kernel_size": 3}]}, "variant"),
        ({"layers": [{"kernel_size": 3}]}, "missing"),
    ]

    def independent(self, params):
        if params["variant"] == "stack":
            return {"receptive_field": traced(params["layers"])}
        big, k = params["large_kernel"], params["kernel_size"]
        stack = []
        while traced(stack or [conv(1)]) < big:
            stack.append(conv(k))
        assert traced(stack) == big
        saved = Fraction(big * big - sum(layer["kernel_size"] ** 2 for layer in stack), big * big)
        return {"layers": len(stack), "weights_saved_fraction": float(saved)}

    def torch_key(self, params):
        """Backpropagate from one output unit through ones-filled layers; measure the span.

        Pooling layers are traced as average pooling: the same windows, but a gradient that
        reaches every pixel of the window (max pooling sends it to one pixel only).
        """
        import torch
        import torch.nn.functional as F

        def span(layers):
            # Long enough for any field: every jump is at most the product of all strides.
            jump = 1
            for layer in layers:
                jump *= layer["stride"]
            length = jump * sum(lay["dilation"] * (lay["kernel_size"] - 1) + 1 for lay in layers)
            x = torch.ones(1, 1, length, dtype=torch.float64, requires_grad=True)
            y = x
            for layer in layers:
                k, s, d = layer["kernel_size"], layer["stride"], layer["dilation"]
                if layer["type"] == "maxpool" and d == 1:
                    y = F.avg_pool1d(y, k, s)
                else:
                    y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
            y[0, 0, 0].backward()
            hit = torch.nonzero(x.grad[0, 0]).ravel()
            return int(hit.max() - hit.min() + 1)

        if params["variant"] == "stack":
            return {"receptive_field": span(params["layers"])}
        big, k = params["large_kernel"], params["kernel_size"]
        # The fewest layers that reach `big`: the measured span of `n` layers reaches it and
        # that of n - 1 layers does not (n is proposed by the solver, checked by PyTorch).
        n = (big - 1) // (k - 1)
        assert span([conv(k)] * n) == big and (n == 1 or span([conv(k)] * (n - 1)) < big)
        stack = [conv(k)] * n
        small = len(stack) * torch.nn.Conv2d(1, 1, k, bias=False, device="meta").weight.numel()
        large = torch.nn.Conv2d(1, 1, big, bias=False, device="meta").weight.numel()
        return {"layers": len(stack), "weights_saved_fraction": 1 - small / large}
