"""Engine commands read family and level names as the API does, and suggest, without routes."""

from __future__ import annotations

from click.testing import CliRunner

from quizsvc import families
from quizsvc.cli import main


def test_misspelt_family_gets_the_closest_and_no_route():
    result = CliRunner().invoke(main, ["generate", "conv_outptu_shape"])
    assert result.exit_code == 2
    assert "did you mean 'conv_output_shape'?" in result.output
    assert "/api/" not in result.output and "GET " not in result.output


def test_case_and_space_do_not_change_the_variant():
    plain = CliRunner().invoke(main, ["generate", "dropout", "--seed", "4", "--level", "hard"])
    loose = CliRunner().invoke(main, ["generate", " Dropout ", "--seed", "4", "--level", "Hard "])
    assert plain.exit_code == loose.exit_code == 0
    assert loose.output == plain.output
    assert families.get("dropout").generate(4, "hard").prompt in plain.output
