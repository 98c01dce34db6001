"""Service commands: migrate the database, create users, seed curated problem sets."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import select

from quizsvc.errors import QuizError

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
DEMO_EMAIL = "demo-instructor@localhost"


def _app():  # noqa: ANN202 - a Flask app, imported lazily to keep `quizsvc families` fast
    from quizsvc.app import create_app

    return create_app()


@click.group("db")
def db_group() -> None:
    """Migrate the database (QUIZSVC_DATABASE_URL, default the instance SQLite file)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the latest)."""
    from quizsvc.store import migrate

    url = _app().config["DATABASE_URL"]
    migrate.upgrade(url, revision)
    click.echo(f"database at {_safe(url)} is at revision {revision}")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (default: one step; `base`: empty)."""
    from quizsvc.store import migrate

    migrate.downgrade(_app().config["DATABASE_URL"], revision)


@db_group.command("current")
def db_current() -> None:
    """Print the database's revision and whether it is up to date."""
    from quizsvc.store.engine import make_engine
    from quizsvc.store.migrate import schema_status

    engine = make_engine(_app().config["DATABASE_URL"])
    status = schema_status(engine)
    engine.dispose()
    click.echo(f"current: {', '.join(sorted(status.current)) or '(none)'}; "
               f"head: {', '.join(sorted(status.heads))}; {status.message}")
    sys.exit(0 if status.ok else 1)


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.command("create-user")
@click.option("--role", type=click.Choice(["student", "instructor", "admin"]), default="student",
              show_default=True)
@click.option("--name", default="")
@click.option("--email", default=None)
@click.option("--sis-user-id", default=None)
def create_user_cmd(role: str, name: str, email: str | None, sis_user_id: str | None) -> None:
    """Create a user and print a new API token for them (shown only this once)."""
    from quizsvc.extensions import db
    from quizsvc.services import users

    with _app().app_context():
        try:
            user = users.create_user(db.session, None, role=role, name=name, email=email,
                                     sis_user_id=sis_user_id)
            _, token = users.issue_token(db.session, user, "cli")
        except QuizError as exc:
            raise click.ClickException(exc.message) from None
        db.session.commit()
        click.echo(f"created {role} #{user.id} {user.email or user.name}", err=True)
        click.echo(token)


def _demo_instructor(session):  # noqa: ANN001, ANN202 - a Session, a User
    """Return the demo instructor, created if missing."""
    from quizsvc.services import users
    from quizsvc.store.models import User

    user = session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if user is None:
        user = users.create_user(session, None, role="instructor", name="Demo Instructor",
                                 email=DEMO_EMAIL)
    return user


@click.command("demo-instructor")
def demo_instructor_cmd() -> None:
    """Create the demo instructor if missing, and print a fresh token for them."""
    from quizsvc.extensions import db
    from quizsvc.services import users

    with _app().app_context():
        user = _demo_instructor(db.session)
        _, token = users.issue_token(db.session, user, "demo")
        db.session.commit()
        click.echo(f"Demo instructor {DEMO_EMAIL} (user #{user.id}). API token:\n\n"
                   f"    export TOKEN={token}\n")


@click.command("seed")
@click.option("--owner", default=DEMO_EMAIL, show_default=True,
              help="Email of the instructor who will own the curated banks.")
@click.option("--dir", "seed_dir", type=click.Path(file_okay=False, path_type=Path),
              default=SEEDS, show_default=True)
def seed_cmd(owner: str, seed_dir: Path) -> None:
    """Load seeds/: the curated problem sets (as banks) and the concept questions."""
    from quizsvc.extensions import db
    from quizsvc.services import seeding

    with _app().app_context():
        if owner == DEMO_EMAIL:
            _demo_instructor(db.session)
        try:
            report = seeding.load_seeds(db.session, seed_dir, owner)
        except QuizError as exc:
            raise click.ClickException(exc.message) from None
        db.session.commit()
    for line in report:
        click.echo(line)


service_commands = [db_group, create_user_cmd, demo_instructor_cmd, seed_cmd]
