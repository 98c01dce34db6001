"""Alembic environment: our models' metadata and the app's database URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from quizsvc.store import Base, load_models
from quizsvc.store.engine import make_engine

config = context.config
if config.config_file_name is not None and not config.attributes.get("quiet"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

load_models()  # every table, including those other modules define
target_metadata = Base.metadata


def database_url() -> str:
    """The URL given by `quizsvc db ...`, `-x url=...`, or the app's configuration."""
    url = config.attributes.get("database_url") or context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    from quizsvc.app import create_app  # the same settings the server would use

    return create_app().config["DATABASE_URL"]


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection) -> None:  # noqa: ANN001 - an SQLAlchemy Connection
    # render_as_batch: SQLite can only alter tables by copying them; Alembic's batch mode does it.
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Copying a table drops the old one, and with foreign keys on, SQLite would delete (ON
        # DELETE CASCADE) every row referring to it. The pragma only acts outside a transaction.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if sqlite:
            connection.commit()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
