"""which_norm: keys against matching the shaded set with each layer's own statistic in torch."""

import itertools

from tests.families.harness import FamilySuite


def statistic_sets(shape):
    """Return {name: the set of (n, c, h, w) indices of the statistic holding entry (0, 0, 0, 0)}."""
    n, c, h, w = shape
    every = set(itertools.product(range(n), range(c), range(h), range(w)))
    sets = {"BatchNorm2d": {e for e in every if e[1] == 0},
            "LayerNorm": {e for e in every if e[0] == 0},
            "InstanceNorm2d": {e for e in every if e[0] == 0 and e[1] == 0}}
    for g in range(2, c):
        if c % g == 0:
            sets[f"GroupNorm({g})"] = {e for e in every if e[0] == 0 and e[1] < c // g}
    return sets


def shaded(params):
    """The entries the figure shades, from its (sample, channel) pairs and every position."""
    from quizsvc.figures.normalization import shaded_set
    h, w = params["shape"][2:]
    pairs = shaded_set(params["norm"], params["shape"], params.get("num_groups"))
    return {(i, j, y, x) for i, j in pairs for y in range(h) for x in range(w)}


class TestWhichNorm(FamilySuite):
    name = "which_norm"
    bad_params = [
        ({"norm": "group", "shape": [2, 6, 4, 4], "num_groups": 6}, "between 2"),
        ({"norm": "group", "shape": [2, 6, 4, 4], "num_groups": 4}, "must divide"),
        ({"norm": "batch", "shape": [2, 6, 4, 4], "num_groups": 2}, "only to norm"),
        ({"norm": "batch", "shape": [2, 6, 4]}, "[N, C, H, W]"),
        ({"norm": "batch", "shape": [2, 99, 4, 4]}, "shape must be between"),
    ]

    def independent(self, params):
        target = shaded(params)
        names = [name for name, s in statistic_sets(params["shape"]).items() if s == target]
        assert len(names) == 1, names  # the figure names exactly one layer
        return {"norm": names[0], "count": len(target)}

    def torch_key(self, params):
        """Perturb entry (0, 0, 0, 0) and see which outputs of the torch layer move."""
        import torch
        n, c, h, w = params["shape"]
        layers = {"BatchNorm2d": torch.nn.BatchNorm2d(c, affine=False),
                  "LayerNorm": torch.nn.LayerNorm([c, h, w], elementwise_affine=False),
                  "InstanceNorm2d": torch.nn.InstanceNorm2d(c)}
        for g in range(2, c):
            if c % g == 0:
                layers[f"GroupNorm({g})"] = torch.nn.GroupNorm(g, c, affine=False)
        target = shaded(params)
        torch.manual_seed(0)
        x = torch.randn(n, c, h, w, dtype=torch.float64)
        found = []
        for name, layer in layers.items():
            layer = layer.double().train()
            y0 = layer(x)
            bumped = x.clone()
            bumped[0, 0, 0, 0] += 1.0
            moved = (layer(bumped) - y0).abs() > 1e-12
            if {tuple(i) for i in moved.nonzero().tolist()} == target:
                found.append(name)
        return {"norm": found[0], "count": len(target)} if len(found) == 1 else {"norm": found}
