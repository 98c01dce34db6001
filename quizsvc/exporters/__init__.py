"""Exports of question banks to LMSs: Moodle XML, Canvas QTI 1.2, GIFT and our JSON bank.

``export(problems, "moodle")`` returns an `ExportResult`: the file's bytes, its
name and media type, how many items it holds, and the items the format could
not express, each with the reason. `problems_for` lists the variants of an
ad-hoc export (a family, a level, a count and a first seed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from quizsvc import families
from quizsvc.errors import ParamError
from quizsvc.exporters import gift, jsonbank, moodle, qti12
from quizsvc.exporters.items import Item, Skipped, build_items
from quizsvc.families.problem import Problem

FORMATS = ("moodle", "qti12", "gift", "json")
STYLES = ("typed", "choice")
_FILES = {"moodle": (".xml", "application/xml"), "qti12": (".zip", "application/zip"),
          "gift": (".txt", "text/plain; charset=utf-8"), "json": (".json", "application/json")}


@dataclass
class ExportResult:
    """An exported file and what went into it."""

    data: bytes
    format: str
    filename: str
    media_type: str
    count: int
    skipped: list[Skipped] = field(default_factory=list)


def problems_for(family: str, level: str, count: int, seed: int = 0) -> Iterator[Problem]:
    """Yield `count` variants of a family and level, for seeds ``seed, seed + 1, ...``."""
    fam = families.get(family)
    if count < 1:
        raise ParamError("count must be at least 1", errors={"count": "must be >= 1"})
    fam.check_seed_level(seed, level)
    fam.check_seed_level(seed + count - 1, level)
    for s in range(seed, seed + count):
        yield fam.generate(s, level)


def _slug(title: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    return "-".join(p for p in slug.split("-") if p)[:60] or "quizsvc-bank"


def export(problems: Iterable[Problem], fmt: str, *, title: str = "quizsvc bank",
           style: str = "typed", pick: int | dict[tuple[str, str], int] | None = 1,
           progress: Callable[[int], None] | None = None) -> ExportResult:
    """Export `problems` in format `fmt`; `progress(n)` is told of every n problems read.

    `style` "choice" makes every item with a catalogued mistake multiple choice. `pick` is how
    many questions Canvas draws from each family and level (a number, a number per
    ``(family, level)``, or None for all of them).
    """
    if fmt not in FORMATS:
        raise ParamError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}",
                         errors={"format": "unknown format"})
    if style not in STYLES:
        raise ParamError(f"style must be one of {', '.join(STYLES)}, got {style!r}",
                         errors={"style": "unknown style"})
    if progress is not None:
        problems = _counting(problems, progress)
    ext, media = _FILES[fmt]
    name = _slug(title) + ("-qti" if fmt == "qti12" else "") + ext
    if fmt == "json":
        plist = list(problems)
        return ExportResult(jsonbank.dumps(plist, title=title), fmt, name, media, len(plist))
    items, skipped = build_items(problems)
    if fmt == "moodle":
        data, left_out, count = moodle.export(items, title=title, style=style)
    elif fmt == "gift":
        data, left_out, count = gift.export(items, title=title, style=style)
    else:
        data, left_out, count = qti12.export(items, title=title, style=style, pick=pick)
    return ExportResult(data, fmt, name, media, count, skipped + left_out)


def _counting(problems: Iterable[Problem], progress: Callable[[int], None]) -> Iterator[Problem]:
    for p in problems:
        yield p
        progress(1)


__all__ = ["FORMATS", "STYLES", "ExportResult", "Item", "Skipped", "build_items", "export",
           "problems_for"]
