"""Adaptive practice, at the service level (no Flask): which family, level and variant."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from quizsvc import families
from quizsvc.services import adaptive
from quizsvc.services.attempts import submit_attempt
from quizsvc.services.policy import Policy
from quizsvc.services.practice import available_families, issue
from quizsvc.store.engine import make_engine
from quizsvc.store.models import User
from tests.families.harness import same_key

UNLIMITED = Policy(None, "after_correct_or_last_attempt")


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with sessionmaker(engine, expire_on_commit=False)() as s:
        yield s
    engine.dispose()


@pytest.fixture
def user(session: Session) -> User:
    u = User(role="student", name="Ada")
    session.add(u)
    session.commit()
    return u


def _answer(session: Session, user: User, family: str, seed: int, answer: dict) -> None:
    problem = issue(session, user, family, "easy", seed, UNLIMITED)
    session.commit()
    submit_attempt(session, user, problem.id, answer)


def _mistake(family: str, code: str) -> tuple[int, dict]:
    fam = families.get(family)
    m = next(m for m in fam.misconceptions if m.code == code)
    for seed in range(100):
        p = fam.generate(seed, "easy")
        buggy = m.solve(p.params)
        if buggy and not same_key(buggy, p.answer):
            return seed, buggy
    raise AssertionError(code)


def test_a_new_student_starts_with_the_first_family_at_easy(session, user):
    choice = adaptive.choose(session, user, random.Random(1))
    assert choice.family == available_families()[0].name
    assert choice.level == "easy" and choice.target is None
    assert "not tried" in choice.reason


def test_the_weakest_family_is_chosen_and_the_variant_aimed_at_the_mistake(session, user):
    seed, buggy = _mistake("conv_output_shape", "forgot_plus_one")
    for _ in range(2):
        _answer(session, user, "conv_output_shape", seed, buggy)
    mastered = "conv_param_count"
    for s in range(6):  # six right answers: mastery (1+6w)/(2+6w) well above MASTERED
        _answer(session, user, mastered, s, families.get(mastered).generate(s, "easy").answer)
    choice = adaptive.choose(session, user, random.Random(7))
    assert choice.family == "conv_output_shape"
    assert choice.target == "forgot_plus_one"
    assert choice.level == "easy"  # mastery below MEDIUM_FROM
    fam = families.get("conv_output_shape")
    p = fam.generate(choice.seed, choice.level)
    mistake = next(m for m in fam.misconceptions if m.code == "forgot_plus_one")
    assert not same_key(mistake.solve(p.params), p.answer), "the variant shows the mistake"
    assert "Forgot the +1" in choice.reason


def test_when_what_was_tried_is_mastered_the_next_untried_family_comes(session, user):
    first, second = (f.name for f in available_families()[:2])
    for s in range(6):
        _answer(session, user, first, s, families.get(first).generate(s, "easy").answer)
    choice = adaptive.choose(session, user, random.Random(3))
    assert choice.family == second and choice.level == "easy"


def test_a_mistake_that_cannot_show_at_a_level_is_sought_at_the_others():
    # conv_output_shape's easy layers have dilation 1: ignoring dilation changes nothing there.
    fam = families.get("conv_output_shape")
    assert adaptive.separating_seed(fam, "easy", "ignored_dilation", random.Random(1)) is None
    choice = adaptive.aim("conv_output_shape", "easy", "ignored_dilation", random.Random(1))
    assert choice.level != "easy" and choice.target == "ignored_dilation"
    p = fam.generate(choice.seed, choice.level)
    m = next(m for m in fam.misconceptions if m.code == "ignored_dilation")
    assert not same_key(m.solve(p.params), p.answer)


@pytest.mark.parametrize("mastery, attempted, level", [
    (0.5, False, "easy"), (0.55, True, "easy"), (0.65, True, "medium"), (0.85, True, "hard")])
def test_level_follows_mastery(mastery, attempted, level):
    assert adaptive.level_for(mastery, attempted, ("easy", "medium", "hard")) == level
