"""Database URL problems, told in one line by the CLI and the readiness probe."""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from quizsvc.cli import main
from quizsvc.config import database_url
from tests.conftest import TEST_POSTGRES_URL, requires_postgres
from tests.hardening.servers import free_port

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def run(url: str, *args: str):  # noqa: ANN201
    return CliRunner().invoke(main, list(args),
                              env={"QUIZSVC_DATABASE_URL": url, "QUIZSVC_SECRET_KEY": "x"})


def one_line_error(result) -> str:  # noqa: ANN001
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is not None
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.mark.parametrize("alias", ["postgres://", "postgresql://", "postgresql+psycopg://"])
def test_postgres_aliases_mean_psycopg(alias):
    assert database_url(f"{alias}u:p@h:5433/db") == "postgresql+psycopg://u:p@h:5433/db"
    assert database_url(" sqlite:///x.db ") == "sqlite:///x.db"


def test_no_server_is_one_line(tmp_path):
    line = one_line_error(run(f"postgres://postgres@127.0.0.1:{free_port()}/x", "db", "upgrade"))
    assert "no PostgreSQL database server answers at 127.0.0.1:" in line and "QUIZSVC_DATABASE_URL" in line


def test_sqlite_folder_missing_is_one_line(tmp_path):
    line = one_line_error(run(f"sqlite:///{tmp_path}/no/such/dir/q.sqlite3", "db", "current"))
    assert "cannot open the SQLite file" in line and "no/such/dir" in line


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unusable_url_is_one_line(url):
    line = one_line_error(run(url, "create-user", "--email", "a@example.edu"))
    assert "is not a database URL quizsvc can use" in line and "postgresql+psycopg://" in line


@requires_postgres
def test_missing_database_is_one_line_and_names_createdb():
    name = f"quizsvc_missing_{uuid.uuid4().hex[:8]}"
    line = one_line_error(run(f"{SERVER}/{name}", "db", "upgrade"))
    assert f"has no database {name!r}" in line and f"createdb -h 127.0.0.1 -U postgres {name}" in line


@requires_postgres
def test_postgres_alias_migrates_a_real_database():
    name = f"quizsvc_alias_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        result = run(f"postgres://postgres@127.0.0.1:5432/{name}", "db", "upgrade")
        assert result.exit_code == 0, result.output
        assert "postgresql+psycopg://postgres@127.0.0.1:5432/" in result.output
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_readiness_probe_says_why_in_one_line(tmp_path):
    from quizsvc.app import create_app

    for url, words in [(f"sqlite:///{tmp_path}/nowhere/q.sqlite3", "cannot open the SQLite file"),
                       (f"postgres://postgres@127.0.0.1:{free_port()}/x",
                        "no PostgreSQL database server answers")]:
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x"})
        r = app.test_client().get("/readyz")
        assert r.status_code == 503 and words in r.json["message"], r.json
        assert "\n" not in r.json["message"] and "Traceback" not in r.get_data(as_text=True)
