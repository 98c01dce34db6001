"""Turn a generated `Problem` into an exportable item that every format reads.

An item holds the prompt and worked solution as HTML, the answer split into
*blanks* (one per number to type, each with its tolerance, its weight and the
wrong values the family's catalogued mistakes produce) and the *options* of a
multiple-choice version (the key and the mistakes' distinct buggy keys). Its
identifier names the exact variant: ``conv_output_shape-v1-s42-easy``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Literal

from quizsvc.answers.compare import compare_field, tolerance_for
from quizsvc.answers.parse import parse_field
from quizsvc.exporters.markup import escape, inline, plain_number, to_html
from quizsvc.families import get as get_family
from quizsvc.families.problem import Figure, Problem

Form = Literal["numerical", "choice", "blanks"]

MAX_EXACT_INT = 2**53      # beyond this, LMSs comparing floats cannot tell n from n + 1
MAX_WEIGHT_LCM = 1000      # largest cloze weight we emit to reproduce per-field partial credit
MAX_WRONGS_PER_BLANK = 8
MAX_SET_CHOICES = 5        # up to 2^5 - 1 = 31 candidate sets offered for a "tick all" field
_IDENT = re.compile(r"^(?P<family>[a-z][a-z0-9_]*)-v(?P<version>\d+)-s(?P<seed>\d+)-(?P<level>[a-z]+)"
                    r"(?:-p(?P<params>[0-9a-f]{10}))?$")
_SAFE = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Skipped:
    """An item a format could not express, and why."""

    ident: str
    reason: str


@dataclass(frozen=True)
class Wrong:
    """A wrong value for one blank that a catalogued mistake produces."""

    value: Any
    feedback: str  # HTML
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Blank:
    """One answer box: a number (with tolerance) or a choice."""

    name: str               # [A-Za-z0-9_]+, unique in the item
    field: str
    kind: str               # integer | number | choice
    value: Any              # int | float | str | list[str] (a multiple choice)
    tolerance: float
    weight: int
    label: str              # plain text
    choices: tuple[str, ...] | None = None
    multiple: bool = False
    wrongs: tuple[Wrong, ...] = ()
    sets: tuple[Option, ...] = ()    # a "tick all" field: one option per candidate set


@dataclass(frozen=True)
class Option:
    """One option of a multiple-choice question."""

    html: str
    answer: dict[str, Any]
    correct: bool
    feedback: str           # HTML
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldLayout:
    """Where a field's blanks go: one name, a row of names, or rows of names."""

    name: str
    kind: str
    label: str
    rows: tuple[tuple[str, ...], ...]


@dataclass
class Item:
    """A problem ready to export."""

    ident: str
    family: str
    version: int
    seed: int
    level: str
    topic: str
    title: str
    prompt: str             # HTML
    solution: str           # HTML
    spec: list[dict[str, Any]]
    key: dict[str, Any]
    params: dict[str, Any]
    form: Form
    blanks: tuple[Blank, ...]
    layout: tuple[FieldLayout, ...]
    options: tuple[Option, ...]          # key first, then the mistakes' distinct answers
    choice_options: tuple[Option, ...]   # a single choice field's own choices
    weights_exact: bool                  # blank weights reproduce the engine's partial credit
    additive: bool = True                # the engine's credit is the sum of per-box credits
    number_issue: str | None = None      # why typed numeric forms are impossible, if they are
    meta: dict[str, Any] = field(default_factory=dict)
    figures: tuple[Figure, ...] = ()     # the prompt's pictures, drawn from the parameters (SVG)
    solution_figures: tuple[Figure, ...] = ()  # the worked solution's: they show the answer
    problem: Problem | None = None       # the source: Markdown prompt and solution, for print

    @property
    def has_distractors(self) -> bool:
        return len(self.options) >= 2


def expression_refusal(item: Item) -> Skipped | None:
    """Return why an LMS format leaves out an item answered by an expression, or None.

    The JSON bank and printed papers keep such items; Moodle XML, Canvas QTI and
    GIFT compare typed text or numbers, not an expression's coefficients.
    """
    if any(f["kind"] == "expression" for f in item.spec):
        return Skipped(item.ident, "an answer typed as an expression in symbols (k1*x1 + ...) "
                       "is graded by its coefficients, which Moodle XML, Canvas QTI and GIFT "
                       "cannot do")
    return None


def ident_for(problem: Problem) -> str:
    """Return the identifier naming the exact variant of `problem`."""
    base = f"{problem.family}-v{problem.version}-s{problem.seed}-{problem.level}"
    family = get_family(problem.family)
    if problem.level not in family.levels:
        digest = hashlib.sha256(json.dumps(problem.params, sort_keys=True).encode()).hexdigest()
        base += f"-p{digest[:10]}"
    return base


def parse_ident(ident: str) -> dict[str, Any]:
    """Return family, version, seed and level from an item identifier (``ValueError`` if foreign)."""
    m = _IDENT.match(ident)
    if not m:
        raise ValueError(f"{ident!r} is not a quizsvc item identifier")
    return {"family": m["family"], "version": int(m["version"]), "seed": int(m["seed"]),
            "level": m["level"], "params_digest": m["params"]}


# -- answers -------------------------------------------------------------------
def _is_number(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and (isinstance(v, int) or math.isfinite(v)))


def _well_formed(kind: str, value: Any, spec: dict[str, Any]) -> bool:
    """Return whether a (buggy) value has the structure its field kind needs."""
    if kind in ("integer", "number"):
        return _is_number(value)
    if kind in ("shape", "vector"):
        return isinstance(value, list) and bool(value) and all(_is_number(v) for v in value)
    if kind == "matrix":
        return (isinstance(value, list) and bool(value) and all(isinstance(r, list) and r for r in value)
                and len({len(r) for r in value}) == 1
                and all(_is_number(v) for r in value for v in r))
    if kind == "expression":
        return isinstance(value, str)
    if kind == "choice":
        choices = spec.get("choices") or ()
        if spec.get("multiple"):
            return isinstance(value, list) and all(v in choices for v in value)
        return value in choices
    return False


def _exact(kind: str, key: Any) -> bool:
    return kind in ("integer", "shape", "expression") or isinstance(key, int)


def _entry_same(kind: str, a: Any, key: Any) -> bool:
    if _exact(kind, key):
        return a == key
    return abs(float(a) - float(key)) <= tolerance_for(key)


def same_answer(spec: list[dict[str, Any]], answer: dict[str, Any], key: dict[str, Any]) -> bool:
    """Return whether `answer` would be graded right against `key` (the engine's tolerance)."""
    for f in spec:
        name, kind = f["name"], f["kind"]
        a, k = answer[name], key[name]
        if kind in ("integer", "number"):
            if not _entry_same(kind, a, k):
                return False
        elif kind == "choice":
            if (sorted(a) if f.get("multiple") else a) != (sorted(k) if f.get("multiple") else k):
                return False
        elif kind == "matrix":
            if len(a) != len(k) or any(len(ra) != len(rk) for ra, rk in zip(a, k)):
                return False
            if not all(_entry_same(kind, x, y) for ra, rk in zip(a, k) for x, y in zip(ra, rk)):
                return False
        else:
            if len(a) != len(k) or not all(_entry_same(kind, x, y) for x, y in zip(a, k)):
                return False
    return True


def render_value(kind: str, value: Any) -> str:
    """Return one answer value as HTML: ``12``, ``(6, 217, 201)``, a matrix in math."""
    if kind in ("integer", "number"):
        return plain_number(value)
    if kind == "shape":
        return "(" + ", ".join(plain_number(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if kind == "vector":
        return "[" + ", ".join(plain_number(v) for v in value) + "]"
    if kind == "matrix":
        body = r" \\ ".join(" &amp; ".join(plain_number(v) for v in row) for row in value)
        return r"\(\begin{bmatrix} " + body + r" \end{bmatrix}\)"
    if kind == "choice":
        return escape(", ".join(value) if isinstance(value, list) else str(value))
    if kind == "expression":
        return escape(str(value))
    raise ValueError(f"unknown field kind {kind!r}")


def render_answer(spec: list[dict[str, Any]], answer: dict[str, Any]) -> str:
    """Return a whole answer as the HTML text of a multiple-choice option."""
    if len(spec) == 1:
        return render_value(spec[0]["kind"], answer[spec[0]["name"]])
    return "; ".join(f"{escape(f['label'])}: {render_value(f['kind'], answer[f['name']])}" for f in spec)


@lru_cache(maxsize=4096)  # one per misconception, recurring in every variant
def _feedback(title: str, explanation: str) -> str:
    return f"<strong>{inline(title)}.</strong> {inline(explanation)}"


# -- building --------------------------------------------------------------------
def _mistakes(problem: Problem, spec: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """Return (code, feedback HTML, full buggy answer) for every mistake that applies."""
    out = []
    by_name = {f["name"]: f for f in spec}
    for m in get_family(problem.family).misconceptions:
        try:
            buggy = m.solve(problem.params)
        except (ArithmeticError, ValueError, IndexError, KeyError, TypeError):
            continue  # a buggy solver that cannot run on these parameters offers no distractor
        if not buggy:
            continue
        merged = dict(problem.answer)
        for name, value in buggy.items():
            if name in by_name and _well_formed(by_name[name]["kind"], value, by_name[name]):
                merged[name] = value
        out.append((m.code, _feedback(m.title, m.explanation), merged))
    return out


def _options(problem: Problem, spec, mistakes) -> tuple[Option, ...]:
    key_html = render_answer(spec, problem.answer)
    options = [Option(key_html, problem.answer, True, "Correct.")]
    index: dict[str, int] = {key_html: 0}
    for code, feedback, answer in mistakes:
        if same_answer(spec, answer, problem.answer):
            continue
        html = render_answer(spec, answer)
        if html in index:
            i = index[html]
            if i:  # two mistakes give the same answer: the option names both
                o = options[i]
                options[i] = Option(o.html, o.answer, False, o.feedback + " <em>or</em> " + feedback,
                                    o.codes + (code,))
            continue
        index[html] = len(options)
        options.append(Option(html, answer, False, feedback, (code,)))
    return tuple(options)


def candidate_sets(spec: dict[str, Any], key: list[str], mistakes) -> list[list[str]]:
    """Return the sets a "tick all that apply" field offers: every non-empty subset of a few
    choices, else the key, the mistakes' sets and each choice alone; in catalogue order."""
    choices = list(spec["choices"])
    if len(choices) <= MAX_SET_CHOICES:
        subsets = [[c for i, c in enumerate(choices) if mask >> i & 1]
                   for mask in range(1, 2 ** len(choices))]
        return sorted(subsets, key=lambda s: (len(s), [choices.index(c) for c in s]))
    out = [list(key)]
    for _, _, answer in mistakes:
        v = answer[spec["name"]]
        if isinstance(v, list) and v not in out and set(v) <= set(choices) and v:
            out.append([c for c in choices if c in v])
    out += [[c] for c in choices if [c] not in out]
    return out


def set_options(spec: dict[str, Any], key: list[str], mistakes) -> tuple[Option, ...]:
    """Return one option per candidate set of a "tick all" field: the key right, the rest wrong.

    The engine gives a set answer all or nothing, so one choice among the sets (not a box per
    choice, which Moodle and Canvas would give partial credit) scores as the engine does.
    """
    name = spec["name"]
    right = [c for c in spec["choices"] if c in key]
    out = []
    for subset in candidate_sets(spec, right, mistakes):
        hits = [(code, fb) for code, fb, ans in mistakes
                if isinstance(ans[name], list) and sorted(ans[name]) == sorted(subset)
                and sorted(subset) != sorted(right)]
        correct = sorted(subset) == sorted(right)
        out.append(Option(escape(", ".join(subset)), {name: subset}, correct,
                          "Correct." if correct else " <em>or</em> ".join(fb for _, fb in hits),
                          tuple(code for code, _ in hits)))
    return tuple(out)


def _choice_options(spec: dict[str, Any], key: Any, mistakes) -> tuple[Option, ...]:
    if spec.get("multiple"):
        return set_options(spec, key, mistakes)
    chosen = {key}
    out = []
    for choice in spec["choices"]:
        fb = [f for code, f, ans in mistakes
              if not spec.get("multiple") and ans[spec["name"]] == choice and choice != key]
        codes = tuple(code for code, f, ans in mistakes
                      if not spec.get("multiple") and ans[spec["name"]] == choice and choice != key)
        out.append(Option(escape(choice), {spec["name"]: choice}, choice in chosen,
                          " <em>or</em> ".join(fb) if fb else ("Correct." if choice in chosen else ""),
                          codes))
    return tuple(out)


def _entries(kind: str, value: Any, like: Any) -> list | None:
    """Return a field's value as a flat list of entries, or None if not shaped like `like`."""
    if kind in ("shape", "vector"):
        return value if isinstance(value, list) and len(value) == len(like) else None
    if kind == "matrix":
        if not isinstance(value, list) or len(value) != len(like) or any(
                not isinstance(r, list) or len(r) != len(k) for r, k in zip(value, like)):
            return None
        return [x for row in value for x in row]
    return [value]


def _field_blanks(f: dict[str, Any], key: Any, mistakes) -> tuple[list[tuple], FieldLayout]:
    """Return (name, value, label, wrongs) per box of one field, and the field's layout."""
    name, kind, label = f["name"], f["kind"], f["label"]
    safe = _SAFE.sub("_", name)
    if kind in ("shape", "vector"):
        names = [f"{safe}_{i + 1}" for i in range(len(key))]
        labels = [f"{label}, entry {i + 1}" for i in range(len(key))]
        rows: tuple[tuple[str, ...], ...] = (tuple(names),)
    elif kind == "matrix":
        rows = tuple(tuple(f"{safe}_{r + 1}_{c + 1}" for c in range(len(row)))
                     for r, row in enumerate(key))
        names = [n for row in rows for n in row]
        labels = [f"{label}, row {r + 1}, column {c + 1}"
                  for r, row in enumerate(key) for c in range(len(row))]
    else:
        names, labels, rows = [safe], [label], ((safe,),)
    values = _entries(kind, key, key)
    bad = [(code, fb, flat) for code, fb, answer in mistakes
           if (flat := _entries(kind, answer[name], key)) is not None]
    choice_field = kind == "choice"
    out = []
    for j, (box, value, box_label) in enumerate(zip(names, values, labels)):
        wrongs: dict[str, Wrong] = {}
        if not (choice_field and f.get("multiple")):
            for code, feedback, flat in bad:
                v = flat[j]
                if choice_field:
                    if v == value:
                        continue
                    text = str(v)
                elif not _is_number(v) or _entry_same(kind, v, value):
                    continue
                else:
                    text = plain_number(v)
                w = wrongs.get(text)
                if w is not None:
                    wrongs[text] = Wrong(w.value, w.feedback + " <em>or</em> " + feedback, w.codes + (code,))
                elif len(wrongs) < MAX_WRONGS_PER_BLANK:
                    wrongs[text] = Wrong(v, feedback, (code,))
        out.append((box, value, box_label, tuple(wrongs.values())))
    return out, FieldLayout(name, kind, label, rows)


def _blanks(problem: Problem, spec, mistakes) -> tuple[list[Blank], list[FieldLayout], bool]:
    """Return the blanks, their layout per field, and whether weights match the engine."""
    per_field = [_field_blanks(f, problem.answer[f["name"]], mistakes) for f in spec]
    counts = [len(boxes) for boxes, _ in per_field]
    lcm = math.lcm(*counts)
    exact = lcm <= MAX_WEIGHT_LCM
    blanks = []
    for f, (boxes, _), n in zip(spec, per_field, counts):
        kind = f["kind"]
        choices = tuple(f["choices"]) if kind == "choice" else None
        for box, value, label, wrongs in boxes:
            blank_kind = kind if kind in ("choice", "expression") else (
                "integer" if _exact(kind, value) else "number")
            blanks.append(Blank(
                name=box, field=f["name"], kind=blank_kind, value=value,
                tolerance=0.0 if blank_kind != "number" else tolerance_for(value),
                weight=lcm // n if exact else 1, label=label, choices=choices,
                multiple=bool(f.get("multiple")), wrongs=wrongs,
                sets=set_options(f, value, mistakes) if f.get("multiple") else ()))
    names = [b.name for b in blanks]
    if len(set(names)) != len(names):
        raise ValueError(f"{problem.family}: answer fields give clashing blank names {names}")
    return blanks, [layout for _, layout in per_field], exact


def build_item(problem: Problem) -> Item:
    """Return the exportable item of one problem."""
    spec = problem.answer_spec
    mistakes = _mistakes(problem, spec)
    blanks, layout, exact = _blanks(problem, spec, mistakes)
    if len(spec) == 1 and spec[0]["kind"] in ("integer", "number"):
        form: Form = "numerical"
    elif len(spec) == 1 and spec[0]["kind"] == "choice":
        form = "choice"
    else:
        form = "blanks"
    issue = None
    big = [b.value for b in blanks if b.kind not in ("choice", "expression")
           and abs(b.value) > MAX_EXACT_INT]
    if big:
        issue = (f"the key holds {plain_number(big[0])}, beyond 2^53: an LMS comparing "
                 "floating-point numbers would also accept its neighbours")
    # A solution figure shows the answer: it never goes with the question, only with the solution.
    drawn = tuple(getattr(problem, "figures", None) or ())
    return Item(
        ident=ident_for(problem), family=problem.family, version=problem.version,
        seed=problem.seed, level=problem.level, topic=problem.topic,
        title=f"{problem.family} v{problem.version} {problem.level} seed {problem.seed}",
        prompt=to_html(problem.prompt), solution=to_html(problem.solution), spec=spec,
        key=problem.answer, params=problem.params, form=form, blanks=tuple(blanks),
        layout=tuple(layout),
        options=() if any(f["kind"] == "expression" for f in spec) else _options(problem, spec, mistakes),
        choice_options=_choice_options(spec[0], problem.answer[spec[0]["name"]], mistakes)
        if form == "choice" else (),
        weights_exact=exact, additive=additive(spec, problem.answer), number_issue=issue,
        figures=tuple(f for f in drawn if f.part == "prompt"),
        solution_figures=tuple(f for f in drawn if f.part != "prompt"), problem=problem)


def _probes(kind: str, key: Any) -> list[tuple[Any, float]]:
    """Return answers to one many-entry field with the credit a box-by-box LMS would give them."""
    flat = _entries(kind, key, key)
    n = len(flat)

    def shaped(values: list[Any]) -> Any:
        if kind == "matrix":
            cols = len(key[0])
            return [values[r * cols:(r + 1) * cols] for r in range(len(key))]
        return values

    def other(v: Any) -> Any:
        return v + 1 if isinstance(v, int) else v + 2 * tolerance_for(v) + 1
    probes = [(shaped([other(flat[0])] + flat[1:]), (n - 1) / n),  # one entry wrong
              (shaped([other(v) for v in flat]), 0.0)]              # every entry wrong
    for guess in {0, max(set(flat), key=flat.count)}:               # constant guesses
        hits = sum(1 for v in flat if _entry_same(kind, guess, v))
        probes.append((shaped([guess] * n), hits / n))
    return probes


def additive(spec: list[dict[str, Any]], key: dict[str, Any]) -> bool:
    """Return whether the engine's credit for every field is the share of its entries right.

    An LMS grades a cloze or fill-in question box by box; asked with a few probing answers
    (one entry wrong, all wrong, constant guesses), the engine's own comparison must agree,
    or the boxes would give credit the engine does not.
    """
    for f in spec:
        kind = f["kind"]
        if kind not in ("shape", "vector", "matrix"):
            continue
        for answer, share in _probes(kind, key[f["name"]]):
            score, _, _ = compare_field(kind, parse_field(kind, answer), key[f["name"]])
            if abs(score - share) > 1e-9:
                return False
    return True


def build_items(problems: Iterable[Problem]) -> tuple[list[Item], list[Skipped]]:
    """Return the items of `problems`, leaving out repeated variants (listed as skipped)."""
    items: list[Item] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for problem in problems:
        item = build_item(problem)
        if item.ident in seen:
            skipped.append(Skipped(item.ident, "the same variant appears earlier in the bank"))
            continue
        seen.add(item.ident)
        items.append(item)
    return items, skipped


def answer_table(item: Item, blank_html, protect=lambda html: html) -> str:
    """Return the HTML answer area of a blanks item; `blank_html(blank)` draws one box.

    `protect` rewrites the labels' HTML, e.g. to hide characters the format would read as syntax.
    """
    by_name = {b.name: b for b in item.blanks}
    parts = []
    for f in item.layout:
        label = protect(escape(f.label))
        if f.kind == "matrix":
            rows = "".join("<tr>" + "".join(f"<td>{blank_html(by_name[n])}</td>" for n in row) + "</tr>"
                           for row in f.rows)
            parts.append(f"<p>{label}:</p><table>{rows}</table>")
        elif f.kind in ("shape", "vector"):
            opening, closing = ("(", ")") if f.kind == "shape" else ("[", "]")
            cells = ", ".join(blank_html(by_name[n]) for n in f.rows[0])
            parts.append(f"<p>{label}: {opening}{cells}{closing}</p>")
        else:
            parts.append(f"<p>{label}: {blank_html(by_name[f.rows[0][0]])}</p>")
    return "".join(parts)
