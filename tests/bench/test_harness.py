"""The bench harness runs in its tiny mode and writes results of the promised shape.

No timing is asserted: these tests check the harness, not the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types

import pytest

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


def test_quick_export_run_reports_every_format(tmp_path):
    pytest.importorskip("quizsvc.exporters")
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "export",
                           "--output", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    export = json.loads(out.read_text())["sections"]["export"]
    assert export["status"] == "ok", export
    from quizsvc.exporters import FORMATS
    assert [r["format"] for r in export["rows"]] == list(FORMATS)
    for row in export["rows"]:
        assert row["items"] + row["left_out"] == export["bank_size"]
        assert row["items_per_s"] > 0 and row["bytes"] > 0
    if export["text2qti"]:
        assert export["text2qti"]["items"] == export["bank_size"]


def test_render_writes_markdown_from_results(tmp_path):
    results = {"machine": {"date": "2026-01-01T00:00:00+00:00", "cpu_model": "cpu",
                           "usable_cores": 2, "memory_gib": 1.0, "python": "3.11", "numpy": "2",
                           "postgres": None, "sqlite": "3", "load_average_at_start": [0, 0, 0],
                           "git_commit": "abc"},
               "mode": "quick", "total_seconds": 1.0, "targets": [],
               "sections": {"engine": {"status": "skipped", "reason": "why", "seconds": 0.0}}}
    src, md = tmp_path / "r.json", tmp_path / "r.md"
    src.write_text(json.dumps(results))
    assert runner.main(["--output", str(src), "--render", str(md)]) == 0
    text = md.read_text()
    assert "skipped: why" in text and "2026-01-01" in text


def test_render_keeps_what_is_written_by_hand_below_the_marker(tmp_path):
    results = {"machine": {"date": "2026-01-01T00:00:00+00:00", "cpu_model": "cpu",
                           "usable_cores": 2, "memory_gib": 1.0, "python": "3.11", "numpy": "2",
                           "postgres": None, "sqlite": "3", "load_average_at_start": [0, 0, 0],
                           "git_commit": "abc"},
               "mode": "quick", "total_seconds": 1.0, "targets": [],
               "sections": {"engine": {"status": "skipped", "reason": "new run", "seconds": 0.0}}}
    src, md = tmp_path / "r.json", tmp_path / "r.md"
    src.write_text(json.dumps(results))
    md.write_text("old tables, skipped: old run\n" + runner.KEEP_MARKER + "\n## Profile\nby hand\n")
    assert runner.main(["--output", str(src), "--render", str(md)]) == 0
    text = md.read_text()
    assert "new run" in text and "old run" not in text
    assert text.endswith(runner.KEEP_MARKER + "\n## Profile\nby hand\n")
