"""The family module contract (quizsvc/families/contract.py) holds for every registered module."""

from __future__ import annotations

import importlib
import inspect
import types

import pytest

from quizsvc import families
from quizsvc.families.contract import MEMBERS, FamilyModule, check_module


@pytest.mark.parametrize("name", families.names())
def test_every_registered_module_meets_the_contract(name):
    module = importlib.import_module(f"quizsvc.families.{name}")
    assert check_module(module) is module and isinstance(module, FamilyModule)
    assert module.NAME == name and isinstance(module.VERSION, int) and module.MISCONCEPTIONS
    for fn in ("sample", "validate", "solve", "answer_spec", "prompt", "solution"):
        wanted = list(inspect.signature(getattr(FamilyModule, fn)).parameters)[1:]  # no self
        assert list(inspect.signature(getattr(module, fn)).parameters) == wanted, (name, fn)


def test_members_list_the_protocol():
    declared = {n for n in vars(FamilyModule) if not n.startswith("_")} | set(
        FamilyModule.__annotations__)
    assert set(MEMBERS) == declared


def test_a_module_missing_members_is_refused_by_name():
    half = types.ModuleType("quizsvc.families.half")
    half.NAME, half.VERSION, half.TOPIC = "half", 1, "Nothing"
    with pytest.raises(TypeError, match="half does not define MISCONCEPTIONS, sample, validate"):
        check_module(half)
    assert not isinstance(half, FamilyModule)
