"""Fixtures of the hardening tests, and the figures file docs/reliability.md quotes.

Each test that measures something writes `build/hardening/<name>.json`
(`record_figures`): counts of inputs tried, requests sent, faults injected and
rows lost, with the backend and the time, so that the document's numbers come
from runs rather than from memory. `build/` is not committed.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from sqlalchemy import text

from tests.conftest import SECRET, Template

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "build" / "hardening"


def record_figures(name: str, figures: dict[str, Any], *, per_worker: bool = False) -> Path:
    """Write `figures` to build/hardening/<name>.json (atomically); return the path.

    `per_worker`: for counts gathered over a module whose tests pytest-xdist may
    spread over workers; each worker writes <name>.<worker>.json, summed by
    `python -m tests.hardening.figures`.
    """
    FIGURES.mkdir(parents=True, exist_ok=True)
    if per_worker:
        name = f"{name}.{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    path = FIGURES / f"{name}.json"
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"test": name, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                               **figures}, indent=2, sort_keys=True, default=str) + "\n")
    tmp.replace(path)
    return path


@pytest.fixture(scope="module")
def module_database_url(db_template: Template,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty migrated database shared by one module's tests (the suite's backend)."""
    if db_template.kind == "sqlite":
        assert db_template.path is not None
        path = tmp_path_factory.mktemp("hardening") / "quizsvc.sqlite3"
        shutil.copyfile(db_template.path, path)
        yield f"sqlite:///{path}"
        return
    assert db_template.engine is not None
    with db_template.engine.begin() as conn:
        for table in db_template.tables:
            conn.execute(text(f'DELETE FROM "{table}"'))
    yield db_template.url


def make_app(database_url: str, **config: Any) -> Any:  # noqa: ANN401 - a Flask app
    """Create an app on `database_url` that answers errors as production does."""
    from quizsvc.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                      **config})
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer, as in production
    return app


def new_account(app: Any, role: str, email: str) -> tuple[int, str]:  # noqa: ANN401
    """Create a user with a token; return (id, token)."""
    from quizsvc.extensions import db
    from quizsvc.services import users

    with app.app_context():
        user = users.create_user(db.session, None, role=role, email=email, name=email)
        _, token = users.issue_token(db.session, user, "hardening")
        db.session.commit()
        return user.id, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def figures() -> Callable[[str, dict[str, Any]], Path]:
    return record_figures
