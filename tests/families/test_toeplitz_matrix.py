"""toeplitz_matrix: keys against placing the kernel taps row by row, and against torch."""

from tests.families.harness import FamilySuite


def place_taps(params):
    """Build A directly: row r = output position, each in-bounds tap adds k at its input column."""
    nd = len(params["in_size"])
    lift = (lambda v, z: list(v)) if nd == 2 else (lambda v, z: [z, v[0]])
    h, w = lift(params["in_size"], 1)
    k = params["kernel"] if nd == 2 else [params["kernel"]]
    (sh, sw), (ph, pw), (dh, dw) = lift(params["stride"], 1), lift(params["padding"], 0), \
        lift(params["dilation"], 1)
    kh, kw = len(k), len(k[0])
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    rows = []
    for i in range(ho):
        for j in range(wo):
            row = [0] * (h * w)
            for a in range(kh):
                for b in range(kw):
                    y, x = i * sh + a * dh - ph, j * sw + b * dw - pw
                    if 0 <= y < h and 0 <= x < w:
                        row[y * w + x] += k[a][b]
            rows.append(row)
    return rows


class TestToeplitzMatrix(FamilySuite):
    name = "toeplitz_matrix"
    bad_params = [
        ({"in_size": [3], "kernel": [1, 2, 3, 4]}, "kernel spans 4"),
        ({"in_size": [4, 4], "kernel": [1, 2]}, "kernel must be a 2D list"),
        ({"in_size": [16, 16], "kernel": [[1, 2], [3, 4]]}, "at most 1024"),
        ({"in_size": [2, 2, 2], "kernel": [1]}, "in_size"),
        ({"in_size": [17], "kernel": [1]}, "in_size"),
        ({"in_size": [5], "kernel": [1, 2], "stride": 0}, "stride"),
    ]

    def independent(self, params):
        return {"matrix": place_taps(params)}

    def torch_key(self, params):
        import torch
        nd = len(params["in_size"])
        conv = getattr(torch.nn.functional, f"conv{nd}d")
        count = 1
        for n in params["in_size"]:
            count *= n
        basis = torch.eye(count, dtype=torch.float64).reshape(count, 1, *params["in_size"])
        k = torch.tensor(params["kernel"], dtype=torch.float64)[None, None]
        y = conv(basis, k, stride=params["stride"], padding=params["padding"],
                 dilation=params["dilation"])
        return {"matrix": y.reshape(count, -1).T.tolist()}


def test_too_large_is_413():
    import pytest
    from quizsvc import families
    from quizsvc.errors import TooLargeError
    with pytest.raises(TooLargeError) as info:
        families.get("toeplitz_matrix").solve({"in_size": [6, 6], "kernel": [[1]], "padding": 0})
    assert info.value.status == 413 and "1296 entries" in info.value.message
