"""Alembic migrations: up, down and up again; models and migrations agree; a schema
behind the code makes the app refuse with a message saying what to run."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from quizsvc.store import Base, load_models, migrate
from quizsvc.store.engine import make_engine
from tests.conftest import TEST_DATABASE_URL, TEST_POSTGRES_URL, drop_schema, fresh_schema, worker_name

PG_URL = TEST_POSTGRES_URL or TEST_DATABASE_URL
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not PG_URL, reason="set QUIZSVC_TEST_POSTGRES_URL to run the migrations on PostgreSQL"))]


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    schema = f"quizsvc_migrations_{worker_name()}"
    yield fresh_schema(PG_URL, schema)
    drop_schema(PG_URL, schema)


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_url):
    load_models()
    ours = {"users", "api_tokens", "problems", "attempts", "banks", "bank_items",
            "bank_assignments"}
    migrate.upgrade(empty_url)
    assert ours <= tables(empty_url)
    migrate.downgrade(empty_url, "base")
    assert tables(empty_url) == set()
    migrate.upgrade(empty_url)
    assert tables(empty_url) == set(Base.metadata.tables)


def test_models_match_migrations(empty_url):
    """Autogenerate finds nothing to add: every model change has its migration."""
    load_models()
    migrate.upgrade(empty_url)
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == [], f"models differ from the migrations: {diff}"


def test_single_head():
    assert len(migrate.heads()) == 1


def test_app_refuses_a_schema_behind(tmp_path):
    from quizsvc.app import create_app

    url = f"sqlite:///{tmp_path / 'behind.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "k"})
    client = app.test_client()
    r = client.get("/api/v1/families")
    assert r.status_code == 503
    assert "quizsvc db upgrade" in r.json["message"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    migrate.upgrade(url)
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/families").status_code == 401  # served again: now it wants a token
    app.extensions["quizsvc.db"]["engine"].dispose()
