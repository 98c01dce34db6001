"""The format registry: a format registered anywhere shows up in the CLI and REST lists, and exports."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from quizsvc import exporters, families
from quizsvc.cli import main
from quizsvc.exporters import Format, Written
from tests.exporters.test_api import make_bank


def _write(items, options) -> Written:
    body = "\n".join(f"{i.ident} {options.title}" for i in items[1:])
    return Written(body.encode(), len(items) - 1, [exporters.Skipped(items[0].ident, "first one")],
                   ["a note"])


@pytest.fixture
def test_format():
    fmt = Format("lines", "One line per item", "text/x-lines", ".lines", _write,
                 "a format registered by a test")
    exporters.register(fmt)
    yield fmt
    exporters.unregister("lines")
    assert "lines" not in exporters.names()


def test_builtin_formats_each_have_a_media_type_and_extension():
    names = exporters.names()
    assert {"moodle", "qti12", "gift", "json"} <= set(names)
    for f in exporters.formats():
        assert f.media_type and f.extension.startswith(".") and f.description


def test_a_registered_format_is_listed_and_exported_by_the_cli(test_format, tmp_path):
    listed = CliRunner().invoke(main, ["export", "--list-formats"])
    assert listed.exit_code == 0
    rows = {line.split()[0]: line for line in listed.output.splitlines()}
    assert set(rows) == set(exporters.names()) and "text/x-lines" in rows["lines"]
    out = tmp_path / "x.lines"
    r = CliRunner().invoke(main, ["export", "--format", "lines", "--family", "conv_param_count",
                                  "--count", "3", "--title", "T", "-o", str(out)])
    assert r.exit_code == 0, r.output
    v = families.get("conv_param_count").version
    assert out.read_text().splitlines() == [f"conv_param_count-v{v}-s1-easy T",
                                            f"conv_param_count-v{v}-s2-easy T"]
    assert f"conv_param_count-v{v}-s0-easy: first one" in r.output and "a note" in r.output


def test_an_unknown_format_is_refused_listing_the_registered_ones(tmp_path):
    r = CliRunner().invoke(main, ["export", "--format", "lines", "--family", "conv_param_count",
                                  "-o", str(tmp_path / "x")])
    assert r.exit_code == 2 and "'lines' is not a format" in r.output and "moodle" in r.output


def test_a_registered_format_is_listed_and_exported_by_rest(test_format, client, instructor, student):
    r = client.get("/api/v1/banks/export-formats", headers=instructor.headers)
    assert r.status_code == 200
    assert [f["name"] for f in r.json["items"]] == list(exporters.names())
    assert {"name": "lines", "label": "One line per item", "media_type": "text/x-lines",
            "extension": ".lines", "description": "a format registered by a test"} in r.json["items"]
    assert client.get("/api/v1/banks/export-formats", headers=student.headers).status_code == 403
    bank = make_bank(client, instructor)
    r = client.get(f"/api/v1/banks/{bank['id']}/export", query_string={"format": "lines"},
                   headers=instructor.headers)
    assert r.status_code == 200 and r.mimetype == "text/x-lines"
    assert r.headers["Content-Disposition"].endswith('.lines"')
    assert r.headers["X-Quizsvc-Left-Out"] == "1" and r.headers["X-Quizsvc-Notes"] == "1"
    assert len(r.data.decode().splitlines()) == int(r.headers["X-Quizsvc-Items"]) == 11


def test_rest_refuses_a_format_once_unregistered(client, instructor):
    bank = make_bank(client, instructor)
    r = client.get(f"/api/v1/banks/{bank['id']}/export", query_string={"format": "lines"},
                   headers=instructor.headers)
    assert r.status_code == 422 and "moodle" in str(r.json["errors"])


def test_formats_do_not_import_each_other():
    import ast
    from pathlib import Path

    folder = Path(exporters.__file__).parent
    modules = {exporters.get(n).write.__module__.rsplit(".", 1)[1] for n in exporters.names()}
    for name in modules:
        tree = ast.parse((folder / f"{name}.py").read_text())
        imported = {node.module.rsplit(".", 1)[1] for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module
                    and node.module.startswith("quizsvc.exporters.")}
        assert not imported & (modules - {name}), f"{name} imports {imported & modules}"
        assert "sqlalchemy" not in (folder / f"{name}.py").read_text()
