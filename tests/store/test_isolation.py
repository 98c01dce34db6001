"""Each test gets an empty database whose ids start at 1, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizsvc.store.models import User


@pytest.mark.parametrize("run", [1, 2])
def test_fresh_database_each_test(db, make_account, run):
    assert db.scalar(select(func.count()).select_from(User)) == 0
    first = make_account("student")
    assert first.id == 1  # the id sequences were reset too
