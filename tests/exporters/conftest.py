"""Fixtures of the exporter tests: a bank over every family that exists, and the crafted family."""

from __future__ import annotations

import pytest

from quizsvc import families
from quizsvc.families.base import Family
from tests.exporters import crafted
from tests.exporters.helpers import available_families

SEEDS = range(4)


@pytest.fixture(scope="session")
def bank() -> list:
    """Problems of every importable family, every level, a few seeds each."""
    out = []
    for name in available_families():
        fam = families.get(name)
        out += [fam.generate(seed, level) for level in fam.levels for seed in SEEDS]
    # Expression answers (k1*x1 + ...) are left out of every format: test_expression_items.py.
    return [p for p in out if all(f["kind"] != "expression" for f in p.answer_spec)]


@pytest.fixture
def hard(monkeypatch: pytest.MonkeyPatch) -> list:
    """Register the crafted family for one test; return two variants of each of its cases."""
    monkeypatch.setitem(families._LOADED, crafted.NAME, Family(crafted))
    fam = families.get(crafted.NAME)
    return [fam.generate(seed, level) for level in fam.levels for seed in (0, 1)]
