"""The `quizsvc` console script: one click group, commands grouped by module."""

from __future__ import annotations

import click

from quizsvc.cli.accounts import account_commands
from quizsvc.cli.engine import engine_commands
from quizsvc.cli.export import export_commands
from quizsvc.cli.lti import lti_group
from quizsvc.cli.service import service_commands


@click.group(help="quizsvc: parametric CNN practice problems, graded by a NumPy solver.")
@click.version_option(package_name="quizsvc")
def main() -> None:
    """Run a quizsvc command."""


for _command in engine_commands + service_commands + export_commands:
    main.add_command(_command)
main.add_command(lti_group)
for _command in account_commands:
    main.add_command(_command)
