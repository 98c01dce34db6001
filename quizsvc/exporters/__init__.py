"""Exports of question banks: Moodle XML, Canvas QTI 1.2, GIFT, our JSON bank and PDF papers.

Each format is one module that registers itself (`registry.register`); adding
a format means adding its module and one line to `BUILTIN`. ``export(problems,
"moodle")`` returns an `ExportResult`: the file's bytes, its name and media
type, how many items it holds, the items the format could not express (each
with the reason) and notes on the settings it could not carry. `formats()`
lists the registry for the CLI, the REST API and the pages. `problems_for`
lists the variants of an ad-hoc export (a family, a level, a count and a
first seed).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from quizsvc import families
from quizsvc.errors import ParamError
from quizsvc.exporters.items import Item, Skipped, build_items
from quizsvc.exporters.registry import (Format, Options, Paper, Policy, Written, formats, get,
                                        names, register, unregister)
from quizsvc.families.problem import Problem

# The format modules shipped with quizsvc, imported so that they register, in this order.
BUILTIN = ("moodle", "qti12", "gift", "jsonbank", "pdf")
STYLES = ("typed", "choice")

for _module in BUILTIN:
    importlib.import_module(f"quizsvc.exporters.{_module}")


def __getattr__(name: str) -> Any:
    if name == "FORMATS":  # the names registered now (tests and plugins may add some)
        return names()
    raise AttributeError(name)


@dataclass
class ExportResult:
    """An exported file and what went into it."""

    data: bytes
    format: str
    filename: str
    media_type: str
    count: int
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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


def check_style(style: str) -> None:
    """Refuse an unknown style with a clear error."""
    if style not in STYLES:
        raise ParamError(f"style must be one of {', '.join(STYLES)}, got {style!r}",
                         errors={"style": "unknown style"})


def export(problems: Iterable[Problem], fmt: str, *, title: str = "quizsvc bank",
           style: str = "typed", pick: int | dict[tuple[str, str], int] | None = 1,
           policy: Policy | None = None, mode: str = "worksheet",
           papers: list[tuple[str, str, list[Problem]]] | None = None,
           extra: dict[str, Any] | None = None, progress: Callable[[int], None] | None = None) -> ExportResult:
    """Export `problems` in format `fmt`; `progress(n)` is told of every n problems read.

    `style` "choice" makes every item with a catalogued mistake multiple choice. `pick` is how
    many questions Canvas draws from each family and level (a number, a number per
    ``(family, level)``, or None for all of them). `policy` is the bank's attempt policy, for
    the formats with quiz settings. `mode` and `papers` ``(code, student, problems)`` are for
    printed papers (PDF): the versions to print.
    """
    writer = get(fmt)
    check_style(style)
    if progress is not None:
        problems = _counting(problems, progress)
    items, skipped = build_items(problems)
    printed = None
    if papers is not None:
        printed = [Paper(code, build_items(ps)[0], student) for code, student, ps in papers]
    options = Options(title=title, style=style, pick=pick, policy=policy, mode=mode, papers=printed,
                      extra=dict(extra or {}))
    written = writer.write(items, options)
    name = _slug(title) + writer.filename_suffix + (written.extension or writer.extension)
    return ExportResult(written.data, fmt, name, written.media_type or writer.media_type, written.count,
                        skipped + written.left_out, written.notes)


def _counting(problems: Iterable[Problem], progress: Callable[[int], None]) -> Iterator[Problem]:
    for p in problems:
        yield p
        progress(1)


__all__ = ["BUILTIN", "STYLES", "ExportResult", "Format", "Item", "Options", "Paper", "Policy",
           "Skipped", "Written", "build_items", "check_style", "export", "formats", "get",
           "names", "problems_for", "register", "unregister"]
