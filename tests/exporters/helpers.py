"""Helpers of the exporter tests: what a student holding a mistake types, and what it should score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quizsvc import families
from quizsvc.families.problem import Problem

REPO = Path(__file__).resolve().parents[2]
_DTD = Path("shared") / "schemas" / "qti12" / "ims_qtiasiv1p2p1.dtd"
# ../shared beside the repository (a worktree sits one level deeper: ../../shared).
QTI_DTD = next((p / _DTD for p in REPO.parents if (p / _DTD).exists()), REPO.parent / _DTD)


def available_families() -> list[str]:
    """Return the registered families whose modules exist yet (others are still being written)."""
    names = []
    for name in families.names():
        try:
            families.get(name)
        except ModuleNotFoundError:
            continue
        names.append(name)
    return names


def qti_dtd():
    """Return the QTI 1.2.1 DTD, or skip the test saying where it was looked for."""
    if not QTI_DTD.exists():
        pytest.skip(f"QTI DTD not found at {QTI_DTD} (the shared schemas folder is absent)")
    from lxml import etree

    return etree.DTD(str(QTI_DTD))


def ident(p: Problem) -> str:
    return f"{p.family}-v{p.version}-s{p.seed}-{p.level}"


def mistakes(p: Problem) -> list[tuple[Any, dict[str, Any]]]:
    """Return (misconception, full buggy answer) for each mistake the engine grades wrong."""
    fam = families.get(p.family)
    spec = fam.answer_spec(p.params)
    out = []
    for m in fam.misconceptions:
        try:
            buggy = m.solve(p.params)
        except ZeroDivisionError:
            continue
        if not buggy:
            continue
        answer = {**p.answer, **{k: v for k, v in buggy.items() if k in p.answer}}
        try:
            grade = fam.grade(p.params, p.answer, spec, answer)
        except Exception:  # a buggy key the engine cannot even read is no student's answer
            continue
        if not grade.correct:
            out.append((m, answer))
    return out


def engine_grade(p: Problem, answer: dict[str, Any]):
    fam = families.get(p.family)
    return fam.grade(p.params, p.answer, fam.answer_spec(p.params), answer)


def typed(value: Any) -> str:
    """Return a number as a student types it."""
    return str(value) if isinstance(value, int) else repr(float(value))


def entries(spec: list[dict[str, Any]], answer: dict[str, Any]) -> list[Any]:
    """Return an answer as one value per answer box, fields in order, matrices row by row."""
    out: list[Any] = []
    for f in spec:
        v = answer[f["name"]]
        if f["kind"] in ("shape", "vector"):
            out += list(v)
        elif f["kind"] == "matrix":
            out += [x for row in v for x in row]
        else:
            out.append(v)
    return out


def same_layout(spec: list[dict[str, Any]], a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Return whether two answers have the same number of entries in every field."""
    for f in spec:
        x, y = a[f["name"]], b[f["name"]]
        if f["kind"] in ("shape", "vector") and len(x) != len(y):
            return False
        if f["kind"] == "matrix" and (len(x) != len(y) or any(len(r) != len(s) for r, s in zip(x, y))):
            return False
    return True
