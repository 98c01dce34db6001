"""Parse typed answers: ``12``, ``3/4``, ``1e-3``, ``[2, -1, 3]``, ``1 2; 3 4``, ``31x31x10``.

Every parser either returns a value or raises `AnswerError` with a message a
student can act on; no input makes them raise anything else.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import Any

from quizsvc.answers import symbolic
from quizsvc.errors import AnswerError

MAX_ANSWER_CHARS = 20_000
MAX_ENTRIES = 4_096
MAX_MAGNITUDE = 10**30  # far above any key, far below float overflow (compare works in floats)

# What people paste from documents and phones: minus signs and dashes, the spaces of
# typesetting (non-breaking, thin, narrow, ideographic), zero-width characters, the
# multiplication sign, and full-width ASCII (a full-width comma or digit) from CJK input.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
          "\u202f\u205f\u3000"
_UNICODE = {**{ord(c): "-" for c in _DASHES}, **{ord(c): " " for c in _SPACES},
            **{c: None for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)},
            **{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)},
            0xD7: "x", 0x2715: "x", 0x2217: "*", 0x22C5: "*", 0x3001: ",", 0x2044: "/",
            0x2215: "/"}
_MINUS = str.maketrans(_UNICODE)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")
_FRACTION = re.compile(r"^([+-]?\d{1,30})\s*/\s*([+-]?\d{1,30})$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_OPEN, _CLOSE = "([{", ")]}"
_BRACKET = re.compile(r"[\[\](){}]")
# A shape of plain whole numbers, bare or in one pair of brackets; parse_shape reads it at once.
_SHAPE_BODY = r"\d{1,30}(?:[xX*,\s]+\d{1,30})*"
_PLAIN_SHAPE = re.compile(rf"(?:{_SHAPE_BODY}|\[\s*{_SHAPE_BODY}\s*\]|\(\s*{_SHAPE_BODY}\s*\))\Z")
_DIGITS = re.compile(r"\d+")
_TORCH_SIZE = re.compile(r"(?:torch\.)?Size\s*\((.*)\)\Z", re.IGNORECASE | re.DOTALL)
_TOO_LARGE = "that number is too large (at most 1e30 in magnitude)"


def _clean(text: str) -> str:
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerError(f"answer is too long ({len(text)} characters; at most {MAX_ANSWER_CHARS})")
    return text.translate(_MINUS).strip()


def _decimal(text: str, match: re.Match[str]) -> Fraction:
    """Return the exact value of a `_NUMBER` match: ``Fraction(text)``, without its second regex."""
    whole, _, frac = match.group(1).partition(".")
    digits = int(whole + frac)  # _NUMBER guarantees at least one digit
    if text[0] == "-":
        digits = -digits
    exp = match.group(3)
    shift = (int(exp[1:]) if exp else 0) - len(frac)
    return Fraction(digits * 10**shift) if shift >= 0 else Fraction(digits, 10**-shift)


def parse_number(value: Any, *, percent: bool = False) -> Fraction:
    """Return an exact `Fraction` for a number typed as ``12``, ``-3``, ``3/4`` or ``1e-3``.

    With `percent`, ``72%`` is read as 0.72 (for fields that are fractions).
    """
    if isinstance(value, bool):
        raise AnswerError("expected a number, got true/false")
    if isinstance(value, int):
        if abs(value) > MAX_MAGNITUDE:
            raise AnswerError(_TOO_LARGE)
        return Fraction(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise AnswerError("expected a finite number")
        if abs(value) > MAX_MAGNITUDE:
            raise AnswerError(_TOO_LARGE)
        return Fraction(value)
    if not isinstance(value, str):
        raise AnswerError(f"expected a number, got {type(value).__name__}")
    text = _clean(value).replace(" ", "")
    if not text:
        raise AnswerError("the answer is empty")
    if text.endswith("%") and len(text) > 1:
        if not percent:
            raise AnswerError(f"{value.strip()[:40]!r}: a percentage is not accepted here; "
                              "write the number itself")
        return parse_number(text[:-1]) / 100
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if len(text) > 64:
        raise AnswerError("a number may have at most 64 characters")
    decimal = _NUMBER.match(text)
    if decimal:
        number = _decimal(text, decimal)
        if abs(number.numerator) > MAX_MAGNITUDE * number.denominator:
            raise AnswerError(_TOO_LARGE)
        return number
    match = _FRACTION.match(text)
    if match:
        num, den = int(match.group(1)), int(match.group(2))
        if den == 0:
            raise AnswerError(f"{value!r} divides by zero")
        return Fraction(num, den)
    raise AnswerError(f"{value.strip()[:40]!r} is not a number; write it like 12, -3, 3/4 or 1e-3")


def _strip_brackets(text: str) -> str:
    """Remove the bracket pairs that enclose the whole text: ``((1, 2))`` -> ``1, 2``.

    "[1, 2], [3, 4]" keeps its row brackets: a pair is stripped only when the first
    bracket's partner is the last character. Partners are found in one pass, so deeply
    nested input costs linear time, not quadratic.
    """
    text = text.strip()
    if not text or text[0] not in _OPEN:
        return text
    partner: dict[int, int] = {}
    opened: list[int] = []
    for bracket in _BRACKET.finditer(text):  # visits the brackets only, not every character
        pos = bracket.start()
        if text[pos] in _OPEN:
            opened.append(pos)
        elif opened:
            partner[opened.pop()] = pos
    i, j = 0, len(text) - 1
    while i < j and text[i] in _OPEN and text[j] == _CLOSE[_OPEN.index(text[i])] \
            and partner.get(i) == j:
        i, j = i + 1, j - 1
        while i <= j and text[i].isspace():
            i += 1
        while j >= i and text[j].isspace():
            j -= 1
    return text[i:j + 1]


def _entry(token: str) -> Fraction:
    """Return `parse_number(token)` for a token of cleaned text split at commas and spaces.

    Such a token needs no cleaning, so a plain decimal skips straight to its value;
    anything else goes through `parse_number` for the same value or the same error.
    """
    digits = token[1:] if token[:1] == "-" else token
    if digits.isascii() and digits.isdigit() and len(digits) <= 30:  # a plain integer, < 1e30
        return Fraction(int(token))
    decimal = _NUMBER.match(token)
    if decimal and len(token) <= 64:
        number = _decimal(token, decimal)
        if abs(number.numerator) <= MAX_MAGNITUDE * number.denominator:
            return number
    return parse_number(token)


def _split_entries(text: str) -> list[str]:
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    if len(parts) > MAX_ENTRIES:
        raise AnswerError(f"too many entries ({len(parts)}; at most {MAX_ENTRIES})")
    return parts


def parse_vector(value: Any) -> list[Fraction]:
    """Return the entries of a vector typed as ``[2, -1, 3]``, ``2 -1 3`` or ``(2, -1, 3)``."""
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ENTRIES:
            raise AnswerError(f"too many entries ({len(value)}; at most {MAX_ENTRIES})")
        if value and all(isinstance(v, (list, tuple)) for v in value):
            if len(value) == 1:  # [[2, -1, 3]]: one row
                return parse_vector(value[0])
            if all(len(v) == 1 for v in value):  # [[2], [-1], [3]]: one column
                return parse_vector([v[0] for v in value])
        if any(isinstance(v, (list, tuple)) for v in value):
            raise AnswerError("expected a vector (one row of numbers), got a nested list")
        return [parse_number(v) for v in value]
    if not isinstance(value, str):
        return [parse_number(value)]
    text = _clean(value)
    if text.endswith(("^T", "'")):  # [1 2 3]^T or [1 2 3]': the same entries
        text = text[:-2] if text.endswith("^T") else text[:-1]
    inner = _strip_brackets(text)
    if any(ch in inner for ch in "[]();{}\n"):
        # Rows or a column, as the prompt may show it: [a; b; c], [[a], [b], [c]], one a line.
        try:
            rows = _parse_rows(text)
        except AnswerError:
            rows = []
        if len(rows) == 1:
            return rows[0]
        if rows and all(len(r) == 1 for r in rows):
            return [r[0] for r in rows]
        raise AnswerError("expected a vector: one row like [2, -1, 3] or one column like "
                          "[2; -1; 3], not several rows of several numbers")
    text = inner
    parts = _split_entries(text)
    if not parts:
        raise AnswerError("the answer is empty")
    return [_entry(p) for p in parts]


def _rows_from_text(text: str) -> list[str]:
    stripped = _strip_brackets(text)
    if "[" in stripped or "(" in stripped:
        # Rows in brackets: "[1, 2], [3, 4]" or "[1 2] [3 4]".
        rows = re.findall(r"[\[(]([^\[\]()]*)[\])]", stripped)
        leftover = re.sub(r"[\[(][^\[\]()]*[\])]", "", stripped)
        if leftover.strip(" ,;\n\t") or not rows:
            raise AnswerError("could not read the matrix; write it like [[1, 2], [3, 4]] or 1 2; 3 4")
        return rows
    rows = [r for r in re.split(r"[;\n]", stripped) if r.strip()]
    return rows


def parse_matrix(value: Any, shape: tuple[int, int] | None = None, *,
                 symmetric: bool = False) -> list[list[Fraction]]:
    """Return the rows of a matrix typed as ``[[1, 2], [3, 4]]``, ``1 2; 3 4`` or one row a line.

    A flat list (``[1, 2, 3, 4]``, ``1 2 3 4``) is one row, unless `shape` (rows,
    cols) is known and the list has rows x cols entries: then it is read row by
    row. With `symmetric` (rows of [before, after] that may be given as one
    number per row, as PyTorch's ``padding=(1, 1)``), ``1`` or ``[1, 2]`` mean
    ``[[1, 1], ...]`` or ``[[1, 1], [2, 2]]`` when `shape` has that many rows.
    """
    rows = _parse_rows(value)
    if shape is not None and len(rows) == 1:
        flat, (r, c) = rows[0], shape
        if symmetric and c == 2 and len(flat) in (1, r) and not (r == 1 and len(flat) == 2):
            return [[v, v] for v in (flat * r if len(flat) == 1 else flat)]
        if r > 1 and len(flat) == r * c:
            return [flat[i * c:(i + 1) * c] for i in range(r)]
    return rows


def _parse_rows(value: Any) -> list[list[Fraction]]:
    if isinstance(value, (int, float, Fraction)) and not isinstance(value, bool):
        return [[parse_number(value)]]
    if isinstance(value, str):
        text = _clean(value)
        if not text:
            raise AnswerError("the answer is empty")
        if text.startswith("[["):
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                value = None
            if isinstance(value, list):
                return parse_matrix(value)
        rows = [_split_entries(r) for r in _rows_from_text(text)]
        rows = [r for r in rows if r]
        if not rows:
            raise AnswerError("the answer is empty")
        value = rows
        entry = _entry  # tokens of cleaned text
    else:
        entry = parse_number
    if not isinstance(value, (list, tuple)) or not value:
        raise AnswerError("expected a matrix like [[1, 2], [3, 4]]")
    if not all(isinstance(r, (list, tuple)) for r in value):
        if any(isinstance(r, (list, tuple)) for r in value):
            raise AnswerError("mixed numbers and rows; write every row in brackets")
        value = [value]  # a single row typed flat (a flat list is a row, never a column)
    if sum(len(r) for r in value) > MAX_ENTRIES:
        raise AnswerError(f"too many entries (at most {MAX_ENTRIES})")
    width = len(value[0])
    for i, row in enumerate(value):
        if len(row) != width:
            raise AnswerError(f"row {i + 1} has {len(row)} entries but row 1 has {width}; "
                              "every row needs the same length")
    return [[entry(v) for v in row] for row in value]


def parse_shape(value: Any) -> list[int]:
    """Return the sizes of a shape typed as ``31x31x10``, ``(32, 126, 126)`` or ``[4, 16]``."""
    if isinstance(value, (list, tuple)):
        if len(value) > 8:
            raise AnswerError("a shape has at most 8 dimensions")
        entries = [parse_number(v) for v in value]
    elif isinstance(value, int) and not isinstance(value, bool):
        entries = [parse_number(value)]
    elif isinstance(value, str):
        text = _clean(value)
        size = _TORCH_SIZE.match(text)
        if size:  # torch.Size([4, 14, 14]), as printing a tensor's .shape shows it
            text = size.group(1).strip()
        plain = _PLAIN_SHAPE.match(text)
        if plain:  # the usual "31x31x10" or "[32, 126, 126]": whole numbers, nothing to check
            sizes = [int(d) for d in _DIGITS.findall(text)]
            if len(sizes) <= 8:
                return sizes
        text = _strip_brackets(text)
        if any(ch in text for ch in "[](){};"):
            raise AnswerError("write a shape like 31x31x10 or (32, 126, 126)")
        parts = [p for p in re.split(r"[xX*,\s]+", text) if p]
        if not parts:
            raise AnswerError("the answer is empty")
        if len(parts) > 8:
            raise AnswerError("a shape has at most 8 dimensions")
        entries = []
        for part in parts:  # tokens of cleaned text
            try:
                entries.append(_entry(part))
            except AnswerError:
                raise AnswerError(f"{part[:40]!r} is not a size; write a shape like 31x31x10 "
                                  "or (32, 126, 126)") from None
    else:
        raise AnswerError("write a shape like 31x31x10 or (32, 126, 126)")
    if len(entries) > 8:
        raise AnswerError("a shape has at most 8 dimensions")
    sizes = []
    for e in entries:
        if e.denominator != 1:
            raise AnswerError(f"a size must be a whole number, got {e}")
        sizes.append(int(e))
    return sizes


def parse_choice(value: Any, choices: tuple[str, ...], multiple: bool) -> str | list[str]:
    """Return the choice (or, with `multiple`, the set of choices in catalogue order)."""
    lookup = {c.lower(): c for c in choices}
    if multiple:
        if isinstance(value, (list, tuple)):
            items = [str(v) for v in value]
        elif isinstance(value, str):
            text = _strip_brackets(_clean(value))
            items = [p for p in re.split(r"[,\s;]+", text) if p]
            if len(items) == 1 and items[0].lower() not in lookup and all(len(c) == 1 for c in choices):
                items = list(items[0])  # "NHW"
        else:
            raise AnswerError("expected a list of choices")
        if len(items) > len(choices) * 2:
            raise AnswerError("too many choices")
        picked = set()
        for item in items:
            key = item.strip().lower()
            if key not in lookup:
                raise AnswerError(f"{item[:40]!r} is not one of {', '.join(choices)}")
            picked.add(lookup[key])
        if not picked:
            raise AnswerError("the answer is empty")
        return [c for c in choices if c in picked]
    if not isinstance(value, str):
        value = str(value)
    key = _clean(value).strip().lower()
    if key in lookup:
        return lookup[key]
    raise AnswerError(f"{value.strip()[:40]!r} is not one of: {'; '.join(choices)}")


def parse_field(kind: str, value: Any, *, choices: tuple[str, ...] | None = None,
                multiple: bool = False, shape: tuple[int, ...] | None = None,
                symmetric: bool = False) -> Any:
    """Parse one answer field of the given kind.

    `shape` is the layout the key has, when known (a matrix's (rows, cols)): it
    lets a flat list be read row by row; `symmetric` is `AnswerField.symmetric`.
    """
    if value is None:
        raise AnswerError("the answer is empty")
    if kind in ("integer", "number"):
        return parse_number(value, percent=kind == "number")
    if kind == "vector":
        return parse_vector(value)
    if kind == "matrix":
        return parse_matrix(value, shape if shape and len(shape) == 2 else None,  # type: ignore[arg-type]
                            symmetric=symmetric)
    if kind == "shape":
        return parse_shape(value)
    if kind == "choice":
        return parse_choice(value, choices or (), multiple)
    if kind == "expression":  # linear expressions in symbols; `choices` are the symbols allowed
        return symbolic.parse_expression(value, choices)
    raise ValueError(f"unknown field kind {kind!r}")
