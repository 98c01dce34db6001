"""``quizsvc export``: write a question bank as Moodle XML, Canvas QTI, GIFT or our JSON."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Iterable

import click

from quizsvc.errors import QuizError
from quizsvc.exporters import FORMATS, STYLES, ExportResult, export, problems_for
from quizsvc.families.problem import Problem


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _terminal() -> bool:
    """Return whether a person watches standard error (a progress bar would help them)."""
    return sys.stderr.isatty()


def _ad_hoc(names: tuple[str, ...], level: str, count: int, seed: int) -> Iterable[Problem]:
    return itertools.chain.from_iterable(problems_for(n, level, count, seed) for n in names)


def _bank(bank_id: int, pool: int):  # noqa: ANN202 - a BankExport
    """Return the export pool of a stored bank (needs the service's database)."""
    from quizsvc.app import create_app  # the app only when a bank is asked for
    from quizsvc.exporters.banks import export_problems, load_bank
    from quizsvc.extensions import db

    app = create_app()
    with app.app_context():
        return export_problems(load_bank(db.session, bank_id), app.config["SECRET_KEY"], pool)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="moodle (XML), qti12 (Canvas zip), gift (text) or json (our bank file).")
@click.option("--family", "names", multiple=True, metavar="NAME",
              help="A problem family (repeat for several). Not with --bank.")
@click.option("--level", default="easy", show_default=True, help="easy, medium or hard.")
@click.option("--count", type=click.IntRange(1, 100_000), default=10, show_default=True,
              help="Variants per family.")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True,
              help="Seed of the first variant; the next ones take the following seeds.")
@click.option("--bank", "bank_id", type=int, help="Export a stored bank instead (needs the database).")
@click.option("--style", type=click.Choice(STYLES), default="typed", show_default=True,
              help="typed: numeric boxes where the format allows; choice: multiple choice "
                   "over the family's catalogued mistakes.")
@click.option("--pick", type=click.IntRange(0), default=None,
              help="QTI: questions Canvas draws from each family and level (0: all of them; "
                   "default 1, or for a bank its items' counts).")
@click.option("--pool", type=click.IntRange(1, 20), default=5, show_default=True,
              help="--bank: variants exported per problem a student gets (items without fixed seeds).")
@click.option("--title", help="Title of the quiz or category (default: the bank's title).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write ('-' for standard output).")
def export_cmd(fmt: str, names: tuple[str, ...], level: str, count: int, seed: int,
               bank_id: int | None, style: str, pick: int | None, pool: int, title: str | None,
               output: str) -> None:
    """Export a question bank for an LMS: a stored bank, or COUNT variants of each family."""
    if bank_id is not None and names:
        _fail("give either --bank or --family, not both")
    if bank_id is None and not names:
        _fail("give --family NAME (repeatable) or --bank ID")
    try:
        picks: int | dict | None = 1 if pick is None else (pick or None)
        if bank_id is not None:
            bank = _bank(bank_id, pool)
            bank_title, problems, total = bank.title, bank.problems, len(bank.problems)
            if pick is None:
                picks = bank.picks
        else:
            bank_title = f"{', '.join(names)} ({level})"
            problems = _ad_hoc(names, level, count, seed)
            total = count * len(names)
        kwargs = dict(title=title or bank_title, style=style, pick=picks)
        if _terminal():
            with click.progressbar(length=total, label=f"Exporting {total} problems",
                                   file=sys.stderr) as bar:
                result = export(problems, fmt, progress=bar.update, **kwargs)
        else:
            result = export(problems, fmt, **kwargs)
    except QuizError as exc:
        _fail(exc.message)
    _write(result, output)


def _write(result: ExportResult, output: str) -> None:
    if output == "-":
        sys.stdout.buffer.write(result.data)
        sys.stdout.buffer.flush()
    else:
        Path(output).write_bytes(result.data)
    where = "standard output" if output == "-" else output
    click.echo(f"wrote {result.count} items ({result.format}, {len(result.data)} bytes) to {where}",
               err=True)
    if result.skipped:
        click.echo(f"left out {len(result.skipped)} items:", err=True)
        for s in result.skipped:
            click.echo(f"  {s.ident}: {s.reason}", err=True)


export_commands = [export_cmd]
