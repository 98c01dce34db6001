"""Print the figures the hardening tests wrote (build/hardening/*.json) as one summary.

    python -m tests.hardening.figures          # after `make test`, or the hardening tests

docs/reliability.md quotes these numbers; this is how to see them for a new run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

FIGURES = Path(__file__).resolve().parents[2] / "build" / "hardening"


def load() -> dict[str, list[dict[str, Any]]]:
    """Return every figures file, grouped by test name (worker suffixes merged)."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted(FIGURES.glob("*.json")):
        out[path.stem.split(".")[0]].append(json.loads(path.read_text()))
    return out


def summary(figures: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Return the headline numbers."""
    fuzz = [f for name, runs in figures.items() if name.startswith("fuzz_") for f in runs]
    props = defaultdict(int)
    for run in figures.get("properties", []):
        for key, n in run["examples"].items():
            props[key] += n
    bounds = figures.get("bounds", [])
    faults = figures.get("faults", [{}])[0]
    limit = figures.get("concurrency_limit", [{}])[0]
    idem = figures.get("concurrency_idempotency", [{}])[0]
    walk = figures.get("key_leak_walk", [{}])[0]
    redis = figures.get("ratelimit_redis", [{}])[0]
    return {
        "fuzz": {"requests": sum(f["requests"] for f in fuzz),
                 "server_errors": sum(f["server_errors"] for f in fuzz),
                 "nonconforming": sum(f["nonconforming"] for f in fuzz),
                 "runs": sorted(f"{f['role']}/{f['mode']}" for f in fuzz),
                 "operations": max((f["operations"] for f in fuzz), default=0),
                 "slowest_seconds": max((f["slowest_seconds"] for f in fuzz), default=None)},
        "property_examples": dict(props) | {"total": sum(props.values())},
        "bounds": {"oversized_requests": sum(b["oversized_requests"] for b in bounds),
                   "families": len({f for b in bounds for f in b["families"]}),
                   "slowest_ms": max((b["slowest_ms"] for b in bounds), default=None),
                   "largest_peak_kib": max((b["largest_peak_kib"] for b in bounds), default=None)},
        "key_leak_walk": {k: walk.get(k) for k in ("routes", "requests", "problems_watched",
                                                   "leaks")},
        "concurrency": {"concurrent": limit.get("concurrent"), "allowed": limit.get("allowed"),
                        "recorded": limit.get("recorded"), "refused": limit.get("refused_409"),
                        "idempotent_recorded": idem.get("recorded"),
                        "identical_answers": idem.get("identical_answers")},
        "faults": {k: faults.get(k) for k in ("faults_injected", "modes", "requests",
                                              "during_outage", "statuses",
                                              "slowest_503_seconds", "recovery_seconds",
                                              "retried_with_same_key",
                                              "committed_but_unanswered", "attempts_stored",
                                              "lost", "doubled", "half_written")},
        "rate_limit_redis": {k: redis.get(k) for k in ("instances", "limit", "requests",
                                                       "allowed", "refused")},
    }


if __name__ == "__main__":
    print(json.dumps(summary(load()), indent=2, default=str))
