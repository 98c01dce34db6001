"""Write the golden files: the exact published problems of every family (`make golden`).

    python -m tests.families.make_golden                 # every family that imports
    python -m tests.families.make_golden dropout         # only these families
    python -m tests.families.make_golden --force NAME    # overwrite a changed variant

A golden file pins `Problem.to_dict()` for GOLDEN_SEEDS x every level. Regenerating a file
whose family kept its VERSION but now produces different problems is refused without
`--force`: a published variant must not change silently; bump VERSION instead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from quizsvc import families

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GOLDEN_SEEDS = (0, 7, 123456789)
FORMAT = 1


def golden_path(name: str) -> Path:
    return GOLDEN_DIR / f"{name}.json"


def build(name: str) -> dict[str, Any]:
    """Return the golden document of family `name` as it generates today."""
    family = families.get(name)
    cases = [{"seed": seed, "level": level,
              "problem": json.loads(json.dumps(family.generate(seed, level).to_dict()))}
             for level in family.levels for seed in GOLDEN_SEEDS]
    return {"format": FORMAT, "family": name, "version": family.version, "cases": cases}


def write(name: str, *, force: bool = False) -> str:
    """Write one family's golden file; return what happened, for the log."""
    doc = build(name)
    path = golden_path(name)
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        if old == doc:
            return "unchanged"
        if old.get("version") == doc["version"] and not force:
            return (f"REFUSED: problems changed but VERSION is still {doc['version']}; "
                    "bump VERSION (or pass --force for a family never published)")
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return f"written (v{doc['version']}, {len(doc['cases'])} problems)"


def main(argv: list[str]) -> int:
    force = "--force" in argv
    wanted = [a for a in argv if not a.startswith("--")] or families.names()
    refused = 0
    for name in wanted:
        try:
            families.get(name)
        except ImportError as exc:  # a registered family whose module is not written yet
            print(f"{name:<22} skipped: {exc}")
            continue
        result = write(name, force=force)
        refused += result.startswith("REFUSED")
        print(f"{name:<22} {result}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
