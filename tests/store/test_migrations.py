"""Alembic migrations: up, down and up again; models and migrations agree; a schema
behind the code makes the app refuse with a message saying what to run."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

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


def _insert_pre_course_data(url: str) -> None:
    """Two instructors, their students and banks, an LTI context and an audit row (audit01)."""
    engine = make_engine(url)
    now = "2026-11-30 10:00:00+00:00"
    rows = {
        "users": [
            # id, role, name, email, created_by_id
            (1, "instructor", "Ann", "ann@example.edu", None),
            (2, "instructor", "Bob", "bob@example.edu", None),
            (3, "student", "S3", "s3@example.edu", 1),     # Ann created
            (4, "student", "S4", "s4@example.edu", None),  # assigned to Ann's bank
            (5, "student", "S5", "s5@example.edu", 2),     # Bob created
            (6, "admin", "Root", "root@example.edu", None),
        ],
    }
    with engine.begin() as conn:
        for uid, role, name, email, creator in rows["users"]:
            conn.execute(text(
                "INSERT INTO users (id, role, name, email, active, created_by_id, created_at) "
                "VALUES (:i, :r, :n, :e, :a, :c, :t)"),
                {"i": uid, "r": role, "n": name, "e": email, "a": True, "c": creator, "t": now})
        for tid, uid in ((1, 3), (2, 4), (3, 1)):
            conn.execute(text("INSERT INTO api_tokens (id, user_id, token_hash, hint, name, "
                              "created_at) VALUES (:i, :u, :h, 'qz_x', '', :t)"),
                         {"i": tid, "u": uid, "h": f"{tid:064d}", "t": now})
        for bid, owner in ((1, 1), (2, 2)):
            conn.execute(text("INSERT INTO banks (id, owner_id, title, description, max_attempts, "
                              "show_key, created_at) VALUES (:i, :o, 'B', '', 3, 'never', :t)"),
                         {"i": bid, "o": owner, "t": now})
        conn.execute(text("INSERT INTO bank_assignments (id, bank_id, user_id, assigned_at) "
                          "VALUES (1, 1, 4, :t)"), {"t": now})
        conn.execute(text("INSERT INTO lti_platforms (id, name, issuer, client_id, auth_login_url, "
                          "auth_token_url, created_at) VALUES (1, 'P', 'https://lms', 'c', 'x', "
                          "'y', :t)"), {"t": now})
        conn.execute(text("INSERT INTO lti_resource_links (id, platform_id, deployment_id, "
                          "resource_link_id, context_id, bank_id, scopes, passback_policy, "
                          "created_at, updated_at) VALUES (1, 1, 'd', 'rl', 'ctx', 1, '', "
                          "'attempt', :t, :t)"), {"t": now})
        conn.execute(text("INSERT INTO users (id, role, name, active, created_at, lti_issuer, "
                          "lti_subject) VALUES (7, 'student', 'L', :a, :t, 'https://lms', 'sub')"),
                     {"a": True, "t": now})
        conn.execute(text("INSERT INTO lti_link_users (id, link_id, user_id, lti_subject, role, "
                          "last_launch_at) VALUES (1, 1, 7, 'sub', 'student', :t)"), {"t": now})
        conn.execute(text("INSERT INTO audit_log (id, at, actor_id, action, target_type, "
                          "target_id, details) VALUES (1, :t, 1, 'bank.create', 'bank', 1, '{}')"),
                     {"t": now})
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("users", "api_tokens", "banks", "bank_assignments", "lti_platforms",
                          "lti_resource_links", "lti_link_users", "audit_log"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
    engine.dispose()


def before_courses() -> str:
    """The revision just before courses01 (whatever the heads are chained to)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(migrate.alembic_config("")).get_revision(
        "courses01").down_revision


def test_courses_migration_moves_data_up_down_up(empty_url):
    """Each instructor gets a default course with their banks and students; down and up again."""
    load_models()
    migrate.upgrade(empty_url, "audit01")  # the data of a server from before courses and lti02
    _insert_pre_course_data(empty_url)
    for _ in range(2):
        migrate.upgrade(empty_url)
        engine = make_engine(empty_url)
        with engine.connect() as conn:
            course_of = dict(conn.execute(text("SELECT created_by_id, id FROM courses")).all())
            assert set(course_of) == {1, 2}  # Ann and Bob; the admin owns no bank
            banks = dict(conn.execute(text("SELECT id, course_id FROM banks")).all())
            assert banks == {1: course_of[1], 2: course_of[2]}
            enrolled = {(c, u): r for c, u, r in conn.execute(
                text("SELECT course_id, user_id, role FROM enrollments"))}
            assert enrolled == {(course_of[1], 1): "instructor", (course_of[1], 3): "student",
                                (course_of[1], 4): "student", (course_of[1], 7): "student",
                                (course_of[2], 2): "instructor", (course_of[2], 5): "student"}
            claimed = dict(conn.execute(text("SELECT id, claimed_at IS NOT NULL FROM users")).all())
            assert {u for u, c in claimed.items() if not c} == {3, 5}
            issued = dict(conn.execute(text("SELECT id, issued_by_id FROM api_tokens")).all())
            assert issued == {1: 1, 2: None, 3: None}
            context = conn.execute(text("SELECT lti_platform_id, lti_context_id FROM courses "
                                        "WHERE id = :c"), {"c": course_of[1]}).one()
            assert tuple(context) == (1, "ctx")
            assert conn.execute(text("SELECT course_id FROM lti_resource_links")).scalar() \
                == course_of[1]
            assert conn.execute(text("SELECT course_id FROM audit_log")).scalar() == course_of[1]
            codes = list(conn.execute(text("SELECT join_code FROM courses")).scalars())
            assert len(set(codes)) == 2 and all(codes)
        engine.dispose()
        migrate.downgrade(empty_url, before_courses())
        engine = make_engine(empty_url)
        with engine.connect() as conn:  # nothing of the old data is lost on the way down
            assert conn.execute(text("SELECT count(*) FROM banks")).scalar() == 2
            assert conn.execute(text("SELECT count(*) FROM bank_assignments")).scalar() == 1
            assert "courses" not in inspect(conn).get_table_names()
        engine.dispose()


def test_bank_versions_migration_marks_issued_problems_version_1(empty_url):
    """Problems issued before bankpages01 are of their bank's version 1; down and up again."""
    load_models()
    migrate.upgrade(empty_url, "audit01")
    _insert_pre_course_data(empty_url)
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        for pid, bank in ((1, 1), (2, None)):  # a bank's problem and a practice problem
            conn.execute(text(
                "INSERT INTO problems (id, owner_id, family, version, seed, level, params, key, "
                "bank_id, item_index, variant, show_key, attempt_count, created_at) VALUES "
                "(:i, 4, 'conv_output_shape', 1, 7, 'easy', '{}', '{}', :b, :x, :v, 'never', 0, "
                "'2026-11-30 10:00:00+00:00')"),
                {"i": pid, "b": bank, "x": 0 if bank else None, "v": 0 if bank else None})
    engine.dispose()
    for _ in range(2):
        migrate.upgrade(empty_url)
        engine = make_engine(empty_url)
        with engine.connect() as conn:
            assert dict(conn.execute(text("SELECT id, bank_version FROM problems")).all()) == \
                {1: 1, 2: None}
            assert set(conn.execute(text("SELECT version, archived FROM banks")).all()) == \
                {(1, False)}
        engine.dispose()
        migrate.downgrade(empty_url, "student01")
        engine = make_engine(empty_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM problems")).scalar() == 2
            assert "bank_versions" not in inspect(conn).get_table_names()
        engine.dispose()
