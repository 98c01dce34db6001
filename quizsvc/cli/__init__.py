"""The `quizsvc` console script: one click group, commands grouped by module."""

from __future__ import annotations

import click

from quizsvc.cli.accounts import account_commands
from quizsvc.cli.banks import bank_commands
from quizsvc.cli.engine import engine_commands
from quizsvc.cli.export import export_commands
from quizsvc.cli.lti import lti_group
from quizsvc.cli.serve import serve_commands
from quizsvc.cli.service import service_commands


class QuizsvcGroup(click.Group):
    """The command group; a database that cannot be used is told in one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from sqlalchemy.exc import ArgumentError, DBAPIError

        try:
            return super().invoke(ctx)
        except (DBAPIError, ArgumentError) as exc:
            from quizsvc.store.diagnose import explain

            raise click.ClickException(explain(exc, configured_database_url())) from None


def configured_database_url() -> str:
    """Return the database URL the commands use (QUIZSVC_DATABASE_URL, else the instance file)."""
    from flask import Flask

    from quizsvc.config import Config

    instance = Flask("quizsvc", instance_relative_config=True).instance_path
    return Config.load(instance)["DATABASE_URL"]


@click.group(cls=QuizsvcGroup,
             help="quizsvc: parametric CNN practice problems, graded by a NumPy solver.")
@click.version_option(package_name="quizsvc")
def main() -> None:
    """Run a quizsvc command."""


for _command in (engine_commands + service_commands + export_commands + serve_commands
                 + bank_commands):
    main.add_command(_command)
main.add_command(lti_group)
for _command in account_commands:
    main.add_command(_command)
