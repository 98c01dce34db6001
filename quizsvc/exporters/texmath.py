"""LaTeX math, as the problem families write it, converted to Typst math.

Exactly the constructs the families emit: ``\\frac``, ``\\sqrt``, ``\\hat``,
``\\text``, sub- and superscripts, ``bmatrix`` (and ``pmatrix``, ``vmatrix``),
``\\left``/``\\right`` and the sizing commands (Typst sizes fences itself),
floor and ceiling brackets, Greek letters and the operators and spaces of
`SYMBOLS`. Anything else raises `TexError`, so that a family emitting a new
construct fails its tests instead of printing raw LaTeX; the tests convert and
compile every formula of every family, level and many seeds.

Why not a library: `tex2typst` (PyPI) converts offline, but through a
JavaScript engine at ~3-10 ms a formula, so a 30-student exam would spend a
minute converting; this converter takes microseconds.
"""

from __future__ import annotations

import re
from functools import lru_cache

SYMBOLS = {
    "alpha": "alpha", "beta": "beta", "gamma": "gamma", "delta": "delta", "epsilon": "epsilon.alt",
    "varepsilon": "epsilon", "eta": "eta", "theta": "theta", "lambda": "lambda", "mu": "mu",
    "nu": "nu", "pi": "pi", "rho": "rho", "sigma": "sigma", "tau": "tau", "phi": "phi.alt",
    "varphi": "phi", "omega": "omega", "Gamma": "Gamma", "Delta": "Delta", "Sigma": "Sigma", "Omega": "Omega",
    "partial": "partial", "nabla": "nabla", "sum": "sum", "prod": "product", "infty": "infinity",
    "times": "times", "cdot": "dot.op", "odot": "dot.o", "otimes": "times.o", "circ": "compose",
    "pm": "plus.minus", "div": "div", "lVert": "bar.double", "rVert": "bar.double",
    "dots": "dots.h", "ldots": "dots.h", "cdots": "dots.c", "vdots": "dots.v",
    "le": "<=", "leq": "<=", "ge": ">=", "geq": ">=", "ne": "!=", "neq": "!=", "approx": "approx",
    "to": "->", "rightarrow": "->", "implies": "==>", "iff": "<==>", "in": "in",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "langle": "⟨", "rangle": "⟩",
    "quad": "quad", "qquad": "wide", ",": "thin", ";": "med", ":": "med", " ": "space",
    "!": "", "{": "\\{", "}": "\\}", "_": "\\_", "&": "\\&", "%": "%", "#": "\\#", "|": "||",
    "log": 'op("log")', "exp": 'op("exp")', "max": 'op("max")', "min": 'op("min")',
}
IGNORED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
           "displaystyle", "limits"}
ONE_ARG = {"sqrt": "sqrt", "hat": "hat", "bar": "overline", "overline": "overline",
           "tilde": "tilde", "vec": "arrow", "mathbf": "bold", "boldsymbol": "bold",
           "mathrm": "upright", "mathbb": "bb", "operatorname": "op"}
DELIMS = {"bmatrix": '"["', "pmatrix": '"("', "vmatrix": '"|"', "Bmatrix": '"{"', "matrix": "#none"}
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\d+(?:\.\d+)?)|([A-Za-z])|(\s+)|(.)", re.S)
# Characters that are Typst math syntax where LaTeX means them literally.
_LITERAL = {",": "\\,", "/": "\\/", '"': '\\"', "#": "\\#", "$": "\\$", ";": "\\;", "~": " ", "'": "'",
            "\\": "\\\\", "@": "\\@", "*": "\\*"}


class TexError(ValueError):
    """LaTeX this converter does not know (a construct no family emitted before)."""


class _Parser:
    def __init__(self, tex: str) -> None:
        self.tokens = [(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5))
                       for m in _TOKEN.finditer(tex)]
        self.pos = 0

    def peek(self):  # noqa: ANN201
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self):  # noqa: ANN201
        tok = self.peek()
        if tok is None:
            raise TexError("unexpected end of formula")
        self.pos += 1
        return tok

    def skip_space(self) -> None:
        while (tok := self.peek()) is not None and tok[3] is not None:
            self.pos += 1

    def argument(self) -> str:
        """Return one argument (a group or a single token) as Typst."""
        self.skip_space()
        tok = self.next()
        if tok[4] == "{":
            return self.sequence(until="}")
        self.pos -= 1
        return self.atom(self.next())

    def raw_group(self) -> str:
        """Return the literal text of a ``{...}`` group (for \\text and environment names)."""
        self.skip_space()
        if self.next()[4] != "{":
            raise TexError("expected {")
        depth, out = 1, []
        while True:
            cmd, num, letter, space, other = self.next()
            if other == "{":
                depth += 1
            elif other == "}":
                depth -= 1
                if depth == 0:
                    return "".join(out)
            out.append(("" if cmd in "{}_&%#$ " else "\\") + cmd if cmd is not None
                       else num or letter or space or other)

    def sequence(self, until: str | None = None, cells: bool = False) -> str:
        """Return atoms up to `until` (consumed) or the end; with `cells`, a matrix body."""
        out: list[str] = []
        rows: list[list[str]] = [[]]
        while True:
            tok = self.peek()
            if tok is None:
                if until is not None:
                    raise TexError(f"missing {until}")
                break
            cmd, num, letter, space, other = tok
            if other == until and until is not None and not cells:
                self.pos += 1
                break
            if cells and cmd == "end":
                break
            self.pos += 1
            if space is not None:
                continue
            if cells and other == "&":
                rows[-1].append(" ".join(out))
                out = []
                continue
            if cells and cmd == "\\":
                rows[-1].append(" ".join(out))
                rows.append([])
                out = []
                continue
            atom = self.atom(tok)
            if atom[:2] in ("^(", "_(") and out:
                out[-1] += atom  # attached to what precedes it, as LaTeX does
            else:
                out.append(atom)
        if cells:
            rows[-1].append(" ".join(out))
            rows = [r for r in rows if any(c.strip() for c in r)]
            return " ; ".join(" , ".join(_arg(c) or "#none" for c in row) for row in rows)
        return " ".join(o for o in out if o)

    def atom(self, tok) -> str:  # noqa: ANN001
        cmd, num, letter, space, other = tok
        if num is not None or letter is not None:
            return num or letter
        if other is not None:
            if other in "^_":
                return other + "(" + self.argument() + ")"
            if other == "{":  # a bare group: Typst needs none
                return self.sequence(until="}")
            if other in "}&":
                raise TexError(f"unexpected {other}")
            return _LITERAL.get(other, other)
        if cmd in IGNORED:
            return ""
        if cmd == "frac":
            num_, den = self.argument(), self.argument()
            return f"frac({_arg(num_)}, {_arg(den)})"
        if cmd in ONE_ARG:
            return f"{ONE_ARG[cmd]}({_arg(self.argument())})"
        if cmd == "text":
            body = self.raw_group().replace("\\", "")
            return '"' + body.replace('"', '\\"') + '"'
        if cmd == "begin":
            env = self.raw_group()
            if env not in DELIMS:
                raise TexError(f"unknown environment {env}")
            body = self.sequence(cells=True)
            self.next()  # \end
            if self.raw_group() != env:
                raise TexError(f"\\begin{{{env}}} closed by another environment")
            return f"mat(delim: {DELIMS[env]}, {body})"
        if cmd in SYMBOLS:
            return SYMBOLS[cmd]
        raise TexError(f"unknown LaTeX command \\{cmd}")


def _arg(typst_math: str) -> str:
    """Return Typst math as a function argument (literal commas are already escaped)."""
    return typst_math.strip()


@lru_cache(maxsize=16384)  # the same formulas recur in every variant of a family
def convert(tex: str) -> str:
    """Return LaTeX math as the body of a Typst equation; `TexError` if a construct is unknown."""
    return _Parser(tex).sequence()
