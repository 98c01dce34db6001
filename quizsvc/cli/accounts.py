"""Account commands: set a password for browser sign-in, delete expired guests."""

from __future__ import annotations

import sys

import click

from quizsvc.errors import QuizError


@click.command("set-password")
@click.argument("email")
def set_password_cmd(email: str) -> None:
    """Set the sign-in password of EMAIL, read from stdin (asked twice on a terminal)."""
    from quizsvc.cli.service import _app
    from quizsvc.extensions import db
    from quizsvc.services import accounts

    if sys.stdin.isatty():
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with _app().app_context():
        try:
            user = accounts.set_password(db.session, email, password)
        except QuizError as exc:
            raise click.ClickException(exc.message) from None
        db.session.commit()
        click.echo(f"password set for {user.role} #{user.id} {user.email}")


@click.command("purge-guests")
def purge_guests_cmd() -> None:
    """Delete guests idle past QUIZSVC_GUEST_TTL_DAYS, with their problems and attempts."""
    from quizsvc.cli.service import _app
    from quizsvc.extensions import db
    from quizsvc.services import accounts

    with _app().app_context():
        count = accounts.purge_guests(db.session)
        db.session.commit()
    click.echo(f"deleted {count} expired guest(s)")


account_commands = [set_password_cmd, purge_guests_cmd]
