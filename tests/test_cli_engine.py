"""The engine commands of the `quizsvc` console script: families, generate, solve, check."""

import json

import pytest
from click.testing import CliRunner

from quizsvc import families
from quizsvc.cli import main


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_families_lists_every_family(run):
    result = run("families", "--json")
    assert result.exit_code == 0
    listed = [row["name"] for row in json.loads(result.output)]
    assert listed == families.names() and len(listed) >= 18


@pytest.mark.parametrize("name", families.names())
def test_generate_json_with_answers_is_the_whole_problem(run, name):
    for level in families.get(name).levels:
        result = run("generate", name, "--seed", "11", "--level", level, "--json", "--answers")
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data == families.get(name).generate(11, level).to_dict()
        assert {"family", "version", "seed", "level", "params", "prompt", "answer", "solution"} <= set(data)


def test_generate_without_answers_hides_the_key(run):
    data = json.loads(run("generate", "conv_forward", "--seed", "3", "--json").output)
    assert "answer" not in data and "solution" not in data
    text = run("generate", "conv_forward", "--seed", "3").output
    assert "Worked solution" not in text


def test_solve_prints_the_key_of_instructor_params(run):
    params = {"in_channels": 10, "out_channels": 10, "in_size": [64, 64], "kernel_size": 6,
              "stride": 2, "padding": 1}
    result = run("solve", "conv_output_shape", "--params", json.dumps(params))
    assert result.exit_code == 0
    assert json.loads(result.output) == {"shape": [10, 31, 31]}


def test_check_grades_and_names_the_mistake(run):
    params = json.dumps({"in_channels": 1, "out_channels": 1, "in_size": [32, 32], "kernel_size": 3,
                         "stride": 3, "padding": 2})
    grade = json.loads(run("check", "conv_output_shape", "--params", params, "--answer", "1x11x11").output)
    assert not grade["correct"] and grade["misconception"] == "forgot_plus_one"
    grade = json.loads(run("check", "conv_output_shape", "--params", params, "--answer", "(1, 12, 12)").output)
    assert grade["correct"] and grade["score"] == 1.0


@pytest.mark.parametrize("args, words", [
    (("generate", "nope"), "no problem family named 'nope'"),
    (("generate", "conv_forward", "--level", "extreme"), "level must be one of"),
    (("generate", "conv_forward", "--seed", "-1"), "seed must be"),
    (("solve", "conv_forward", "--params", "{bad"), "--params is not valid JSON"),
    (("solve", "conv_output_shape", "--params", '{"in_channels": 1}'), "missing"),
    (("check", "conv_param_count", "--params", '{"in_channels": 3, "out_channels": 4, "kernel_size": 3}',
      "--answer", "12"), "3 blanks"),
    (("check", "conv_output_shape", "--params",
      '{"in_channels": 1, "out_channels": 1, "in_size": [8], "kernel_size": 3}', "--answer", "[[["),
     "could not read"),
])
def test_bad_input_is_one_clear_line_and_exit_2(run, args, words):
    result = run(*args)
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output and "Usage:" not in result.output
