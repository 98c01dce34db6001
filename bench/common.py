"""What every benchmark section shares: the run context, skips, timing and targets."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent


class Skip(Exception):
    """Raised by a section whose prerequisite is missing; the message says which."""


@dataclass
class Context:
    """Settings of one run and the targets the sections report against."""

    quick: bool = False
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/test"
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="quizsvc-bench-")))
    targets: list[dict[str, Any]] = field(default_factory=list)

    def log(self, message: str) -> None:
        """Print a progress line (stderr, so the table on stdout stays clean)."""
        print(f"  {message}", file=sys.stderr, flush=True)

    def target(self, name: str, measured: float | None, goal: float, unit: str, *,
               higher_is_better: bool = True, note: str = "") -> None:
        """Record a figure against its target; `met` is None when nothing was measured."""
        met = None
        if measured is not None:
            met = measured >= goal if higher_is_better else measured <= goal
        self.targets.append({"name": name, "measured": measured, "goal": goal, "unit": unit,
                             "comparison": ">=" if higher_is_better else "<=", "met": met,
                             "note": note})


def rate(fn: Callable[[int], None], *, min_seconds: float, repeats: int) -> dict[str, float]:
    """Return calls/s of `fn(i)`: medians over `repeats` rounds of about `min_seconds`.

    `median` counts CPU time of this process (what one core delivers when it is
    ours: the figure per core), `wall_median` counts elapsed time (lower when
    other processes share the core). A calibration pass first sizes the rounds
    so that the clock is read once per round, not once per call.
    """
    n = 1
    while True:  # calibrate: double until one batch takes a tenth of a round
        t0 = time.process_time()
        for i in range(n):
            fn(i)
        elapsed = time.process_time() - t0
        if elapsed >= min_seconds / 10 or n >= 1 << 20:
            break
        n *= 2
    batch = max(1, int(n * min_seconds / max(elapsed, 1e-9)))
    cpu, wall = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        for i in range(batch):
            fn(i)
        c1, w1 = time.process_time(), time.perf_counter()
        cpu.append(batch / max(c1 - c0, 1e-9))
        wall.append(batch / max(w1 - w0, 1e-9))
    return {"median": statistics.median(cpu), "min": min(cpu), "max": max(cpu),
            "wall_median": statistics.median(wall), "repeats": repeats, "calls_per_round": batch}


def family_cells() -> list[tuple[Any, str]]:
    """Return (family, level) for every family that loads, in registry order."""
    from quizsvc import families
    cells = []
    for name in families.names():
        try:
            fam = families.get(name)
        except ImportError:
            continue
        cells += [(fam, level) for level in fam.levels]
    return cells
