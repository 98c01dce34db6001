"""Helpers for page tests: CSRF tokens, form answers built from the engine's key, HTML checks."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import html5lib

from quizsvc import families
from tests.families.harness import as_typed, same_key

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    """Return the CSRF token of the first form on a page."""
    match = _CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def key_of(family: str, seed: int, level: str) -> dict[str, Any]:
    """Return the engine's key of a variant (what the page's problem is graded against)."""
    return families.get(family).generate(seed, level).answer


def form_answer(family: str, seed: int, level: str, key: dict[str, Any]) -> dict[str, Any]:
    """Return form fields typing `key` the way a student would (choices as ticked boxes)."""
    fam = families.get(family)
    spec = {f.name: f for f in fam.answer_spec(fam.generate(seed, level).params)}
    out: dict[str, Any] = {}
    for name, value in key.items():
        f = spec.get(name)
        if f is not None and f.kind == "choice":
            out[name] = list(value) if isinstance(value, list) else value
        else:
            out[name] = as_typed(value)
    return out


def a_mistake(family: str, level: str, seeds: range = range(200)) -> tuple[int, str, dict]:
    """Return (seed, code, buggy key) for the first catalogued mistake giving a wrong key."""
    fam = families.get(family)
    for seed in seeds:
        problem = fam.generate(seed, level)
        for m in fam.misconceptions:
            buggy = m.solve(problem.params)
            if buggy and not same_key(buggy, problem.answer) and set(buggy) == set(problem.answer):
                return seed, m.code, buggy
    raise AssertionError(f"no catalogued mistake of {family} separates from the key")


def same_answer_titles(family: str, seed: int, level: str, buggy: dict) -> set[str]:
    """Return the titles of every mistake that gives exactly `buggy` (diagnosis may name any)."""
    fam = families.get(family)
    params = fam.generate(seed, level).params
    return {m.title for m in fam.misconceptions
            if (b := m.solve(params)) and same_key(b, buggy)}


def check_html(text: str) -> None:
    """Assert the page parses as HTML5 without errors, ids are unique, every input is labelled."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    parser.parse(text)
    checker = _Labels()
    checker.feed(text)
    dupes = {i for i in checker.ids if checker.ids.count(i) > 1}
    assert not dupes, f"duplicate ids {dupes}"
    unlabelled = [i for i in checker.inputs if i not in checker.label_for and i not in checker.wrapped]
    assert not unlabelled, f"inputs without a label: {unlabelled}"


class _Labels(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.inputs: list[str] = []
        self.label_for: set[str] = set()
        self.wrapped: set[str] = set()
        self._in_label = 0
        self._n = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.label_for.add(a["for"] or "")
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden" \
                and "hidden" not in a:
            self._n += 1
            ident = a.get("id") or f"#{self._n}"
            self.inputs.append(ident)
            if self._in_label:
                self.wrapped.add(ident)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._in_label -= 1
