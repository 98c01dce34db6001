"""``quizsvc export``: write a question bank in any registered format (Moodle, Canvas, GIFT, ...)."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Any, Iterable

import click

from quizsvc import exporters
from quizsvc.errors import QuizError
from quizsvc.exporters import STYLES, ExportResult, export, problems_for
from quizsvc.exporters.common import report_lines
from quizsvc.exporters.pdf import MODES
from quizsvc.families.problem import Problem


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _terminal() -> bool:
    """Return whether a person watches standard error (a progress bar would help them)."""
    return sys.stderr.isatty()


class FormatName(click.ParamType):
    """A registered format, checked when the command runs (formats may register late)."""

    name = "format"

    def convert(self, value: Any, param, ctx) -> str:
        value = str(value).strip().lower()  # `PDF` and ` moodle ` name formats too
        if value not in exporters.names():
            self.fail(f"{value!r} is not a format; choose from {', '.join(exporters.names())} "
                      "(see --list-formats)", param, ctx)
        return value


def _list_formats(ctx: click.Context, _param, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    for f in exporters.formats():
        click.echo(f"{f.name:<8} {f.extension:<6} {f.media_type:<28} {f.description}")
    ctx.exit()


def _ad_hoc(names: tuple[str, ...], level: str, count: int, seed: int) -> Iterable[Problem]:
    return itertools.chain.from_iterable(problems_for(n, level, count, seed) for n in names)


def in_app(work):
    """Run ``work(session, secret)`` inside the service's app (needs its database)."""
    from quizsvc.app import create_app  # the app only when a stored bank is asked for
    from quizsvc.extensions import db

    app = create_app()
    with app.app_context():
        return work(db.session, app.config["SECRET_KEY"])


def _bank(bank_id: int, pool: int):
    """Return the export pool of a stored bank (needs the service's database)."""
    from quizsvc.services.exports import export_problems, load_bank

    return in_app(lambda session, secret: export_problems(load_bank(session, bank_id), secret, pool))


def _papers(bank_id: int, mode: str) -> tuple[str, list]:
    """Return a stored bank's title and the papers a PDF mode prints (code, student, problems)."""
    from quizsvc.services.exports import load_bank
    from quizsvc.services.papers import bank_papers

    def work(session, secret):
        bank = load_bank(session, bank_id)
        return bank.title, [p.as_tuple() for p in bank_papers(session, bank, secret, mode)]

    return in_app(work)


@click.command("export")
@click.option("--list-formats", is_flag=True, expose_value=False, is_eager=True,
              callback=_list_formats, help="List the formats and exit.")
@click.option("--format", "fmt", type=FormatName(), required=True,
              help="A registered format: moodle (XML), qti12 (Canvas zip), gift (text), "
                   "json (our bank file), ... (see --list-formats).")
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
@click.option("--mode", type=click.Choice(MODES), default="worksheet", show_default=True,
              help="pdf: worksheet (one version), exam (a version per student the bank is "
                   "assigned to; needs --bank), key (the worksheet's answer key) or exam-key.")
@click.option("--split", is_flag=True,
              help="pdf exam: one PDF per student, in a zip (default: one PDF, a version per student).")
@click.option("--title", help="Title of the quiz or category (default: the bank's title).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write ('-' for standard output).")
def export_cmd(fmt: str, names: tuple[str, ...], level: str, count: int, seed: int,
               bank_id: int | None, style: str, pick: int | None, pool: int, mode: str,
               split: bool, title: str | None, output: str) -> None:
    """Export a question bank for an LMS: a stored bank, or COUNT variants of each family."""
    if bank_id is not None and names:
        _fail("give either --bank or --family, not both")
    if bank_id is None and not names:
        _fail("give --family NAME (repeatable) or --bank ID")
    if mode in ("exam", "exam-key") and bank_id is None:
        _fail("an exam prints each assigned student's own variants: give --bank ID")
    try:
        picks: int | dict | None = 1 if pick is None else (pick or None)
        policy = papers = None
        if bank_id is not None and fmt == "pdf":
            bank_title, papers = _papers(bank_id, mode)
            problems = [p for paper in papers for p in paper[2]]
            total = len(problems)
        elif bank_id is not None:
            bank = _bank(bank_id, pool)
            bank_title, problems, total, policy = bank.title, bank.problems, len(bank.problems), bank.policy
            if pick is None:
                picks = bank.picks
        else:
            bank_title = f"{', '.join(names)} ({level})"
            problems = _ad_hoc(names, level, count, seed)
            total = count * len(names)
        kwargs = dict(title=title or bank_title, style=style, pick=picks, policy=policy,
                      mode=mode, papers=papers, extra={"split": split})
        if _terminal():
            with click.progressbar(length=total, label=f"Exporting {total} problems",
                                   file=sys.stderr) as bar:
                result = export(problems, fmt, progress=bar.update, **kwargs)
        else:
            result = export(problems, fmt, **kwargs)
    except QuizError as exc:
        _fail(exc.message)
    write_result(result, output)


def write_result(result: ExportResult, output: str) -> None:
    """Write an export to a file or standard output and report what went in, on stderr."""
    if output == "-":
        sys.stdout.buffer.write(result.data)
        sys.stdout.buffer.flush()
    else:
        Path(output).write_bytes(result.data)
    where = "standard output" if output == "-" else output
    click.echo(f"wrote {result.count} items ({result.format}, {len(result.data)} bytes) to {where}",
               err=True)
    for line in report_lines(result.skipped, result.notes):
        click.echo(line, err=True)


@click.command("key")
@click.argument("code")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the paper's answer key as PDF to this file ('-': standard output); "
                   "without it, print the key as text.")
def key_cmd(code: str, output: str | None) -> None:
    """Turn a printed paper's version CODE (or its QR code's text) back into that paper's key."""
    from quizsvc.services.papers import resolve

    try:
        bank, paper = in_app(lambda session, secret: resolve(session, code, secret))
        if output is None:
            click.echo(f"{bank.title}: paper {paper.code}" + (f" ({paper.student})" if paper.student else ""))
            for n, p in enumerate(paper.problems, 1):
                answer = "; ".join(f"{f['label']}: {_plain(p.answer[f['name']])}" for f in p.answer_spec)
                click.echo(f"{n:>3}. [{p.family} {p.level} seed {p.seed}] {answer}")
            return
        result = export(paper.problems, "pdf", title=bank.title, mode="key",
                        papers=[paper.as_tuple()])
    except QuizError as exc:
        _fail(exc.message)
    write_result(result, output)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return str(value)


export_commands = [export_cmd, key_cmd]
