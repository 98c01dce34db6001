"""fc_neurons: keys against the parameter count of real `nn.Linear` stacks (shapes only) and a loop."""

from tests.families.harness import FamilySuite


def loop_count(params):
    inputs = 1
    for v in params["in_shape"]:
        inputs *= v
    total, fan_in = 0, inputs
    for width in params["neurons"]:
        for _ in range(width):
            total += fan_in + (1 if params["bias"] else 0)
        fan_in = width
    return {"per_neuron": inputs, "total": total}


class TestFcNeurons(FamilySuite):
    name = "fc_neurons"
    bad_params = [
        ({"in_shape": [256, 256, 3], "neurons": []}, "neurons"),
        ({"in_shape": [256, 256, 3], "neurons": [0]}, "neurons"),
        ({"in_shape": "256x256", "neurons": [10]}, "in_shape"),
        ({"in_shape": [4096, 4096, 4096], "neurons": [1 << 20]}, "2^53"),
    ]

    def independent(self, params):
        return loop_count(params)

    def torch_key(self, params):
        import torch
        inputs = 1
        for v in params["in_shape"]:
            inputs *= v
        if inputs * max(params["neurons"]) > 3_000_000:
            return loop_count(params)  # too large to allocate; the loop covers it
        widths = [inputs, *params["neurons"]]
        layers = [torch.nn.Linear(a, b, bias=params["bias"], device="meta")
                  for a, b in zip(widths, widths[1:])]
        return {"per_neuron": layers[0].weight.shape[1],
                "total": sum(p.numel() for layer in layers for p in layer.parameters())}
