"""Figures (Problem.figures): embedded files in Moodle XML, files in the Canvas zip, listed by GIFT."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import pytest

from quizsvc.exporters import export
from quizsvc.exporters.items import build_item
from tests.exporters import crafted, gift_oracle, moodle_oracle, qti_oracle
from tests.exporters.helpers import ident, qti_dtd


@pytest.fixture
def drawn(hard):
    """The crafted problems, every other one carrying its figure."""
    for i, p in enumerate(hard):
        p.figures = crafted.figures(p.params) if i % 2 == 0 else []
    return hard


def test_moodle_embeds_each_figure_and_references_it(drawn):
    questions = {q.idnumber: q for q in moodle_oracle.parse(export(drawn, "moodle").data)}
    for p in drawn:
        q = questions[ident(p)]
        refs = re.findall(r'@@PLUGINFILE@@/([^"]+)"', q.text)
        assert {unquote(html.unescape(r)) for r in refs} == set(q.files), ident(p)
        assert all(" " not in r for r in refs), "references are URL-encoded"
        assert q.files == {f.name: f.svg.encode() for f in p.figures}
        for f in p.figures:
            assert f'alt="{html.escape(f.alt)}"' in q.text.replace("&#x27;", "'")


def test_canvas_zip_holds_each_figure_as_a_file_the_item_references(drawn):
    package = qti_oracle.read(export(drawn, "qti12").data)
    dtd = qti_dtd()
    assert dtd.validate(package.assessment), dtd.error_log.filter_from_errors()
    items = {i.ident: i for _, _, group in package.groups for i in group}
    referenced = set()
    for p in drawn:
        text = html.unescape(items[ident(p)].text)
        refs = re.findall(r'src="\$IMS-CC-FILEBASE\$/([^"]+)"', text)
        assert len(refs) == len(p.figures), ident(p)
        for ref, f in zip(refs, p.figures):
            path = "web_resources/" + ref
            assert package.files[path] == f.svg.encode()
            referenced.add(path)
    assert set(package.web_files) == referenced  # the manifest lists exactly those files


def test_gift_lists_figures_as_left_out(drawn):
    result = export(drawn, "gift")
    written = {q.idnumber for q in gift_oracle.parse(result.data)}
    for p in drawn:
        noted = [n for n in result.notes if n.startswith(ident(p) + ":")]
        if p.figures and ident(p) in written:
            assert noted and "figures left out" in noted[0] and p.figures[0].name in noted[0]
        else:
            assert not [n for n in noted if "figures" in n]
    assert "// notes:" in result.data.decode()


def test_items_carry_figures_only_when_the_problem_has_some(drawn):
    assert [bool(build_item(p).figures) for p in drawn] == [i % 2 == 0 for i in range(len(drawn))]
