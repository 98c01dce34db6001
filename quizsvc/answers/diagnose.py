"""Name the mistakes behind a wrong answer: per field, ambiguous ones, two at once, layouts.

A family catalogues its mistakes as buggy keys (`Misconception.solve`). On top
of those the engine knows four layout mistakes that every shape or matrix field
can show (`LAYOUT_MISTAKES`): an extra or a missing leading dimension (a batch
dimension included or dropped), dimensions in the wrong order, a transposed
matrix. A layout mistake may also come on top of a catalogued one: ``1x10x30x30``
for ``10x31x31`` is the batch dimension included *and* the +1 forgotten.

For each wrong field, `field_explanations` lists the code tuples that reproduce
it: ``("forgot_plus_one",)``, ``("extra_leading_dimension",)`` or
``("extra_leading_dimension", "forgot_plus_one")``. `diagnoses` then returns:

1. single mistakes that reproduce every wrong field; *complete* when they do not
   contradict a field answered right (their buggy key agrees there too);
2. when no single mistake is complete, pairs of mistakes that together
   reproduce every wrong field (each field by one of them, or both in one field);

complete diagnoses first, then partial ones; singles before pairs; catalogue order.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

from quizsvc.answers.compare import field_matches
from quizsvc.families.problem import Misconception


def _never(params: dict[str, Any]) -> None:
    return None


LAYOUT_MISTAKES: tuple[Misconception, ...] = (
    Misconception("extra_leading_dimension", "An extra leading dimension",
                  "The answer has one dimension more than asked for, in front of the others, "
                  "like a batch dimension. Give exactly the dimensions the question lists, in "
                  "its order.", _never),
    Misconception("missing_leading_dimension", "Left out the leading dimension",
                  "The answer has one dimension fewer than asked for: the first one is "
                  "missing. Give every dimension the question lists, in its order.", _never),
    Misconception("dimensions_reordered", "Dimensions in the wrong order",
                  "These sizes, in another order, would be the answer: check the order the "
                  "question asks for (PyTorch puts the batch first, then the channels, then "
                  "the spatial sizes).", _never),
    Misconception("transposed_answer", "Transposed the matrix",
                  "The answer is the transpose of what was asked: its rows are the columns "
                  "of the asked matrix. Write one row per row as the question defines them.",
                  _never),
)


def _transpose(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [list(col) for col in zip(*rows)]


def _fits(code: str, kind: str, given: Any, value: Any, tol: Any) -> bool:
    """Return whether `given` is `value` (a key or buggy key field) with layout mistake `code`."""
    if kind == "shape":
        if code == "extra_leading_dimension":
            return len(given) == len(value) + 1 and list(given[1:]) == list(value)
        if code == "missing_leading_dimension":
            return len(given) == len(value) - 1 and list(given) == list(value[1:])
        if code == "dimensions_reordered":
            return (len(given) == len(value) and list(given) != list(value)
                    and sorted(given) == sorted(value))
        return False
    if kind == "matrix" and code == "transposed_answer":
        flipped = _transpose(value)
        return flipped != [list(r) for r in value] and field_matches(kind, given, flipped, tol)
    return False


LAYOUT_CODES = {"shape": ("extra_leading_dimension", "missing_leading_dimension",
                          "dimensions_reordered"),
                "matrix": ("transposed_answer",)}


def field_explanations(field: Any, given: Any, key: Any,
                       buggy: Sequence[tuple[str, dict[str, Any]]]) -> list[tuple[str, ...]]:
    """Return the code tuples that reproduce one wrong field's `given` value.

    `buggy` is ``[(code, buggy_key), ...]`` for the family's mistakes.
    """
    name, kind, tol = field.name, field.kind, getattr(field, "tolerance", None)
    found: list[tuple[str, ...]] = [
        (code,) for code, b in buggy
        if name in b and field_matches(kind, given, b[name], tol)]
    for layout in LAYOUT_CODES.get(kind, ()):
        # A catalogued mistake that gives this very value says more than the generic name.
        if not found and _fits(layout, kind, given, key, tol):
            found.append((layout,))
        found += [(layout, code) for code, b in buggy
                  if name in b and _fits(layout, kind, given, b[name], tol)]
    return found


def diagnoses(spec: Sequence[Any], key: dict[str, Any], parsed: dict[str, Any],
              wrong: Sequence[Any], buggy: Sequence[tuple[str, dict[str, Any]]],
              explained: dict[str, list[tuple[str, ...]]] | None = None
              ) -> list[dict[str, Any]]:
    """Return ``[{"codes": [...], "complete": bool, "fields": {name: [codes]}}]``, best first.

    `wrong` are the answered fields that do not match the key; `explained`, when
    the caller has it, is `field_explanations` of each of them.
    """
    if not wrong:
        return []
    if explained is None:
        explained = {f.name: field_explanations(f, parsed[f.name], key[f.name], buggy)
                     for f in wrong}
    order = [code for code, _ in buggy] + [m.code for m in LAYOUT_MISTAKES]
    rank = {code: i for i, code in enumerate(order)}
    by_code = dict(buggy)
    right = [f for f in spec if f.name in parsed and f not in wrong]

    def contradicts(codes: Sequence[str]) -> bool:
        """Whether a mistake's buggy key disagrees with a field the student answered right."""
        for code in codes:
            b = by_code.get(code)
            if b is None:
                continue
            for f in right:
                if f.name in b and not field_matches(f.kind, parsed[f.name], b[f.name],
                                                     getattr(f, "tolerance", None)):
                    return True
        return False

    def covers(codes: set[str]) -> dict[str, list[str]] | None:
        """Return, per wrong field, the codes of `codes` that explain it, or None if one is not."""
        out = {}
        for f in wrong:
            fits = [e for e in explained[f.name] if set(e) <= codes]
            if not fits:
                return None
            out[f.name] = sorted({c for e in fits for c in e}, key=rank.__getitem__)
        return out

    found: list[dict[str, Any]] = []
    candidates = sorted({c for f in wrong for e in explained[f.name] for c in e},
                        key=rank.__getitem__)
    for code in candidates:
        fields = covers({code})
        if fields is not None:
            found.append({"codes": [code], "complete": not contradicts([code]),
                          "fields": fields})
    if not any(d["complete"] for d in found):
        singles = {d["codes"][0] for d in found}
        for pair in combinations([c for c in candidates if c not in singles], 2):
            fields = covers(set(pair))
            if fields is not None and set(pair) <= {c for cs in fields.values() for c in cs}:
                found.append({"codes": list(pair), "complete": not contradicts(pair),
                              "fields": fields})
    # Complete before partial; then singles before pairs; then catalogue order (sort is stable).
    found.sort(key=lambda d: (not d["complete"], len(d["codes"])))
    return found

