"""``quizsvc export``: a 50-item bank in each format, from the command line."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from quizsvc import families
from quizsvc.cli import main
from quizsvc.exporters import jsonbank
from tests.exporters import gift_oracle, moodle_oracle, qti_oracle
from tests.exporters.helpers import qti_dtd


def _run(*args: str):
    return CliRunner().invoke(main, ["export", *args], catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["moodle", "qti12", "gift", "json"])
def test_exports_a_50_item_bank(tmp_path, fmt):
    out = tmp_path / f"bank.{fmt}"
    result = _run("--format", fmt, "--family", "conv_output_shape", "--family", "conv_param_count",
                  "--level", "medium", "--count", "25", "--seed", "100", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Exporting" not in result.output, "no progress bar off a terminal"
    written = int(re.search(r"wrote (\d+) items", result.output).group(1))
    left_out = re.search(r"left out (\d+) items:", result.output)
    # GIFT alone may leave out a multi-box item that has no distractor; the CLI lists it.
    assert written == 50 or (fmt == "gift" and written + int(left_out.group(1)) == 50)
    data = out.read_bytes()
    if fmt == "moodle":
        questions = moodle_oracle.parse(data)
        assert len(questions) == 50
        v = {n: families.get(n).version for n in ("conv_output_shape", "conv_param_count")}
        assert {q.idnumber for q in questions} >= {
            f"conv_output_shape-v{v['conv_output_shape']}-s100-medium",
            f"conv_param_count-v{v['conv_param_count']}-s124-medium"}
    elif fmt == "qti12":
        package = qti_oracle.read(data)
        assert sum(len(items) for _, _, items in package.groups) == 50
        assert [n for _, n, _ in package.groups] == [1, 1]
        dtd = qti_dtd()
        assert dtd.validate(package.assessment), dtd.error_log.filter_from_errors()
    elif fmt == "gift":
        assert len(gift_oracle.parse(data)) == written >= 45
    else:
        title, problems = jsonbank.loads(data)
        assert len(problems) == 50 and title == "conv_output_shape, conv_param_count (medium)"


def test_pick_style_title_and_stdout():
    result = _run("--format", "qti12", "--family", "conv_param_count", "--count", "6", "--pick", "0",
                  "--style", "choice", "--title", "Quiz 1", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout_bytes[:2] == b"PK"


def test_lists_left_out_items_with_reasons(monkeypatch, tmp_path):
    from quizsvc.exporters import items

    monkeypatch.setattr(items, "MAX_EXACT_INT", 10)  # pretend every count is too large to type
    monkeypatch.setattr(items, "_options", lambda problem, spec, mistakes: ())
    result = _run("--format", "gift", "--family", "conv_param_count", "--count", "3",
                  "-o", str(tmp_path / "x.txt"))
    assert result.exit_code == 0
    assert "wrote 0 items" in result.output and "left out 3 items:" in result.output
    v = families.get("conv_param_count").version
    assert f"conv_param_count-v{v}-s0-easy: the key holds" in result.output


@pytest.mark.parametrize("args,words", [
    (["--family", "nope"], "no problem family named 'nope'"),
    (["--family", "conv_param_count", "--level", "extreme"], "level must be one of"),
    ([], "give --family NAME"),
    (["--family", "conv_param_count", "--bank", "1"], "either --bank or --family"),
])
def test_errors_are_one_line(tmp_path, args, words):
    result = _run("--format", "json", *args, "-o", str(tmp_path / "x"))
    assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output


def test_progress_bar_only_on_a_terminal(monkeypatch, tmp_path):
    from quizsvc.cli import export as export_cli

    monkeypatch.setattr(export_cli, "_terminal", lambda: True)
    result = _run("--format", "gift", "--family", "conv_param_count", "--count", "4",
                  "-o", str(tmp_path / "x.txt"))
    assert result.exit_code == 0 and "Exporting 4 problems" in result.output
