"""Alembic, driven from Python: upgrade, downgrade and the schema-behind check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[2]  # the repository: alembic.ini and migrations/


def alembic_config(database_url: str) -> AlembicConfig:
    """Return an Alembic config for our migrations and `database_url`."""
    cfg = AlembicConfig(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    # Passed as an attribute, not an ini option: URLs may hold '%' (configparser syntax).
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database up to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "-1") -> None:
    """Migrate the database down to `revision` (default: one step)."""
    command.downgrade(alembic_config(database_url), revision)


def heads() -> set[str]:
    """Return the head revisions of the migration scripts."""
    return set(ScriptDirectory.from_config(alembic_config("")).get_heads())


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config(""))
    return {rev.revision for rev in script.walk_revisions()}


def current(engine: Engine) -> set[str]:
    """Return the revisions the database is at (empty before the first upgrade)."""
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


@dataclass(frozen=True)
class SchemaStatus:
    """How the database's schema compares with the code's migrations."""

    ok: bool
    current: set[str]
    heads: set[str]
    message: str


def schema_status(engine: Engine) -> SchemaStatus:
    """Compare the database's revision with the migrations' head."""
    have, want = current(engine), heads()
    if have == want:
        return SchemaStatus(True, have, want, "the database schema is up to date")
    if not have:
        msg = "the database has no schema yet: run `quizsvc db upgrade`"
    elif have - known_revisions():
        msg = (f"the database is at revision {', '.join(sorted(have))}, which this version of "
               "quizsvc does not know (is the code older than the database?)")
    else:
        msg = (f"the database schema is behind (at {', '.join(sorted(have))}, code needs "
               f"{', '.join(sorted(want))}): run `quizsvc db upgrade`")
    return SchemaStatus(False, have, want, msg)
