"""No credit for guessing: constant answers to array problems earn nothing, one slip costs little.

Over every family with a vector or matrix answer, every level and 200 seeds:
an all-zero answer and constant answers (the key's most common value, its
largest value, 1) score at most 0.1 on any array of 6 or more entries; an
answer with one wrong entry scores at least 0.5 (except where that answer is
indistinguishable from a constant one: the key's only entry that differs from the
others, or one of two entries, is wrong). The expected values come from
the rule's definition (README, "Partial credit"), not from the code: whatever a
constant answer gets right, credit only starts beyond it.
"""

from __future__ import annotations

from collections import Counter

import pytest

from quizsvc import families

SEEDS = range(200)


def _array_families() -> list[str]:
    out = []
    for family in families.all_families():
        p = family.generate(0, family.levels[0])
        if any(f["kind"] in ("vector", "matrix") for f in p.answer_spec):
            out.append(family.name)
    return out


ARRAY_FAMILIES = _array_families()


def _flat(value):
    return [v for row in value for v in row] if value and isinstance(value[0], list) else list(value)


def _like(value, entries):
    """Return `entries` (flat) in the layout of `value`."""
    if value and isinstance(value[0], list):
        width = len(value[0])
        return [entries[i * width:(i + 1) * width] for i in range(len(value))]
    return entries


def _slip(v):
    return v + 1 if isinstance(v, int) else v * 1.5 + 1.0


def test_the_array_families_are_found():
    assert {"toeplitz_matrix", "conv_forward", "dropout", "batchnorm_grad"} <= set(ARRAY_FAMILIES)


@pytest.mark.parametrize("name", ARRAY_FAMILIES)
def test_constant_answers_earn_nothing_and_one_slip_keeps_most_credit(name):
    family = families.get(name)
    checked = slips = 0
    for level in family.levels:
        for seed in SEEDS:
            p = family.generate(seed, level)
            spec = family.answer_spec(p.params)
            for f in spec:
                if f.kind not in ("vector", "matrix"):
                    continue
                key = p.answer[f.name]
                flat = _flat(key)
                others = {g.name: p.answer[g.name] for g in spec if g.name != f.name}
                n = len(flat)
                common, count = Counter(flat).most_common(1)[0]
                for c in {0, common, max(flat, key=abs), 1}:
                    guess = _like(key, [c] * n)
                    if guess == key:
                        continue  # a constant key, guessed: that is the right answer
                    grade = family.grade(p.params, p.answer, spec, {**others, f.name: guess})
                    if n >= 6:
                        assert grade.score <= 0.1, (seed, level, c, key, grade.feedback)
                        checked += 1
                    # The feedback never contradicts the score.
                    assert grade.misconception or f"score {grade.score:.2f}" in grade.feedback
                # One wrong entry: on the most common value, and on another entry if any.
                positions = [flat.index(common)]
                positions += [i for i, v in enumerate(flat) if v != common][:1]
                for i in positions:
                    wrong = list(flat)
                    wrong[i] = _slip(wrong[i])
                    grade = family.grade(p.params, p.answer, spec,
                                         {**others, f.name: _like(key, wrong)})
                    if (n - count == 1 and flat[i] != common) or n <= 2:
                        # The lone entry that differs from all the others, or one of two (or one):
                        # getting it wrong is what a constant answer does, so no credit.
                        continue
                    credit = next(r.score for r in grade.fields if r.name == f.name)
                    assert credit >= 0.5, (seed, level, i, key, grade.feedback)
                    slips += 1
    assert slips > 0
    # Their array keys (almost) never have 6 entries: kernel_growth asks 1 to 3 output lengths,
    # dropout_tikhonov one entry per column of a 2- or 3-column X.
    if name not in ("same_padding", "filter_recovery", "kernel_growth", "dropout_tikhonov"):
        assert checked > 0
