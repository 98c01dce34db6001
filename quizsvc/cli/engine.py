"""Engine commands: list families, generate, solve and check problems (no database)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from quizsvc import families
from quizsvc.errors import ParamError, QuizError


def _fail(exc: QuizError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    sys.exit(2)


def _load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        _fail(ParamError(f"{what} is not valid JSON ({exc})"))


@click.command("families")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def families_cmd(as_json: bool) -> None:
    """List every problem family with its version, topic and levels."""
    rows = [f.describe() for f in families.all_families()]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo(f"{r['name']:<22} v{r['version']}  {r['topic']:<28} {', '.join(r['levels'])}")


@click.command("generate")
@click.argument("family")
@click.option("--seed", type=int, default=0, show_default=True, help="Variant seed.")
@click.option("--level", default="easy", show_default=True, help="easy, medium or hard.")
@click.option("--answers", is_flag=True, help="Also print the answer key and worked solution.")
@click.option("--json", "as_json", is_flag=True, help="Print the problem as JSON.")
def generate_cmd(family: str, seed: int, level: str, answers: bool, as_json: bool) -> None:
    """Generate the problem FAMILY for a seed and level."""
    try:
        problem = families.get(family).generate(seed, level.strip().lower())
    except QuizError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(problem.to_dict(include_key=answers), indent=2))
        return
    click.echo(f"# {problem.family} v{problem.version}, seed {problem.seed}, {problem.level}\n")
    click.echo(problem.prompt)
    click.echo("\nAnswer fields: " + ", ".join(f"{f['name']} ({f['kind']})" for f in problem.answer_spec))
    if answers:
        click.echo("\n## Answer\n" + json.dumps(problem.answer))
        click.echo("\n## Worked solution\n" + problem.solution)


@click.command("solve")
@click.argument("family")
@click.option("--params", required=True, help="The problem parameters as a JSON object.")
def solve_cmd(family: str, params: str) -> None:
    """Print the answer key of FAMILY for your own parameters, as JSON."""
    try:
        key = families.get(family).solve(_load_json(params, "--params"))
    except QuizError as exc:
        _fail(exc)
    click.echo(json.dumps(key))


@click.command("check")
@click.argument("family")
@click.option("--params", required=True, help="The problem parameters as a JSON object.")
@click.option("--answer", required=True,
              help="The answer: text for a one-blank problem, else a JSON object of fields.")
def check_cmd(family: str, params: str, answer: str) -> None:
    """Grade an answer to FAMILY with the given parameters; print the grade as JSON."""
    try:
        grade = families.get(family).check(_load_json(params, "--params"), answer)
    except QuizError as exc:
        _fail(exc)
    click.echo(json.dumps(grade.to_dict(include_key=True), indent=2))


engine_commands = [families_cmd, generate_cmd, solve_cmd, check_cmd]
