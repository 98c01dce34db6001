"""Family and level names in requests: read without regard to case or surrounding space,
and a name we do not know answered with the names we do and the closest one."""

from __future__ import annotations

import difflib
from typing import Any, Iterable

from marshmallow import ValidationError, fields

from quizsvc import families
from quizsvc.families.base import LEVELS


def closest(word: str, choices: Iterable[str]) -> str | None:
    """Return the choice nearest to `word` (difflib's ratio), or None if none is near."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def unknown_name(kind: str, given: str, allowed: list[str]) -> ValidationError:
    """Return the error for an unknown name: what was given, the closest name, every name."""
    near = closest(given, allowed)
    hint = f"; did you mean {near!r}?" if near else "."
    return ValidationError({"message": f"no {kind} named {given!r}{hint} "
                                       f"Choose one of: {', '.join(allowed)}.",
                            "given": given, "closest": near, "allowed": allowed})


class _Name(fields.String):
    kind = ""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"enum": self.allowed(), **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def allowed(self) -> list[str]:
        raise NotImplementedError

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        name = text.strip().lower()
        if name not in self.allowed():
            raise unknown_name(self.kind, text.strip()[:64], self.allowed())
        return name


class FamilyName(_Name):
    """A problem family's name (see `quizsvc.families.names()`)."""

    kind = "problem family"

    def allowed(self) -> list[str]:
        return families.names()


class LevelName(_Name):
    """A difficulty level: easy, medium or hard."""

    kind = "level"

    def allowed(self) -> list[str]:
        return list(LEVELS)
