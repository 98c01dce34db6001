"""Linear expressions in named symbols: ``k1*x1 + k2*x2``, ``k_1x_1 + k_2 x_2``, ``2 w3 - x_{10}``.

An expression is read as a sum of terms; a term is a product of numbers and symbols. A symbol is
one letter with an optional index (``k1``, ``k_1``, ``k_{1}``, ``k[1]`` are the same symbol
``k1``), so symbols may be written side by side without ``*``. The parsed value is a mapping from
monomials (the sorted symbols of a product, joined by ``*``) to exact `Fraction` coefficients;
terms with the same monomial are added and zero coefficients dropped, so the order of terms and
of factors does not matter. Grading compares coefficients, monomial by monomial.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache
from typing import Any

from quizsvc.errors import AnswerError

MAX_CHARS = 2_000
MAX_TERMS = 256

Expr = dict[str, Fraction]


class Expression(dict):
    """Parsed coefficients (a dict, monomial -> Fraction) that print as the expression reads back."""

    def __str__(self) -> str:
        return to_text(self)

    __repr__ = __str__

_SPACES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00b7": "*", "\u22c5": "*", "\u00d7": "*",
                         "\u2009": " ", "\u00a0": " ", "\u2217": "*"})
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<symbol>[A-Za-z])(?:_?(?:\{\s*(?P<braced>\d+)\s*\}|(?P<plain>\d+))|\[\s*(?P<bracket>\d+)\s*\])?
  | (?P<op>[-+*/^])
  | (?P<bad>.)
""", re.VERBOSE)


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if m.group("symbol"):
            index = m.group("braced") or m.group("plain") or m.group("bracket") or ""
            out.append(("symbol", m.group("symbol") + str(int(index)) if index else m.group("symbol")))
        elif kind == "space":
            continue
        elif kind == "bad":
            ch = m.group()
            if ch in "()":
                raise AnswerError("write the expression expanded, without parentheses, "
                                  "like k1*x1 + k2*x2")
            raise AnswerError(f"{ch!r} cannot appear in an expression; write it like k1*x1 + k2*x2")
        else:
            out.append((kind, m.group()))  # type: ignore[arg-type]
    return out


def parse_expression(value: Any, symbols: tuple[str, ...] | None = None) -> Expr:
    """Return the coefficients of an expression typed as text (see the module doc).

    `symbols`, when given, are the only symbols allowed (after normalisation); another one is an
    `AnswerError` naming it, so that a typo costs no attempt.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise AnswerError("expected an expression like k1*x1 + k2*x2")
    text = str(value).translate(_SPACES).strip()
    if len(text) > MAX_CHARS:
        raise AnswerError(f"the expression is too long (at most {MAX_CHARS} characters)")
    if not text:
        raise AnswerError("the answer is empty")
    tokens = _tokens(text)
    out: Expr = {}
    i, terms = 0, 0
    while i < len(tokens):
        sign = 1
        while i < len(tokens) and tokens[i] in (("op", "+"), ("op", "-")):
            sign = -sign if tokens[i][1] == "-" else sign
            i += 1
        coef, names, i = _term(tokens, i)
        terms += 1
        if terms > MAX_TERMS:
            raise AnswerError(f"too many terms (at most {MAX_TERMS})")
        if symbols is not None:
            unknown = [n for n in names if n not in symbols]
            if unknown:
                raise AnswerError(f"{unknown[0]!r} is not a symbol of this problem; "
                                  f"use {', '.join(symbols)}")
        mono = "*".join(sorted(names, key=_order))
        out[mono] = out.get(mono, Fraction(0)) + sign * coef
        if i < len(tokens) and tokens[i][1] not in "+-":
            raise AnswerError(f"unexpected {tokens[i][1]!r}; separate terms with + or -")
    return Expression({m: c for m, c in out.items() if c != 0})


def _term(tokens: list[tuple[str, str]], i: int) -> tuple[Fraction, list[str], int]:
    """Read one product starting at `i`: return its coefficient, its symbols and where it ends."""
    coef, names, factors = Fraction(1), [], 0
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "op" and text in "+-":
            break
        if kind == "op" and text == "*":
            if not factors or i + 1 >= len(tokens) or tokens[i + 1][0] == "op":
                raise AnswerError("a '*' needs a factor on both sides")
            i += 1
            continue
        if kind == "op" and text == "/":
            if not factors or i + 1 >= len(tokens) or tokens[i + 1][0] != "number":
                raise AnswerError("only a number may follow '/', like k1*x1/2")
            d = Fraction(tokens[i + 1][1])
            if d == 0:
                raise AnswerError("the expression divides by zero")
            coef /= d
            i += 2
            continue
        if kind == "op" and text == "^":
            if not names or i + 1 >= len(tokens) or tokens[i + 1][0] != "number" \
                    or not tokens[i + 1][1].isdigit() or not 1 <= int(tokens[i + 1][1]) <= 9:
                raise AnswerError("a power is written like x1^2, with a whole exponent 1 to 9")
            names += [names[-1]] * (int(tokens[i + 1][1]) - 1)
            i += 2
            continue
        if kind == "number":
            if len(text) > 30:
                raise AnswerError("a number may have at most 30 digits")
            coef *= Fraction(text)
        else:
            names.append(text)
        factors += 1
        i += 1
    if not factors:
        raise AnswerError("a term is missing; write the expression like k1*x1 + k2*x2")
    return coef, names, i


def _order(name: str) -> tuple[str, int]:
    """Sort symbols by letter, then by index as a number (x2 before x10)."""
    return (name[0], int(name[1:]) if name[1:] else -1)


def to_text(expr: Expr) -> str:
    """Return an expression as it reads back: ``k1*x1 + k2*x2 - 2*k3*x3``; ``0`` when empty."""
    parts = []
    for mono in sorted(expr, key=lambda m: [_order(n) for n in m.split("*")] if m else []):
        c = expr[mono]
        mag = -c if c < 0 else c
        body = mono if mag == 1 and mono else (f"{_num(mag)}*{mono}" if mono else _num(mag))
        parts.append(("- " if c < 0 else "+ ") + body)
    if not parts:
        return "0"
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else "-" + text[1:]


def _num(f: Fraction) -> str:
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def linear(terms: list[tuple[int | Fraction, list[str]]]) -> str:
    """Return the text of the sum of ``coefficient * product(symbols)`` terms (for keys)."""
    expr: Expr = {}
    for c, names in terms:
        mono = "*".join(sorted(names, key=_order))
        expr[mono] = expr.get(mono, Fraction(0)) + Fraction(c)
    return to_text({m: c for m, c in expr.items() if c != 0})


@lru_cache(maxsize=4096)
def _key_expr(text: str) -> tuple[tuple[str, Fraction], ...]:
    return tuple(parse_expression(text).items())


def as_expr(value: Any) -> Expr:
    """Return a key (text) or an already-parsed answer as coefficients."""
    if isinstance(value, dict):
        return value
    return dict(_key_expr(str(value)))


def compare(given: Any, key: Any) -> tuple[float, bool, str]:
    """Return ``(score, correct, feedback)``: the share of monomials whose coefficient is right."""
    g, k = as_expr(given), as_expr(key)
    monos = set(g) | set(k)
    if g == k:
        return 1.0, True, "correct"
    hits = sum(g.get(m) == k.get(m) for m in monos)
    missing = sorted(set(k) - set(g))
    extra = sorted(set(g) - set(k))
    notes = []
    if missing:
        notes.append(_count(len(missing), "term") + " missing")
    if extra:
        notes.append(_count(len(extra), "term") + (" that does" if len(extra) == 1 else " that do")
                     + " not belong")
    wrong = [m for m in set(g) & set(k) if g[m] != k[m]]
    if wrong:
        notes.append(_count(len(wrong), "coefficient") + " wrong")
    return hits / len(monos), False, "; ".join(notes)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def matches(given: Any, key: Any) -> bool:
    """Return whether two expressions have the same coefficients."""
    return as_expr(given) == as_expr(key)
