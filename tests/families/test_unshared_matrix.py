"""unshared_matrix: keys against building the matrix of distinct filters entry by entry."""

from tests.families.harness import FamilySuite


def build(params):
    """Number every (window, tap) as its own weight; place it at its input column or drop it."""
    nd = len(params["in_size"])
    size, ks, st = params["in_size"], params["kernel_size"], params["stride"]
    if params["padding"] == "same":
        before = [(k - 1) // 2 for k in ks]
        after = [k - 1 - b for k, b in zip(ks, before)]
    else:
        before = after = params["padding"]
    starts = []
    for n, k, s, b, a in zip(size, ks, st, before, after):
        starts.append([j - b for j in range(0, n + b + a - k + 1, s)])
    windows = [[w] for w in starts[0]] if nd == 1 else [[u, v] for u in starts[0] for v in starts[1]]
    taps = [[t] for t in range(ks[0])] if nd == 1 else [[a, b] for a in range(ks[0]) for b in range(ks[1])]
    real = every = 0
    for w in windows:
        for t in taps:
            every += 1
            pos = [s + o for s, o in zip(w, t)]
            real += all(0 <= q < n for q, n in zip(pos, size))
    cols = 1
    for n in size:
        cols *= n
    return {"shape": [len(windows), cols],
            "weights": every if params["convention"] == "all_taps" else real}


class TestUnsharedMatrix(FamilySuite):
    name = "unshared_matrix"
    bad_params = [
        ({"in_size": [9], "kernel_size": 3, "convention": "some"}, "convention"),
        ({"in_size": [9], "kernel_size": 3, "stride": 2, "padding": "same",
          "convention": "all_taps"}, "stride 1"),
        ({"in_size": [9], "kernel_size": 3, "padding": 3, "convention": "all_taps"}, "padding only"),
        ({"in_size": [2], "kernel_size": 5, "padding": 1, "convention": "all_taps"}, "kernel spans"),
        ({"in_size": [2, 2, 2], "kernel_size": 1, "convention": "all_taps"}, "in_size"),
    ]

    def independent(self, params):
        return build(params)
