"""Engine throughput in process: generate (sample + solve + render) and check, per family and level.

Each figure is the median of repeated rounds in this one single-threaded
process, counted in CPU time: problems per CPU-second, that is per core, even
while other processes share the machine. The elapsed-time rate is kept too.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench.common import Context, Skip, rate

SCALAR_GOAL = 20_000   # problems/s per core, families whose answers are integers/shapes/choices
ARRAY_GOAL = 5_000     # problems/s per core, families that compute on concrete tensors
CHECK_GOAL = 20_000    # checks/s
# Families that compute with concrete tensors (input, kernel, activations ...); every
# other family is arithmetic on shapes and counts. Issue 2 lists the first seven; issue 15's
# conv_matrix_same (a concrete kernel's matrix, up to 130 entries to type) and
# dropout_tikhonov (a concrete data matrix X) are of the same kind.
ARRAY_FAMILIES = {"toeplitz_matrix", "conv_forward", "filter_recovery", "transpose_conv",
                  "flip_convolution", "batchnorm_grad", "dropout", "conv_matrix_same",
                  "dropout_tikhonov"}


def typed(value: Any) -> str:
    """Return a key value as a student would type it."""
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return "; ".join(" ".join(repr(v) for v in row) for row in value)
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _perturb(kind: str, value: Any, choices: list[str] | None) -> Any:
    if kind == "choice":
        others = [c for c in (choices or []) if c != value and [c] != value]
        return others[0] if others else value
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return [[value[0][0] + 1, *value[0][1:]], *value[1:]]
        return [value[0] + 1, *value[1:]] if value else value
    return value + 1


def wrong_answer(family, problem) -> dict[str, str]:
    """Return a wrong answer: a catalogued mistake's key when one differs, else the key nudged."""
    key, spec = problem.answer, problem.answer_spec
    for m in family.misconceptions:
        buggy = m.solve(problem.params)
        if buggy and any(f["name"] in buggy and buggy[f["name"]] != key[f["name"]] for f in spec):
            return {f["name"]: typed(buggy.get(f["name"], key[f["name"]])) for f in spec}
    first = spec[0]
    out = {f["name"]: typed(key[f["name"]]) for f in spec}
    out[first["name"]] = typed(_perturb(first["kind"], key[first["name"]], first.get("choices")))
    return out


def _load(name: str):
    from quizsvc import families
    try:
        return families.get(name), None
    except ImportError as exc:
        return None, f"not implemented yet ({exc.name or exc})"


def run(ctx: Context, only_families: list[str] | None = None) -> dict[str, Any]:
    """Measure every family and level; return rows plus the class summaries."""
    try:
        from quizsvc import families
    except ImportError as exc:
        raise Skip(f"the problem engine does not import: {exc}") from None
    names = only_families or families.names()
    quick_left = 2  # in a quick run, the first two families that load
    pool_size = 16 if ctx.quick else 200
    seconds, repeats = (0.01, 1) if ctx.quick else (0.025, 9)

    rows, skipped = [], {}
    for name in names:
        family, why = _load(name)
        if family is None:
            skipped[name] = why
            ctx.log(f"engine: {name}: skipped, {why}")
            continue
        if ctx.quick and not only_families:
            if quick_left == 0:
                continue
            quick_left -= 1
        for level in family.levels:
            problems = [family.generate(seed, level) for seed in range(pool_size)]
            checks = []
            for p in problems:
                checks.append((p.params, {f["name"]: typed(p.answer[f["name"]]) for f in p.answer_spec}))
                checks.append((p.params, wrong_answer(family, p)))
            # A typed key must grade right and a wrong answer wrong; count (and say) when not.
            graded = [family.check(params, ans).correct for params, ans in checks]
            odd = sum(not ok for ok in graded[0::2]) + sum(graded[1::2])
            if odd:
                ctx.log(f"engine: {name}/{level}: {odd} of {len(checks)} pool answers graded "
                        "unexpectedly (a typed key marked wrong, or a wrong answer marked right)")

            base = 1_000_000  # seeds beyond the pool, fresh for every call
            gen = rate(lambda i: family.generate(base + i, level), min_seconds=seconds, repeats=repeats)
            n = len(checks)
            chk = rate(lambda i: family.check(*checks[i % n]), min_seconds=seconds, repeats=repeats)
            rows.append({"family": name, "level": level,
                         "class": "array" if name in ARRAY_FAMILIES else "scalar",
                         "generate_per_s": round(gen["median"]), "check_per_s": round(chk["median"]),
                         "generate_wall_per_s": round(gen["wall_median"]),
                         "check_wall_per_s": round(chk["wall_median"]),
                         "unexpected_grades": odd,
                         "generate": gen, "check": chk})
            ctx.log(f"engine: {name}/{level}: generate {gen['median']:,.0f}/s, check {chk['median']:,.0f}/s")
    if not rows:
        raise Skip("no problem family could be loaded")

    summary: dict[str, Any] = {}
    for cls, goal in (("scalar", SCALAR_GOAL), ("array", ARRAY_GOAL)):
        cells = [r for r in rows if r["class"] == cls]
        if not cells:
            continue
        slow_gen = min(cells, key=lambda r: r["generate_per_s"])
        slow_chk = min(cells, key=lambda r: r["check_per_s"])
        summary[cls] = {
            "families": sorted({r["family"] for r in cells}),
            "generate_min": slow_gen["generate_per_s"],
            "generate_min_at": f"{slow_gen['family']}/{slow_gen['level']}",
            "generate_median": round(statistics.median(r["generate_per_s"] for r in cells)),
            "check_min": slow_chk["check_per_s"],
            "check_min_at": f"{slow_chk['family']}/{slow_chk['level']}",
            "check_median": round(statistics.median(r["check_per_s"] for r in cells)),
        }
        s = summary[cls]
        s["generate_min_best"] = round(min(r["generate"]["max"] for r in cells))
        s["check_min_best"] = round(min(r["check"]["max"] for r in cells))
        ctx.target(f"engine: {cls} families, generate+solve per core, slowest cell",
                   s["generate_min"], goal, "problems/s",
                   note=f"at {s['generate_min_at']}; median cell {s['generate_median']:,}; "
                        f"slowest cell's best round {s['generate_min_best']:,}")
        ctx.target(f"engine: {cls} families, check per core, slowest cell", s["check_min"],
                   CHECK_GOAL, "checks/s",
                   note=f"at {s['check_min_at']}; median cell {s['check_median']:,}; "
                        f"slowest cell's best round {s['check_min_best']:,}")
    table = [[r["family"], r["level"], r["class"], r["generate_per_s"], r["check_per_s"],
              round(r["generate"]["max"]), round(r["check"]["max"]), r["generate_wall_per_s"],
              r["check_wall_per_s"]] for r in rows]
    table += [[name, "-", "skipped", None, None, None, None, None, None] for name in skipped]
    return {"rows": rows, "summary": summary, "skipped_families": skipped,
            "tables": [("Engine, one process: per CPU-second (= per core), median and best of "
                        f"{repeats} rounds, and per elapsed second (median)",
                        ["family", "level", "class", "generate/s/core", "check/s/core",
                         "generate best", "check best", "generate wall", "check wall"], table)],
            "settings": {"pool": pool_size, "round_seconds": seconds, "repeats": repeats,
                         "check_mix": "alternating right and wrong answers, typed as text"}}
