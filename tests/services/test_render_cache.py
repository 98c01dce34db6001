"""The per-variant render cache: a cached render is a fresh render; any change of variant misses."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from quizsvc import families
from quizsvc.render import render_markdown
from quizsvc.services import practice

FAMILY, LEVEL = "conv_output_shape", "medium"


def stored(seed: int, *, params: dict | None = None, version: int | None = None) -> SimpleNamespace:
    """A problem row as the views read it (family, version, seed, level, params)."""
    fam = families.get(FAMILY)
    return SimpleNamespace(family=FAMILY, version=fam.version if version is None else version,
                           seed=seed, level=LEVEL,
                           params=params if params is not None else fam.sample(seed, LEVEL))


def fresh_html(text: str) -> str:
    """Render without any cache (render_markdown's own LRU bypassed too)."""
    return str(render_markdown.__wrapped__(text))


@pytest.fixture(autouse=True)
def empty_cache():
    practice._rendered.cache_clear()
    yield
    practice._rendered.cache_clear()


def test_a_cached_render_equals_a_fresh_render():
    problem = stored(11)
    first, second = practice.rendered(problem), practice.rendered(problem)
    built = families.get(FAMILY).build(problem.params, seed=11, level=LEVEL)
    for out in (first, second):
        assert out.prompt == built.prompt and out.solution == built.solution
        assert out.prompt_html == fresh_html(built.prompt)
        assert out.solution_html == fresh_html(built.solution)
        assert out.answer_spec == built.answer_spec and out.topic == built.topic
    info = practice._rendered.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_another_seed_other_params_or_a_version_bump_misses(monkeypatch):
    base = stored(11)
    practice.rendered(base)
    other_seed = practice.rendered(stored(12))
    assert practice._rendered.cache_info().misses == 2
    assert other_seed.prompt == families.get(FAMILY).generate(12, LEVEL).prompt

    # The same seed with an instructor's own parameters is another problem.
    own = dict(base.params, stride=[s + 1 for s in base.params["stride"]])
    own_render = practice.rendered(stored(11, params=own))
    assert practice._rendered.cache_info().misses == 3
    assert own_render.prompt == families.get(FAMILY).build(own, seed=11, level=LEVEL).prompt

    # A stored problem of an older version, and the family's code at a new version: both miss.
    practice.rendered(stored(11, version=base.version - 1))
    assert practice._rendered.cache_info().misses == 4
    monkeypatch.setattr(families.get(FAMILY), "version", base.version + 1)
    practice.rendered(base)
    assert practice._rendered.cache_info().misses == 5
    assert practice._rendered.cache_info().hits == 0


def test_a_caller_cannot_change_the_cached_render():
    problem = stored(11)
    out = practice.rendered(problem)
    out.answer_spec[0]["label"] = "changed"
    out.answer_spec.append({"name": "extra"})
    again = practice.rendered(problem)
    built = families.get(FAMILY).build(problem.params, seed=11, level=LEVEL)
    assert again.answer_spec == built.answer_spec
