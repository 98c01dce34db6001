"""Pure service functions: variant seeds, policies, mastery, item statistics."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from quizsvc.errors import ParamError
from quizsvc.families.rng import SEED_MAX
from quizsvc.services.analytics import pearson, upper_lower
from quizsvc.services.policy import Policy, key_visible
from quizsvc.services.progress import mastery
from quizsvc.services.variants import variant_seed
from quizsvc.store.models import Problem, User


def test_variant_seeds_are_stable_private_and_in_range():
    seeds = {variant_seed("s", b, i, v, u) for b in range(3) for i in range(3)
             for v in range(3) for u in range(3)}
    assert len(seeds) == 81 and all(0 <= s <= SEED_MAX for s in seeds)
    assert variant_seed("s", 1, 2, 3, 4) == variant_seed(b"s", 1, 2, 3, 4)
    assert variant_seed("s", 1, 2, 3, 4) != variant_seed("t", 1, 2, 3, 4)
    # Not a simple function of the user id: neighbours' seeds are far apart.
    assert abs(variant_seed("s", 1, 0, 0, 1) - variant_seed("s", 1, 0, 0, 2)) > 2**20


def problem(show_key: str, max_attempts: int | None, used: int, solved: bool) -> Problem:
    return Problem(show_key=show_key, max_attempts=max_attempts, attempt_count=used,
                   solved_at=datetime.now(timezone.utc) if solved else None)


STUDENT, INSTRUCTOR = User(role="student"), User(role="instructor")


@pytest.mark.parametrize("show_key, max_attempts, used, solved, visible", [
    ("never", 3, 3, True, False),
    ("always", 3, 0, False, True),
    ("after_correct", 3, 3, False, False),
    ("after_correct", 3, 1, True, True),
    ("after_last_attempt", 3, 2, True, False),
    ("after_last_attempt", 3, 3, False, True),
    ("after_last_attempt", None, 50, False, False),
    ("after_correct_or_last_attempt", 3, 1, True, True),
    ("after_correct_or_last_attempt", 3, 3, False, True),
    ("after_correct_or_last_attempt", 3, 2, False, False),
])
def test_key_visibility(show_key, max_attempts, used, solved, visible):
    p = problem(show_key, max_attempts, used, solved)
    assert key_visible(p, STUDENT) is visible
    assert key_visible(p, INSTRUCTOR) is True


@pytest.mark.parametrize("kwargs", [dict(max_attempts=0, show_key="never"),
                                    dict(max_attempts=3, show_key="later")])
def test_bad_policies(kwargs):
    with pytest.raises(ParamError):
        Policy(**kwargs)


def test_mastery():
    assert mastery([]) == 0.5
    assert mastery([1.0]) == pytest.approx(2 / 3)
    assert mastery([1.0] * 20) > 0.8 > mastery([1.0] * 3)
    # Recent attempts weigh more: learning (0 then 1) beats forgetting (1 then 0).
    assert mastery([0, 0, 1, 1]) > mastery([1, 1, 0, 0])
    assert 0 < mastery([0.0] * 10) < 0.2


def test_pearson_matches_numpy():
    rng = np.random.default_rng(0)
    for _ in range(20):
        x, y = rng.random(12), rng.random(12)
        assert pearson(list(x), list(y)) == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert pearson([1, 1, 1], [0, 1, 2]) is None


def test_upper_lower_index():
    total = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    item = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    assert upper_lower(item, total) == 1.0  # top 3 all right, bottom 3 all wrong
    assert upper_lower([1 - v for v in item], total) == -1.0
    assert upper_lower([1, 1], [0, 1]) is None
