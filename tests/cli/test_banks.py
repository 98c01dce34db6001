"""`quizsvc bank`: banks from YAML or JSON files, by id or title, with aligned tables and
errors that name CLI commands."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from quizsvc.cli import main
from quizsvc.cli.tables import table

WEEK3 = """\
title: Week 3 - convolution shapes
max_attempts: 2
show_key: after_last_attempt
items:
  - {family: conv_output_shape, level: easy, count: 2}
  - {family: Same_Padding, level: Medium, seeds: [4, 9]}
"""


@pytest.fixture
def cli(tmp_path, monkeypatch):  # noqa: ANN201 - runs a command, returns the result
    monkeypatch.setenv("QUIZSVC_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("QUIZSVC_SECRET_KEY", "cli-bank-secret")
    monkeypatch.chdir(tmp_path)

    def run(*args: str, ok: bool = True):  # noqa: ANN202
        result = CliRunner().invoke(main, list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run("db", "upgrade")
    run("demo-instructor")
    for email in ("ada@example.edu", "bob@example.edu"):
        run("create-user", "--email", email, "--name", email.split("@")[0].title())
    (tmp_path / "week3.yaml").write_text(WEEK3)
    return run


def rows(output: str) -> list[list[str]]:
    """Return the cells of a table's body (after the dashes line)."""
    lines = output.strip().splitlines()
    start = next(i for i, line in enumerate(lines) if set(line.replace(" ", "")) == {"-"})
    return [re.split(r"\s{2,}", line.strip()) for line in lines[start + 1:]]


def test_create_from_yaml_then_list_show_assign_results(cli):
    out = cli("bank", "create", "week3.yaml").output
    assert "created bank 1 'Week 3 - convolution shapes'" in out and "quizsvc bank assign 1" in out
    assert rows(cli("bank", "list").output) == [
        ["1", "1", "Week 3 - convolution shapes", "2", "4", "0", "2", "after_last_attempt"]]
    shown = cli("bank", "show", "week 3 - CONVOLUTION shapes").output  # a title, case ignored
    assert ["1", "same_padding", "medium", "2", "4, 9"] in rows(shown.split("\n\n")[1])
    assert "assigned 'Week 3 - convolution shapes' to 2" in cli(
        "bank", "assign", "1", "ada@example.edu", "bob@example.edu").output
    assert "already had it" in cli("bank", "assign", "1", "ada@example.edu").output
    results = rows(cli("bank", "results", "1").output)
    assert [r[1] for r in results] == ["ada@example.edu", "bob@example.edu"]
    assert all(r[2:4] == ["0", "4"] for r in results)  # nothing answered yet, 4 problems each


def test_json_file_and_json_bank_import(cli, tmp_path):
    spec = {"title": "From JSON", "items": [{"family": "dropout", "seeds": [1, 2, 3]}]}
    (tmp_path / "b.json").write_text(json.dumps(spec))
    assert "created bank 1" in cli("bank", "create", "b.json").output
    cli("bank", "export", "From JSON", "--format", "json", "-o", "exported.json")
    exported = json.loads((tmp_path / "exported.json").read_text())
    assert [p["seed"] for p in exported["problems"]] == [1, 2, 3]
    out = cli("bank", "import", "exported.json", "--title", "Copy").output
    assert "imported bank 2 'Copy': 3 variants in 1 items" in out
    shown = cli("bank", "show", "2").output
    assert ["0", "dropout", "easy", "3", "1, 2, 3"] in rows(shown.split("\n\n")[1])


def test_export_by_title_writes_the_lms_file(cli, tmp_path):
    cli("bank", "create", "week3.yaml")
    result = cli("bank", "export", "Week 3 - convolution shapes", "--format", "moodle",
                 "-o", "w3.xml")
    assert (tmp_path / "w3.xml").read_bytes().startswith(b"<?xml")
    assert "wrote" in result.output
    cli("bank", "export", "1", "--format", "PDF", "-o", "w3.pdf")  # every registered format
    assert (tmp_path / "w3.pdf").read_bytes().startswith(b"%PDF-")
    refused = cli("bank", "export", "1", "--format", "docx", "-o", "w3.docx", ok=False)
    assert refused.exit_code == 2 and "moodle" in refused.output and "pdf" in refused.output


@pytest.mark.parametrize("args, words", [
    (("bank", "show", "nope"), "`quizsvc bank list` shows your banks"),
    (("bank", "show", "99"), "`quizsvc bank list` shows your banks"),
    (("bank", "assign", "1", "zed@example.edu"), "`quizsvc create-user --email"),
    (("bank", "list", "--as", "nobody@example.edu"), "`quizsvc create-user --role instructor"),
    (("bank", "list", "--as", "ada@example.edu"), "banks need an instructor"),
])
def test_errors_name_cli_commands_not_routes(cli, args, words):
    cli("bank", "create", "week3.yaml")
    result = cli(*args, ok=False)
    assert result.exit_code == 1 and words in result.output, result.output
    assert "/api/" not in result.output and "GET " not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("text, words", [
    ("title: x\nitems:\n  - {family: conv_outptu_shape}\n",
     "items.0.family: no problem family named 'conv_outptu_shape'; did you mean"),
    ("title: x\nitems:\n  - {family: dropout, count: 2, seeds: [1]}\n", "count is 2 but 1 seed"),
    ("title: [x\n", "is not valid YAML"),
    ("- just a list\n", "should hold a mapping"),
])
def test_bad_bank_files_are_one_line_errors(cli, tmp_path, text, words):
    (tmp_path / "bad.yaml").write_text(text)
    result = cli("bank", "create", "bad.yaml", ok=False)
    assert result.exit_code == 1 and words in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


def test_table_aligns_numbers_right_and_text_left():
    out = table(["name", "score"], [["Ada", 1.5], ["Bartholomew", 10], ["Cy", None]])
    assert out.splitlines() == ["name         score",
                                "-----------  -----",
                                "Ada            1.5",
                                "Bartholomew     10",
                                "Cy               -"]
