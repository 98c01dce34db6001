"""The bench harness runs in its tiny mode and writes results of the promised shape.

No timing is asserted: these tests check the harness, not the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types

from bench import runner
from bench.common import ROOT, Context, Skip, rate
from bench.report import table


def test_quick_engine_run_writes_results(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "engine",
                           "--output", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(out.read_text())
    machine = results["machine"]
    for key in ("date", "cpu_model", "cores", "memory_gib", "python", "numpy", "postgres"):
        assert key in machine
    assert results["mode"] == "quick"
    engine = results["sections"]["engine"]
    assert engine["status"] == "ok"
    assert engine["rows"], "at least one family was measured"
    for row in engine["rows"]:
        assert row["class"] in ("scalar", "array")
        assert row["generate_per_s"] > 0 and row["check_per_s"] > 0
        assert row["generate"]["repeats"] >= 1
    names = [t["name"] for t in results["targets"]]
    assert any("check" in n for n in names)
    for t in results["targets"]:
        assert t["comparison"] in (">=", "<=") and t["met"] in (True, False, None)
    assert "### engine" in proc.stdout and "targets" in proc.stdout


def test_missing_prerequisite_is_a_skip_not_a_crash(monkeypatch, tmp_path):
    def run(ctx):
        raise Skip("the widget is not installed")

    monkeypatch.setitem(sys.modules, "bench._fake", types.SimpleNamespace(run=run))
    monkeypatch.setitem(runner.MODULES, "engine", "bench._fake")
    args = runner.parse_args(["--only", "engine"])
    section = runner.run_section("engine", Context(quick=True, workdir=tmp_path), args)
    assert section["status"] == "skipped"
    assert section["reason"] == "the widget is not installed"


def test_a_failing_section_is_reported_and_the_run_goes_on(monkeypatch, tmp_path):
    def run(ctx):
        raise RuntimeError("boom")

    monkeypatch.setitem(sys.modules, "bench._fake", types.SimpleNamespace(run=run))
    monkeypatch.setitem(runner.MODULES, "engine", "bench._fake")
    section = runner.run_section("engine", Context(quick=True, workdir=tmp_path), runner.parse_args([]))
    assert section["status"] == "error" and "boom" in section["reason"]


def test_rate_counts_calls():
    calls = []
    result = rate(calls.append, min_seconds=0.001, repeats=3)
    assert result["repeats"] == 3 and result["median"] > 0
    assert len(calls) >= 3 * result["calls_per_round"]


def test_table_lines_up():
    text = table(["a", "bb"], [[1, 12345], ["long text", None]])
    lines = text.splitlines()
    assert len({len(line) for line in lines}) == 1
    assert "12,345" in text and "| -" in text
