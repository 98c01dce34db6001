"""Figures: every figure family draws valid SVG with a text alternative, at every level."""

import xml.etree.ElementTree as ET

import pytest

from quizsvc import families
from quizsvc.figures import _DRAWERS, figures_for, has_figures

SVG = "{http://www.w3.org/2000/svg}"
SEEDS = range(50)
FIGURE_FAMILIES = sorted(_DRAWERS)
# Families whose figure is the question itself or states only what the prompt states.
PROMPT_FIGURES = {"conv_forward", "which_norm"}


@pytest.mark.parametrize("name", FIGURE_FAMILIES)
def test_every_level_and_seed_draws_valid_svg_with_a_text_alternative(name):
    family = families.get(name)
    drawn = 0
    for level in family.levels:
        for seed in SEEDS:
            problem = family.generate(seed, level)
            for figure in problem.figures:
                root = ET.fromstring(figure.svg)  # well-formed XML, or this raises
                assert root.tag == f"{SVG}svg", (name, level, seed)
                title = root.find(f"{SVG}title")
                assert title is not None and title.text == figure.alt, (name, level, seed)
                assert root.get("role") == "img" and root.get("aria-label") == figure.alt
                assert len(figure.alt) >= 40 and figure.name.endswith(".svg")
                assert figure.part in ("prompt", "solution")
                assert float(root.get("width")) > 0 and float(root.get("height")) > 0
                drawn += 1
    assert drawn >= len(family.levels) * len(SEEDS) * 0.9, f"{name}: only {drawn} figures"


@pytest.mark.parametrize("name", FIGURE_FAMILIES)
def test_prompt_figures_are_drawn_from_the_parameters_alone(name):
    """A prompt figure never sees the key, so it cannot give the answer away."""
    family = families.get(name)
    for level in family.levels:
        for seed in range(10):
            problem = family.generate(seed, level)
            prompt = [f for f in problem.figures if f.part == "prompt"]
            if not prompt:
                continue
            assert name in PROMPT_FIGURES
            blind = [f for f in figures_for(name, problem.params, _Poison()) if f.part == "prompt"]
            assert blind == prompt


class _Poison(dict):
    """A key that fails the test if a prompt figure reads it."""

    def __getitem__(self, item):
        raise AssertionError(f"a prompt figure read the key's {item!r}")

    get = __getitem__


@pytest.mark.parametrize("name", sorted(PROMPT_FIGURES))
def test_only_the_families_meant_to_show_figures_in_prompts_do(name):
    family = families.get(name)
    problem = family.generate(3, family.levels[-1])
    assert [f.part for f in problem.figures] == ["prompt"]


def test_solution_figures_are_hidden_without_the_key():
    problem = families.get("toeplitz_matrix").generate(1, "medium")
    assert [f.part for f in problem.figures] == ["solution"]
    assert "figures" not in problem.to_dict(include_key=False)
    assert problem.to_dict()["figures"][0]["svg"].startswith("<svg")
    shown = families.get("conv_forward").generate(1, "easy").to_dict(include_key=False)
    assert [f["part"] for f in shown["figures"]] == ["prompt"]


def test_which_norm_alt_text_never_names_the_norm():
    family = families.get("which_norm")
    for level in family.levels:
        for seed in SEEDS:
            (figure,) = family.generate(seed, level).figures
            for word in ("Batch", "Layer", "Instance", "Group", "batch norm", "layer norm"):
                assert word not in figure.alt and word not in figure.svg, (level, seed, word)


def test_families_without_a_drawer_have_no_figures():
    assert not has_figures("conv_output_shape")
    problem = families.get("conv_output_shape").generate(0, "easy")
    assert problem.figures == [] and "figures" not in problem.to_dict()
