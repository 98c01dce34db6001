"""The registry of export formats: each format module registers one `Format`.

A format is one function, ``write(items, options) -> Written``: the items of a
bank in, the file's bytes out, with what it left out and why. Formats never
import each other; what two of them share lives in `common`, `items` or
`markup`. The CLI, the REST export and the pages list `formats()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from quizsvc.errors import ParamError
from quizsvc.exporters.items import Item, Skipped

Pick = int | dict[tuple[str, str], int] | None  # questions an LMS draws per family and level


@dataclass(frozen=True)
class Policy:
    """The attempt policy of a bank, for the formats that carry quiz settings."""

    max_attempts: int | None  # None: unlimited
    show_key: str


@dataclass(frozen=True)
class Paper:
    """One printed version of a bank: its code, who it is for, and its items."""

    code: str
    items: list[Item]
    student: str = ""


@dataclass
class Options:
    """What a format may be told besides the items; each format reads what it needs."""

    title: str = "quizsvc bank"
    style: str = "typed"
    pick: Pick = 1
    policy: Policy | None = None
    mode: str = "worksheet"             # pdf: worksheet | exam | key
    papers: list[Paper] | None = None   # pdf: the versions to print (default: one of the items)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Written:
    """What a format wrote: bytes, items written, items left out, and settings it could not carry."""

    data: bytes
    count: int
    left_out: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    media_type: str | None = None   # when this file is not the format's usual type (a zip of PDFs)
    extension: str | None = None


@dataclass(frozen=True)
class Format:
    """An export format: its name, file type, a one-line description and its writer."""

    name: str
    label: str
    media_type: str
    extension: str           # with the dot: ".xml"
    write: Callable[[list[Item], Options], Written]
    description: str = ""
    filename_suffix: str = ""  # before the extension: "-qti"

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "label": self.label, "media_type": self.media_type,
                "extension": self.extension, "description": self.description}


_FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add (or replace) a format; return it."""
    _FORMATS[fmt.name] = fmt
    return fmt


def unregister(name: str) -> None:
    """Remove a format (tests register their own and take it away again)."""
    _FORMATS.pop(name, None)


def formats() -> list[Format]:
    """Return every registered format, in registration order."""
    return list(_FORMATS.values())


def names() -> tuple[str, ...]:
    """Return the names of the registered formats."""
    return tuple(_FORMATS)


def get(name: str) -> Format:
    """Return the format called `name`, or raise `ParamError` listing the others."""
    fmt = _FORMATS.get(name)
    if fmt is None:
        raise ParamError(f"format must be one of {', '.join(_FORMATS)}, got {name!r}",
                         errors={"format": "unknown format"})
    return fmt
