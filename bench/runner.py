"""Run the chosen sections, print one table, write bench/results.json."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import time
import traceback
from pathlib import Path
from typing import Any

from bench import machine, report
from bench.common import ROOT, Context, Skip

SECTIONS = ("engine", "api", "pages", "scale", "export", "db")
MODULES = {"engine": "bench.engine", "api": "bench.api", "pages": "bench.pages",
           "scale": "bench.scale", "export": "bench.export", "db": "bench.dbscale"}


KEEP_MARKER = "<!-- written by hand below: `python -m bench --render` keeps it -->"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and one round each: checks the harness, not the speed")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run (default: {','.join(SECTIONS)})")
    parser.add_argument("--families", default="",
                        help="comma-separated engine families (default: all)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json",
                        help="where to write the JSON results")
    parser.add_argument("--render", type=Path, metavar="MARKDOWN",
                        help="run nothing: render the results file (--output) as Markdown here")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "QUIZSVC_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="an existing database to connect to; throwaway databases are created beside it")
    args = parser.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(args.only) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def run_section(name: str, ctx: Context, args: argparse.Namespace) -> dict[str, Any]:
    """Run one section; a missing prerequisite is a skip, any other failure an error."""
    started = time.perf_counter()
    try:
        module = importlib.import_module(MODULES[name])
        kwargs = {}
        if name == "engine" and args.families:
            kwargs["only_families"] = [f.strip() for f in args.families.split(",") if f.strip()]
        out = {"status": "ok", **module.run(ctx, **kwargs)}
    except Skip as exc:
        out = {"status": "skipped", "reason": str(exc)}
    except Exception as exc:  # noqa: BLE001 - report it and go on with the other sections
        out = {"status": "error", "reason": f"{type(exc).__name__}: {exc}",
               "traceback": traceback.format_exc()}
        print(out["traceback"], flush=True)
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        results = json.loads(args.output.read_text())
        # What follows the marker is written by hand (the attempt's profile): kept as it is.
        kept = ""
        if args.render.exists() and KEEP_MARKER in args.render.read_text():
            kept = "\n" + KEEP_MARKER + args.render.read_text().split(KEEP_MARKER, 1)[1]
        args.render.write_text("# Benchmark results\n\nWritten by `python -m bench --render`"
                               " from the run's bench/results.json; see README.md, "
                               "\"Benchmarks\".\n\n" + report.render(results) + "\n" + kept)
        print(f"wrote {args.render}")
        return 0
    started = time.perf_counter()
    ctx = Context(quick=args.quick, postgres_url=args.postgres_url)
    results: dict[str, Any] = {"machine": machine.describe(args.postgres_url),
                               "mode": "quick" if args.quick else "full", "sections": {}}
    for name in args.only:
        print(f"== {name}", flush=True)
        section = run_section(name, ctx, args)
        results["sections"][name] = section
        if section["status"] != "ok":
            print(f"   {section['status']}: {section['reason']}", flush=True)
    shutil.rmtree(ctx.workdir, ignore_errors=True)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = ctx.targets
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(report.render(results))
    print(f"\nwrote {args.output} ({results['total_seconds']} s)")
    return 1 if any(s["status"] == "error" for s in results["sections"].values()) else 0
