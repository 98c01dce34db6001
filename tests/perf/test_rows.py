"""The hot path's Core statements hand back real session objects (quizsvc/store/rows.py).

Run on PostgreSQL too with QUIZSVC_TEST_DATABASE_URL; the concurrent claim itself is
covered by tests/api/test_concurrency.py and tests/hardening/test_concurrency_pg.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, inspect, select

from quizsvc.extensions import db as ext_db
from quizsvc.services import attempts as attempt_service
from quizsvc.services.users import hash_token, user_for_token
from quizsvc.store import rows
from quizsvc.store.models import Attempt, Problem, User
from tests.api.helpers import answer, key_of, new_problem


def count_statements(app):  # noqa: ANN001, ANN201
    seen: list[str] = []
    with app.app_context():
        engine = ext_db.engine
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(statement.split()[0].upper()))
    return seen


def test_the_token_user_is_a_persistent_object_of_the_session(app, student):
    with app.app_context():
        session = ext_db.session
        user = user_for_token(session, student.token)
        assert user.id == student.id and inspect(user).persistent
        assert not session.dirty and not session.new  # attached as loaded: nothing to flush
        assert session.get(User, student.id) is user  # the identity map holds it
        user.name = "Renamed on the hot path"
        session.commit()
    with app.app_context():
        assert ext_db.session.get(User, student.id).name == "Renamed on the hot path"


def test_a_revoked_token_and_an_unknown_one_are_refused(app, student):
    from quizsvc.services.errors import AuthenticationError
    from quizsvc.store.models import ApiToken

    with app.app_context():
        session = ext_db.session
        assert rows.token_user(session, hash_token("no-such-token")) is None
        token = session.scalar(select(ApiToken).where(ApiToken.user_id == student.id))
        from quizsvc.store.types import utcnow

        token.revoked_at = utcnow()
        session.commit()
        session.expunge_all()
        with pytest.raises(AuthenticationError, match="revoked"):
            user_for_token(session, student.token)


def test_the_problem_comes_from_the_identity_map_when_the_session_has_it(app, client, student):
    p = new_problem(client, student)
    with app.app_context():
        session = ext_db.session
        seen = count_statements(app)
        first = rows.problem(session, p["id"])
        again = rows.problem(session, p["id"])
        assert first is again and session.get(Problem, p["id"]) is first
        assert seen == ["SELECT"]  # one statement, then the identity map
        assert first.owner.id == student.id  # lazy relationships work as on a loaded object
        assert rows.problem(session, p["id"] + 1000) is None


def test_listeners_see_the_inserted_attempt_as_a_session_object(app, client, student):
    p = new_problem(client, student, seed=3)
    seen: list[tuple[bool, int, int]] = []

    def listener(session, attempt: Attempt) -> None:  # noqa: ANN001
        seen.append((inspect(attempt).persistent, attempt.problem.id, attempt.seq))
        assert session.get(Attempt, attempt.id) is attempt

    attempt_service.on_attempt(listener)
    try:
        r = answer(client, student, p["id"], ", ".join(map(str, key_of("conv_output_shape", 3)["shape"])))
    finally:
        attempt_service.AFTER_ATTEMPT.remove(listener)
    assert r.status_code == 201, r.json
    assert seen == [(True, p["id"], 1)]
    with app.app_context():
        stored = ext_db.session.get(Attempt, r.json["id"])
        assert stored.correct is True and stored.seq == 1 and stored.fields[0]["expected"]


def test_a_listener_that_raises_leaves_no_attempt_and_no_used_attempt(app, client, student):
    p = new_problem(client, student, seed=3)

    def refuse(_session, _attempt) -> None:  # noqa: ANN001
        raise RuntimeError("injected between grading and commit")

    attempt_service.on_attempt(refuse)
    try:
        r = answer(client, student, p["id"], "1, 1, 1")
    finally:
        attempt_service.AFTER_ATTEMPT.remove(refuse)
    assert r.status_code == 500 and "injected" not in r.get_data(as_text=True)
    with app.app_context():
        session = ext_db.session
        assert session.scalars(select(Attempt).where(Attempt.problem_id == p["id"])).all() == []
        assert session.get(Problem, p["id"]).attempt_count == 0


def test_a_problem_route_reads_token_user_and_problem_in_one_statement(app, client, student):
    p = new_problem(client, student, seed=5)
    with app.app_context():
        session = ext_db.session
        seen = count_statements(app)
        user = user_for_token(session, student.token, p["id"])
        problem = rows.problem(session, p["id"])
        assert seen == ["SELECT"] and problem.owner_id == user.id == student.id
        assert problem.family == p["family"] and not session.dirty
        # The user's other columns were not read: they load on first use, in one statement.
        assert user.email == student.email and seen == ["SELECT", "SELECT"]
    with app.app_context():  # no such problem: the token still authenticates (404 comes later)
        session = ext_db.session
        assert user_for_token(session, student.token, p["id"] + 1000).id == student.id
        assert rows.problem(session, p["id"] + 1000) is None


def test_a_replay_answers_with_the_problem_as_committed_not_as_the_token_read_it(
        app, client, student):
    """A retry whose token statement read the problem before the original attempt committed
    still answers what the original did (attempts used and left): the replay reloads it."""
    p = new_problem(client, student, seed=11)
    with app.app_context():
        early = ext_db.session
        user = user_for_token(early, student.token, p["id"])  # reads the problem: 0 used
        assert rows.problem(early, p["id"]).attempt_count == 0
        with app.app_context():  # the original request, committed meanwhile
            first = attempt_service.submit_attempt(
                ext_db.session, user_for_token(ext_db.session, student.token, p["id"]),
                p["id"], {"shape": "1, 1, 1"}, "key-1")
            original = attempt_service.attempt_view(first.attempt, first.attempt.problem.owner)
        again = attempt_service.submit_attempt(early, user, p["id"], {"shape": "1, 1, 1"}, "key-1")
        assert again.replayed
        replayed = attempt_service.attempt_view(again.attempt, user)
        assert replayed["attempts_used"] == original["attempts_used"] == 1
        assert replayed == original
