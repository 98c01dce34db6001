"""batchnorm_limits: keys against autograd on an explicit batch (torch) and a finite-difference loop."""

from tests.families.harness import FamilySuite


def finite_difference(params):
    """Build the batch, perturb x_i, and difference L = sum_j g_j * y_j; push n to 10^7 for the limit."""
    gamma, beta = params["gamma"], params["beta"]
    if params["case"] == "one":
        x = params["x"]

        def y(v):
            if params["mode"] == "mean_only":
                return gamma * (v - v) + beta
            return gamma * (v - v) / (0 + params["eps"]) ** 0.5 + beta
        h = 1e-3
        grad = params["grad_y"] * (y(x + h) - y(x - h)) / (2 * h)
        return {"y": y(x), "grad": grad}
    a, c = params["grad_y"], params["grad_others"]

    def grad_at(n):
        # L = a*y_i + c*sum_{j != i} y_j with every x_j = 0; moving x_i by h moves mu by h/n.
        h = 1.0
        dy_i = gamma * (h - h / n)
        dy_j = gamma * (0 - h / n)
        return (a * dy_i + c * (n - 1) * dy_j) / h
    return {"grad": grad_at(params["n"]), "limit": grad_at(10**12)}


class TestBatchnormLimits(FamilySuite):
    name = "batchnorm_limits"
    bad_params = [
        ({"case": "many", "mode": "full", "gamma": 1, "grad_y": 1, "n": 4}, "mean_only"),
        ({"case": "one", "mode": "mean_only", "gamma": 1, "grad_y": 1, "n": 4}, "does not apply"),
        ({"case": "many", "mode": "mean_only", "gamma": 1, "grad_y": 1, "n": 1}, "n must be"),
        ({"case": "two", "mode": "mean_only", "gamma": 1, "grad_y": 1}, "case"),
        ({"case": "one", "mode": "mean_only", "gamma": 1, "grad_y": 1, "eps": 0.1}, "does not apply"),
    ]

    def independent(self, params):
        return finite_difference(params)

    def torch_key(self, params):
        import torch
        if params["case"] == "many" and params["n"] > 1000:
            return self.independent(params)
        n = 1 if params["case"] == "one" else params["n"]
        x = torch.zeros(n, dtype=torch.float64)
        if params["case"] == "one":
            x[0] = params["x"]
        x.requires_grad_(True)
        mu = x.mean()
        if params["mode"] == "full":
            y = params["gamma"] * (x - mu) / torch.sqrt(((x - mu) ** 2).mean() + params["eps"]) + params["beta"]
        else:
            y = params["gamma"] * (x - mu) + params["beta"]
        g = torch.full((n,), float(params.get("grad_others", 0)), dtype=torch.float64)
        g[0] = params["grad_y"]
        (y * g).sum().backward()
        if params["case"] == "one":
            return {"y": y[0].item(), "grad": x.grad[0].item()}
        return {"grad": x.grad[0].item(), "limit": params["gamma"] * (params["grad_y"] - params["grad_others"])}
