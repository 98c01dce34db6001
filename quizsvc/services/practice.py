"""Issuing problems and showing them to the people allowed to see them."""

from __future__ import annotations

import copy
import functools
import json
import secrets
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from quizsvc import families
from quizsvc.errors import NotFoundError, ParamError
from quizsvc.families.rng import SEED_MAX
from quizsvc.families.problem import Figure
from quizsvc.families.problem import Problem as Generated
from quizsvc.render import render_markdown
from quizsvc.services.policy import Policy, attempts_left, key_visible
from quizsvc.store import rows
from quizsvc.store.models import Problem, User


def get_family(name: str) -> families.Family:
    """Return a family, as a 404 if it is unknown or not installed yet."""
    try:
        return families.get(name)
    except ImportError:  # registered but its module is not written yet
        raise NotFoundError(f"the problem family {name!r} is not available") from None


def available_families() -> list[families.Family]:
    """Return the families whose modules exist, in teaching order."""
    out = []
    for name in families.names():
        try:
            out.append(families.get(name))
        except ImportError:
            continue
    return out


def issue(session: Session, owner: User, family: str, level: str, seed: int, policy: Policy, *,
          bank_id: int | None = None, item_index: int | None = None,
          variant: int | None = None, bank_version: int | None = None) -> Problem:
    """Generate variant (family, seed, level) for `owner` and store it with its key."""
    fam = get_family(family)
    generated = fam.generate(seed, level)
    problem = Problem(owner=owner, family=fam.name, version=fam.version, seed=seed, level=level,
                      params=generated.params, key=generated.answer, bank_id=bank_id,
                      bank_version=bank_version, item_index=item_index, variant=variant,
                      max_attempts=policy.max_attempts, show_key=policy.show_key, attempt_count=0)
    session.add(problem)
    session.flush()
    return problem


def create_practice_problem(session: Session, owner: User, family: str, level: str,
                            seed: int | None, policy: Policy) -> Problem:
    """Issue an ad hoc practice problem; a random seed unless one is given."""
    if seed is None:
        seed = secrets.randbelow(SEED_MAX + 1)
    elif isinstance(seed, bool) or not isinstance(seed, int):
        raise ParamError("seed must be an integer", errors={"seed": "not an integer"})
    return issue(session, owner, family, level, seed, policy)


def get_problem(session: Session, user: User, problem_id: int) -> Problem:
    """Return a problem `user` may read (its owner, staff of its bank's course, an admin).

    Any other problem is a 404, as if it did not exist.
    """
    from quizsvc.services.access import can_read_problem

    problem = rows.problem(session, problem_id)  # session.get without the ORM's loading cost
    if problem is None or not can_read_problem(session, user, problem):
        raise NotFoundError(f"no problem with id {problem_id}")
    return problem


def regenerate(problem: Problem) -> Generated:
    """Rebuild prompt, answer spec and solution from the stored parameters."""
    fam = get_family(problem.family)
    built = fam.build(problem.params, seed=problem.seed, level=problem.level)
    built.answer = problem.key  # the stored key is the one we grade against
    return built


@dataclass(frozen=True)
class Rendered:
    """What a view shows of a problem's text: prompt and worked solution, as source and HTML.

    The HTML is rendered on first use (a new problem's view needs no solution
    until its key shows: rendering one costs a few ms of MathML) and kept by
    `render_markdown`'s own cache, so a later view renders nothing.
    """

    topic: str
    prompt: str
    solution: str
    answer_spec: list[dict[str, Any]]
    figures: tuple[Figure, ...] = ()

    def visible_figures(self, *, include_key: bool) -> list[Figure]:
        """Return the prompt figures, and the solution figures too when the key may be shown."""
        return [f for f in self.figures if include_key or f.part == "prompt"]

    @property
    def prompt_html(self) -> str:
        return str(render_markdown(self.prompt))

    @property
    def solution_html(self) -> str:
        return str(render_markdown(self.solution))


RENDER_CACHE_SIZE = 4096  # variants kept per process (~3 kB of text each: ~12 MB at most)


def rendered(problem: Problem) -> Rendered:
    """Return `problem`'s prompt and solution, rebuilt at most once per variant and process.

    A page view or a visible-key answer would otherwise rebuild the problem
    (solver, prompt, solution) and render its Markdown and math every time. Both
    are pure functions of the family's code (its VERSION), the problem's stored
    version, seed, level and parameters (an instructor's own parameters need not
    follow from the seed), so that is the key: a version bump or another variant
    misses, and no entry is ever stale. Bounded LRUs in the process (this one,
    and render_markdown's for the HTML), nothing stored in the database: no
    migration, nothing to invalidate. The answer spec is copied out, so no
    caller can change the cached one.
    """
    fam = get_family(problem.family)
    params = json.dumps(problem.params, sort_keys=True, separators=(",", ":"))
    cached = _rendered(fam.name, fam.version, problem.version, problem.seed, problem.level, params)
    return replace(cached, answer_spec=copy.deepcopy(cached.answer_spec))


@functools.lru_cache(maxsize=RENDER_CACHE_SIZE)
def _rendered(family: str, code_version: int, version: int, seed: int, level: str,
              params: str) -> Rendered:
    built = get_family(family).build(json.loads(params), seed=seed, level=level)
    return Rendered(topic=built.topic, prompt=built.prompt, solution=built.solution,
                    answer_spec=built.answer_spec, figures=tuple(built.figures))


def figure_views(built: Generated | Rendered, key_visible: bool) -> list[dict[str, str]]:
    """Return the figures a viewer may see: the prompt's always, the solution's with the key."""
    return [{"name": f.name, "svg": f.svg, "alt": f.alt, "part": f.part}
            for f in built.visible_figures(include_key=key_visible)]


def problem_view(problem: Problem, viewer: User) -> dict[str, Any]:
    """Return what `viewer` may see of a problem: the key only when the policy allows.

    Seed and parameters count as key material (with them anyone can rebuild the
    key offline with `quizsvc generate`), so they follow the key's visibility.
    """
    built = rendered(problem)
    show = key_visible(problem, viewer)
    out: dict[str, Any] = {
        "id": problem.id, "family": problem.family, "version": problem.version,
        "level": problem.level, "topic": built.topic, "prompt": built.prompt,
        "prompt_html": built.prompt_html,
        "answer_spec": built.answer_spec, "owner_id": problem.owner_id,
        "bank_id": problem.bank_id, "item_index": problem.item_index,
        "policy": {"max_attempts": problem.max_attempts, "show_key": problem.show_key},
        "attempts_used": problem.attempt_count, "attempts_left": attempts_left(problem),
        "solved": problem.solved_at is not None, "created_at": problem.created_at,
        "key_visible": show,
        "figures": figure_views(built, show),
    }
    if show:
        out.update(seed=problem.seed, params=problem.params, answer=problem.key,
                   solution=built.solution, solution_html=built.solution_html)
    return out
