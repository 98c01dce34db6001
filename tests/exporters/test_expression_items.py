"""Items answered by an expression in symbols are listed as left out by every format, with why."""

import json
import re
import zipfile
from io import BytesIO

import pytest

from quizsvc import families
from quizsvc.exporters import export


@pytest.fixture(scope="module")
def mixed():
    """A bank of two expression problems between two numeric ones."""
    sym = families.get("first_last_symbolic")
    num = families.get("conv_output_shape")
    return [num.generate(0, "easy"), sym.generate(0, "easy"), sym.generate(1, "medium"),
            num.generate(1, "easy")]


@pytest.mark.parametrize("fmt", ["moodle", "qti12", "gift"])
def test_expression_items_are_left_out_with_a_reason(mixed, fmt):
    result = export(mixed, fmt)
    assert result.count == 2
    left = {s.ident: s.reason for s in result.skipped}
    assert set(left) == {"first_last_symbolic-v2-s0-easy", "first_last_symbolic-v2-s1-medium"}
    assert all("expression" in r for r in left.values())
    data = result.data
    if fmt == "qti12":
        data = b"".join(zipfile.ZipFile(BytesIO(data)).read(n) for n in zipfile.ZipFile(BytesIO(data)).namelist())
    # The file's own report of what was left out names them (main's exporters write one);
    # no question, category or figure does.
    assert b"first_last_symbolic-v2-s0-easy: an answer typed as an expression" in data
    body = re.sub(rb"<!--.*?-->", b"", data, flags=re.S)
    body = b"\n".join(line for line in body.splitlines() if not line.startswith(b"//"))
    assert b"first_last_symbolic" not in body and b"conv_output_shape" in body


def test_the_json_bank_keeps_them(mixed):
    data = json.loads(export(mixed, "json").data)
    assert "first_last_symbolic" in json.dumps(data)
