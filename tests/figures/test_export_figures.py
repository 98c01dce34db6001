"""Exports never put a solution figure (it shows the answer) in a question's text."""

import io
import xml.etree.ElementTree as ET
import zipfile

from quizsvc import families
from quizsvc.exporters import export


def bank():
    return [families.get("toeplitz_matrix").generate(s, "medium") for s in range(3)]


def test_moodle_question_text_holds_no_solution_figure():
    problems = bank()
    assert all(f.part == "solution" for p in problems for f in p.figures)
    root = ET.fromstring(export(problems, "moodle").data)
    texts = [q.find("questiontext") for q in root.iter("question") if q.get("type") != "category"]
    assert len(texts) == 3
    for qt in texts:
        body = ET.tostring(qt, encoding="unicode")
        assert "band.svg" not in body and "<svg" not in body and "PHN2Zy" not in body  # base64 '<svg'


def test_canvas_items_hold_no_solution_figure():
    with zipfile.ZipFile(io.BytesIO(export(bank(), "qti12").data)) as z:
        for name in z.namelist():
            assert not name.endswith("band.svg"), name
            if name.endswith(".xml"):
                assert b"band.svg" not in z.read(name), name
