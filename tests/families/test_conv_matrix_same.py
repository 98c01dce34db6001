"""conv_matrix_same: keys against placing each tap by hand, and against torch's padding="same"."""

from tests.families.harness import FamilySuite


def place_taps(params):
    """Row r = output r; its window starts `before` positions left of input r; in-bounds taps add k."""
    nd = len(params["in_size"])
    h, w = params["in_size"] if nd == 2 else (1, params["in_size"][0])
    k = params["kernel"] if nd == 2 else [params["kernel"]]
    dh, dw = params["dilation"] if nd == 2 else (1, params["dilation"][0])
    kh, kw = len(k), len(k[0])
    bh, bw = (dh * (kh - 1)) // 2, (dw * (kw - 1)) // 2  # PyTorch: the odd zero goes after
    rows = []
    for i in range(h):
        for j in range(w):
            row = [0] * (h * w)
            for a in range(kh):
                for b in range(kw):
                    y, x = i - bh + a * dh, j - bw + b * dw
                    if 0 <= y < h and 0 <= x < w:
                        row[y * w + x] += k[a][b]
            rows.append(row)
    return rows


class TestConvMatrixSame(FamilySuite):
    name = "conv_matrix_same"
    bad_params = [
        ({"in_size": [2], "kernel": [1, 2, 3, 4, 5]}, "more than twice"),
        ({"in_size": [4, 4], "kernel": [1, 2]}, "kernel must be a 2D list"),
        ({"in_size": [6, 6], "kernel": [[1]]}, "at most 1024"),
        ({"in_size": [5], "kernel": [1, 2], "stride": 2}, "unknown"),
        ({"in_size": [5], "kernel": [1, 2], "dilation": 0}, "dilation"),
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
        y = conv(basis, k, padding="same", dilation=params["dilation"])
        return {"matrix": y.reshape(count, -1).T.tolist()}
