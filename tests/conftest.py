"""Fixtures: a fresh app and database per test, on SQLite or PostgreSQL.

SQLite (the default): the schema is built once per test session by running
the Alembic migrations into a template file, which each test copies.

PostgreSQL: set QUIZSVC_TEST_DATABASE_URL (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/mydb``). Each pytest-xdist
worker migrates its own schema of that database once, and every table is
emptied before each test, its id sequences reset. PostgreSQL-only tests (concurrency) read
QUIZSVC_TEST_POSTGRES_URL and are skipped when it is unset.
"""

from __future__ import annotations

import os

# One BLAS thread per test process, set before NumPy loads: pytest-xdist already runs a process
# per core, and BLAS threads fighting over the same cores cost several times the CPU (7x for
# the backprop_shapes reference convolutions on a loaded machine).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

TEST_DATABASE_URL = os.environ.get("QUIZSVC_TEST_DATABASE_URL", "")
TEST_POSTGRES_URL = os.environ.get("QUIZSVC_TEST_POSTGRES_URL", "")
SECRET = "test-secret-key"


def worker_name() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def url_with_schema(url: str, schema: str) -> str:
    """Return a PostgreSQL URL whose connections use `schema` (search_path)."""
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}) \
        .render_as_string(hide_password=False)


def fresh_schema(url: str, schema: str) -> str:
    """Drop and create `schema` on the server at `url`; return a URL that uses it."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return url_with_schema(url, schema)


def drop_schema(url: str, schema: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@dataclass
class Template:
    """The migrated database each test starts from."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    path: Path | None = None
    engine: Engine | None = None
    tables: tuple[str, ...] = ()
    sequences: tuple[str, ...] = ()  # the id sequences of those tables


@pytest.fixture(scope="session")
def db_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    from quizsvc.store import migrate

    if TEST_DATABASE_URL:
        schema = f"quizsvc_test_{worker_name()}"
        url = fresh_schema(TEST_DATABASE_URL, schema)
        migrate.upgrade(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            existing = set(conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
            sequences = tuple(conn.execute(text(
                "SELECT pg_get_serial_sequence(quote_ident(table_name), column_name) "
                "FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND (column_default LIKE 'nextval%' OR is_identity = 'YES')")).scalars())
        # Children first, so that plain DELETEs satisfy the foreign keys.
        from quizsvc.store import Base

        tables = tuple(t.name for t in reversed(Base.metadata.sorted_tables) if t.name in existing)
        yield Template("postgresql", url, engine=engine, tables=tables, sequences=sequences)
        engine.dispose()
        drop_schema(TEST_DATABASE_URL, schema)
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        migrate.upgrade(f"sqlite:///{path}")
        yield Template("sqlite", f"sqlite:///{path}", path=path)


@pytest.fixture
def database_url(db_template: Template, tmp_path: Path) -> str:
    """Return the URL of an empty, fully migrated database for this test."""
    if db_template.kind == "sqlite":
        assert db_template.path is not None
        path = tmp_path / "quizsvc.sqlite3"
        shutil.copyfile(db_template.path, path)
        return f"sqlite:///{path}"
    assert db_template.engine is not None
    # DELETE of a few rows and resetting the id sequences take milliseconds; TRUNCATE of
    # every table took ~0.4 s. Ids restart at 1, as in a fresh SQLite copy, so tests see
    # the same ids (and hence the same bank variants) on both databases.
    with db_template.engine.begin() as conn:
        for table in db_template.tables:
            conn.execute(text(f'DELETE FROM "{table}"'))
        for sequence in db_template.sequences:
            conn.execute(text("SELECT setval(CAST(:s AS regclass), 1, false)"), {"s": sequence})
    return db_template.url


@pytest.fixture
def app(database_url: str):  # noqa: ANN201 - a Flask app
    from quizsvc.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET})
    yield app
    app.extensions["quizsvc.db"]["engine"].dispose()


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    return app.test_client()


@pytest.fixture
def db(app):  # noqa: ANN001, ANN201
    """A session on the test's database, inside an app context."""
    from quizsvc.extensions import db as database

    with app.app_context():
        yield database.session


@dataclass
class Account:
    """A user made for a test, with a token."""

    id: int
    role: str
    token: str
    email: str | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_account(app) -> Callable[..., Account]:  # noqa: ANN001
    """Return a function that creates a user with a token."""
    from quizsvc.extensions import db as database
    from quizsvc.services import users

    counter = iter(range(1, 10_000))

    def make(role: str = "student", email: str | None = None, name: str = "") -> Account:
        n = next(counter)
        email = email or f"{role}{n}@example.edu"
        with app.app_context():
            user = users.create_user(database.session, None, role=role, email=email,
                                     name=name or f"{role.title()} {n}")
            _, token = users.issue_token(database.session, user, "test")
            database.session.commit()
            return Account(user.id, role, token, user.email)

    return make


@pytest.fixture
def student(make_account) -> Account:  # noqa: ANN001
    return make_account("student")


@pytest.fixture
def other_student(make_account) -> Account:  # noqa: ANN001
    return make_account("student")


@pytest.fixture
def instructor(make_account) -> Account:  # noqa: ANN001
    return make_account("instructor")


@pytest.fixture
def other_instructor(make_account) -> Account:  # noqa: ANN001
    return make_account("instructor")


@pytest.fixture
def admin(make_account) -> Account:  # noqa: ANN001
    return make_account("admin")


requires_postgres = pytest.mark.skipif(
    not TEST_POSTGRES_URL,
    reason="PostgreSQL-only test: set QUIZSVC_TEST_POSTGRES_URL to a database URL "
           "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/quizsvc_dev) to run it")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: uses the test database (added automatically); "
                                       "CI runs `-m db` again on PostgreSQL")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the per-test database with `db`."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
