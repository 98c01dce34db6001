"""The service commands: db upgrade/downgrade/current, create-user, demo-instructor, seed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from quizsvc.cli import main
from quizsvc.store.models import Bank, User


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("QUIZSVC_DATABASE_URL", url)
    monkeypatch.setenv("QUIZSVC_SECRET_KEY", "cli-test-secret")
    return url


def run(*args: str):  # noqa: ANN201
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def app_for(url: str):  # noqa: ANN201
    from quizsvc.app import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "cli-test-secret", "TESTING": True})


def test_db_upgrade_current_downgrade(cli_env):
    assert run("db", "current").exit_code == 1
    assert run("db", "upgrade").exit_code == 0
    current = run("db", "current")
    assert current.exit_code == 0 and "up to date" in current.output
    assert run("db", "downgrade", "base").exit_code == 0
    behind = run("db", "current")
    assert behind.exit_code == 1 and "quizsvc db upgrade" in behind.output


def test_create_user_prints_a_working_token(cli_env):
    run("db", "upgrade")
    result = run("create-user", "--role", "instructor", "--email", "T@Example.edu", "--name", "T")
    assert result.exit_code == 0
    token = result.stdout.strip().splitlines()[-1]
    client = app_for(cli_env).test_client()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json
    assert me["role"] == "instructor" and me["email"] == "t@example.edu"
    again = CliRunner().invoke(main, ["create-user", "--email", "t@example.edu"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_demo_instructor_is_created_once_and_gets_fresh_tokens(cli_env):
    run("db", "upgrade")
    tokens = []
    for _ in range(2):
        out = run("demo-instructor").output
        tokens.append(out.split("export TOKEN=")[1].split()[0])
    assert tokens[0] != tokens[1]
    app = app_for(cli_env)
    client = app.test_client()
    for token in tokens:
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    from quizsvc.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_seed_loads_the_curated_sets_once(cli_env):
    run("db", "upgrade")
    first = run("seed")
    assert first.exit_code == 0, first.output
    assert first.output.count("problems per student") == 3
    second = run("seed")
    assert second.output.count("already loaded") == 3
    app = app_for(cli_env)
    from quizsvc.extensions import db

    with app.app_context():
        banks = db.session.scalars(select(Bank)).all()
        assert len(banks) == 3 and all(b.items for b in banks)


def test_seed_refuses_a_bad_set(cli_env, tmp_path):
    run("db", "upgrade")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "problem_sets.json").write_text(json.dumps(
        {"format": 1, "sets": [{"title": "Bad", "items": [{"family": "no_such_family"}]}]}))
    result = CliRunner().invoke(main, ["seed", "--dir", str(seeds)])
    assert result.exit_code != 0 and "Bad" in result.output and "no_such_family" in result.output
