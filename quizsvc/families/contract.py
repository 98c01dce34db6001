"""The contract of a problem family module, as a typed Protocol.

A family is a plain module (no Flask, no database) that `Family`
(`quizsvc/families/base.py`) wraps with the public API. A module satisfies
`FamilyModule` by defining these names at its top level; type checkers accept
modules as implementations of protocols, and `check_module` says at import
time which names a new module still lacks. A module may also set
``LEVELS: tuple[str, ...]`` (default ``easy, medium, hard``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Protocol, Sequence, runtime_checkable

from quizsvc.families.problem import AnswerField, Misconception
from quizsvc.families.rng import Sampler

Params = dict[str, Any]
Key = dict[str, Any]


@runtime_checkable
class FamilyModule(Protocol):
    """What every module under quizsvc/families/ registered in `_REGISTRY` defines."""

    NAME: str  # the registry name, e.g. "conv_output_shape"
    VERSION: int  # bumped whenever what the module generates or renders changes
    TOPIC: str
    MISCONCEPTIONS: Sequence[Misconception]  # each with a buggy solver reproducing it

    def sample(self, rng: Sampler, level: str) -> Params:
        """Return parameters for `level`, drawing only from `rng`."""
        ...

    def validate(self, params: Params) -> Params:
        """Return canonical parameters, or raise `ParamError` saying what is wrong."""
        ...

    def solve(self, params: Params) -> Key:
        """Return the answer key of valid parameters."""
        ...

    def answer_spec(self, params: Params) -> Sequence[AnswerField]:
        """Return the blanks a student fills in."""
        ...

    def prompt(self, params: Params) -> str:
        """Return the question, Markdown with math as $...$."""
        ...

    def solution(self, params: Params, key: Key) -> str:
        """Return the worked solution, Markdown."""
        ...


MEMBERS = ("NAME", "VERSION", "TOPIC", "MISCONCEPTIONS", "sample", "validate", "solve",
           "answer_spec", "prompt", "solution")


def check_module(module: ModuleType) -> FamilyModule:
    """Return `module` as a `FamilyModule`, or raise TypeError naming what it lacks."""
    missing = [name for name in MEMBERS if not hasattr(module, name)]
    if missing:
        raise TypeError(f"the family module {module.__name__} does not define "
                        f"{', '.join(missing)} (see quizsvc/families/contract.py)")
    assert isinstance(module, FamilyModule)
    return module
