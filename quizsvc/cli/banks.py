"""``quizsvc bank``: question banks for instructors, from YAML or JSON files.

A bank file holds what ``POST /api/v1/banks`` takes, and is checked by the same
schema::

    title: Week 3 - convolution shapes
    max_attempts: 3
    show_key: after_last_attempt
    items:
      - {family: conv_output_shape, level: easy, count: 2}
      - {family: same_padding, level: medium, seeds: [4, 9]}

Banks are named by id or by title. Commands act as an instructor (``--as``,
default the demo instructor) and may only reach that instructor's banks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from quizsvc.cli.export import FormatName
from quizsvc.cli.tables import table
from quizsvc.errors import QuizError

DEMO_EMAIL = "demo-instructor@localhost"
as_option = click.option("--as", "actor_email", default=DEMO_EMAIL, show_default=True,
                         metavar="EMAIL", help="The instructor acting (`quizsvc create-user "
                                               "--role instructor` makes one).")


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _app():  # noqa: ANN202 - a Flask app, imported lazily
    from quizsvc.app import create_app

    return create_app()


def _actor(session, email: str):  # noqa: ANN001, ANN202 - a Session, a User
    from sqlalchemy import select

    from quizsvc.store.models import User

    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        hint = ("run `quizsvc demo-instructor` first" if email == DEMO_EMAIL else
                "create them with `quizsvc create-user --role instructor --email ...`")
        _fail(f"no user {email!r}: {hint}")
    if user.role not in ("instructor", "admin"):
        _fail(f"{email} is a {user.role}; banks need an instructor (--as EMAIL)")
    session.info["audit_actor_id"], session.info["audit_actor_role"] = user.id, user.role
    return user


@contextmanager
def acting(actor_email: str, where: str = "") -> Iterator[tuple[Any, Any, Any]]:
    """Open the app as `actor_email`; yield (app, session, user). A service's refusal inside
    becomes a one-line CLI error (prefixed with `where`, a file, when given)."""
    from quizsvc.extensions import db

    app = _app()
    with app.app_context():
        user = _actor(db.session, actor_email)
        try:
            yield app, db.session, user
        except QuizError as exc:
            hint = ("; add students with `quizsvc create-user --email ...`"
                    if "unknown users" in exc.message else
                    "; `quizsvc bank list` shows your banks" if "no bank" in exc.message else "")
            _fail(f"{where}: {exc.message}" if where else exc.message + hint)


def managed_banks(session, user) -> list:  # noqa: ANN001 - a Session, a User
    """Return every bank `user` manages, over all pages."""
    from quizsvc.services import banks

    out, page = [], 1
    while True:
        rows, total = banks.list_banks(session, user, page=page, page_size=500)
        out += [b for b in rows if banks.can_manage(session, user, b)]
        if page * 500 >= total:
            return out
        page += 1


def find_bank(session, user, ref: str):  # noqa: ANN001, ANN201 - a Bank
    """Return the bank `ref` names (an id, or a title, case ignored) that `user` manages."""
    from quizsvc.services import banks

    if ref.strip().isdigit():
        return banks.get_bank(session, user, int(ref), manage=True)
    wanted = ref.strip().lower()
    matches = [b for b in managed_banks(session, user) if b.title.strip().lower() == wanted]
    if not matches:
        _fail(f"no bank titled {ref!r}; `quizsvc bank list` shows your banks")
    if len(matches) > 1:
        ids = ", ".join(str(b.id) for b in matches)
        _fail(f"{len(matches)} banks are titled {ref!r} (ids {ids}): name one by its id")
    return matches[0]


def checked_spec(data: Any, where: str) -> dict[str, Any]:  # noqa: ANN401 - parsed file data
    """Return a bank's contents checked by the API's schema; a one-line error otherwise."""
    from marshmallow import ValidationError

    from quizsvc.api.errors import field_messages
    from quizsvc.schemas.banks import BankCreate

    if not isinstance(data, dict):
        _fail(f"{where} should hold a mapping with a title and items")
    try:
        return BankCreate().load(data)
    except ValidationError as exc:
        _fail(f"{where}: " + "; ".join(field_messages(exc.messages, limit=5)))
    raise AssertionError("unreachable")


def read_bank_file(path: Path) -> dict[str, Any]:
    """Return a bank file's contents (YAML, or JSON for a .json file), checked."""
    import yaml

    kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if kind == "JSON" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        _fail(f"{path} is not valid {kind}: {' '.join(str(exc).split())}")
    return checked_spec(data, str(path))


def _create(session, user, spec: dict[str, Any]):  # noqa: ANN001, ANN202 - a Bank
    from quizsvc.services import banks
    from quizsvc.services.policy import Policy

    items = [banks.ItemSpec(i["family"], i["level"], i["count"],
                            tuple(i["seeds"]) if i["seeds"] else None) for i in spec["items"]]
    course = banks.course_for_bank(session, user, spec["course_id"])
    return banks.create_bank(session, user, spec["title"], items,
                             Policy(spec["max_attempts"], spec["show_key"]), spec["description"],
                             course, whole_course=spec["whole_course"])


def _items_table(bank) -> str:  # noqa: ANN001 - a Bank
    return table(["#", "family", "level", "count", "seeds"],
                 [[i.position, i.family, i.level, i.count,
                   ", ".join(map(str, i.seeds)) if i.seeds else None] for i in bank.items])


@click.group("bank")
def bank_group() -> None:
    """Question banks: create from a YAML or JSON file, list, show, assign, results, export."""


@bank_group.command("create")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@as_option
def create_cmd(file: Path, actor_email: str) -> None:
    """Create a bank from FILE (.yaml, .yml or .json: title, items, max_attempts, show_key)."""
    spec = read_bank_file(file)
    with acting(actor_email, str(file)) as (_, session, user):
        bank = _create(session, user, spec)
        session.commit()
        click.echo(f"created bank {bank.id} {bank.title!r} ({len(bank.items)} items); "
                   f"assign it with `quizsvc bank assign {bank.id} EMAIL...`")


@bank_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", help="Title of the new bank (default: the file's).")
@as_option
def import_cmd(file: Path, title: str | None, actor_email: str) -> None:
    """Create a bank from a JSON bank file (`quizsvc export --format json`): its variants."""
    from quizsvc.exporters.jsonbank import loads

    try:
        file_title, problems = loads(file.read_bytes())
    except QuizError as exc:
        _fail(f"{file}: {exc.message}")
    groups: dict[tuple[str, str], list[int]] = {}
    for p in problems:
        if p.level == "custom":
            _fail(f"{file}: {p.family} seed {p.seed} has instructor-set parameters; a bank "
                  "holds generated variants only")
        groups.setdefault((p.family, p.level), []).append(p.seed)
    items = [{"family": f, "level": lv, "seeds": seeds} for (f, lv), seeds in groups.items()]
    spec = checked_spec({"title": title or file_title, "items": items}, str(file))
    with acting(actor_email, str(file)) as (_, session, user):
        bank = _create(session, user, spec)
        session.commit()
        click.echo(f"imported bank {bank.id} {bank.title!r}: {len(problems)} variants in "
                   f"{len(items)} items")


@bank_group.command("list")
@as_option
def list_cmd(actor_email: str) -> None:
    """List your banks."""
    from quizsvc.services import banks

    with acting(actor_email) as (_, session, user):
        rows = [[b.id, b.course_id, b.title, len(b.items), sum(i.count for i in b.items),
                 len(banks.assigned_users(session, b)), b.max_attempts, b.show_key]
                for b in managed_banks(session, user)]
    if not rows:
        click.echo("no banks yet: `quizsvc bank create FILE` makes one")
        return
    click.echo(table(["id", "course", "title", "items", "problems", "students", "attempts",
                      "show_key"], rows))


@bank_group.command("show")
@click.argument("bank")
@as_option
def show_cmd(bank: str, actor_email: str) -> None:
    """Show BANK (an id or a title): its policy, items and students."""
    from quizsvc.services import banks

    with acting(actor_email) as (_, session, user):
        b = find_bank(session, user, bank)
        students = banks.assigned_users(session, b)
        click.echo(f"bank {b.id}: {b.title}\nattempts per problem: "
                   f"{b.max_attempts or 'unlimited'}; keys shown: {b.show_key}\n")
        click.echo(_items_table(b))
        click.echo(f"\n{len(students)} student(s): "
                   + (", ".join(s.email or s.name for s in students) or "none yet"))


@bank_group.command("assign")
@click.argument("bank")
@click.argument("emails", nargs=-1, required=True)
@as_option
def assign_cmd(bank: str, emails: tuple[str, ...], actor_email: str) -> None:
    """Assign BANK to the students with these EMAILS (each gets their own variants).

    Students not yet in the bank's course are enrolled in it first.
    """
    from quizsvc.services import banks, courses

    with acting(actor_email) as (app, session, user):
        b = find_bank(session, user, bank)
        users = banks.resolve_users(session, [], list(emails))
        for student in users:
            if student.role == "student":
                courses.enroll(session, user, b.course, student)
        new, already = banks.assign(session, b, users, app.config["SECRET_KEY"])
        session.commit()
        click.echo(f"assigned {b.title!r} to {len(new)} student(s)"
                   + (f"; {len(already)} already had it" if already else ""))


@bank_group.command("results")
@click.argument("bank")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@as_option
def results_cmd(bank: str, as_json: bool, actor_email: str) -> None:
    """Each student's score on BANK: best attempt per problem, summed."""
    from quizsvc.services import analytics

    with acting(actor_email) as (_, session, user):
        b = find_bank(session, user, bank)
        results = analytics.results(session, b)
    if as_json:
        click.echo(json.dumps([{k: v for k, v in vars(r).items() if k != "last_attempt_at"}
                               for r in results], indent=2))
        return
    if not results:
        click.echo(f"nobody has {b.title!r} yet: `quizsvc bank assign {b.id} EMAIL...`")
        return
    click.echo(table(["student", "email", "score", "of", "percent", "attempts", "solved"],
                     [[r.name, r.email, r.score, r.max_score, r.percent, r.attempts, r.solved]
                      for r in results]))


@bank_group.command("export")
@click.argument("bank")
@click.option("--format", "fmt", required=True, type=FormatName(),
              help="A registered format: moodle (XML), qti12 (Canvas zip), gift (text), json "
                   "(our bank file), pdf (a worksheet; `quizsvc export --bank` prints exams "
                   "and keys), ... (`quizsvc export --list-formats`).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write ('-' for standard output).")
@click.option("--pool", type=click.IntRange(1, 20), default=5, show_default=True,
              help="Variants exported per problem a student gets (items without fixed seeds).")
@as_option
def export_cmd(bank: str, fmt: str, output: str, pool: int, actor_email: str) -> None:
    """Export BANK (an id or a title) for an LMS."""
    from quizsvc.cli.export import write_result
    from quizsvc.exporters import export
    from quizsvc.services.exports import export_problems

    with acting(actor_email) as (app, session, user):
        b = find_bank(session, user, bank)
        pooled = export_problems(b, app.config["SECRET_KEY"], pool)
        result = export(pooled.problems, fmt, title=pooled.title, pick=pooled.picks,
                        policy=pooled.policy)
    write_result(result, output)


bank_commands = [bank_group]
