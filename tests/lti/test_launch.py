"""Launch: a good one lands the user with the right role; each kind of forgery is refused."""

from __future__ import annotations

import time

import jwt
import pytest
from sqlalchemy import func, select

from tests.lti.conftest import INSTRUCTOR, LAUNCH_URL, LEARNER, Lms, boot, page_text
from tests.lti.platform import new_key

SLOW_KEY = new_key()  # another RSA key, generated once for the whole module


def _claims(lms: Lms, sub: str = "student-1", roles: list[str] | None = None, **kw):
    return lms.platform.resource_link_claims(sub=sub, roles=roles or [LEARNER], link_id="rl-1",
                                             target_link_uri=LAUNCH_URL, **kw)


def _users(app, subject: str):  # noqa: ANN001, ANN202
    from quizsvc.extensions import db
    from quizsvc.store.models import User

    with app.app_context():
        return db.session.scalars(select(User).where(User.lti_subject == subject)).all()


def test_instructor_launch_creates_an_instructor_and_the_link(app, lms: Lms) -> None:
    resp = lms.launch(_claims(lms, sub="teacher-1", roles=[INSTRUCTOR]))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = boot(resp)
    assert data["user"]["role"] == "instructor" and data["user"]["launch_role"] == "instructor"
    assert data["bank"] is None  # the link is not mapped yet
    assert resp.headers["Cache-Control"] == "no-store"  # the page holds the frame session
    (user,) = _users(app, "teacher-1")
    assert user.role == "instructor" and user.lti_issuer == lms.platform.issuer
    assert user.email == "teacher-1@lms.test"
    assert data["user"]["id"] == user.id
    # No API token on an instructor's page in the LMS: its forms carry the frame session.
    assert data["token"] is None and "qz_" not in resp.get_data(as_text=True)


def test_student_launch_of_an_unmapped_link_is_told_to_ask_the_instructor(app, lms: Lms) -> None:
    resp = lms.launch(_claims(lms))
    assert resp.status_code == 409 and resp.mimetype == "text/html"
    assert "instructor has not connected this activity" in page_text(resp)


def test_login_sets_a_state_cookie_that_works_in_an_iframe(lms: Lms) -> None:
    started = lms.start_login(_claims(lms))
    assert started.cookie is not None
    attrs = {a.strip().split("=")[0].lower() for a in started.cookie.split(";")}
    assert {"secure", "httponly", "samesite", "partitioned"} <= attrs
    assert "SameSite=None" in started.cookie


def test_the_same_user_launching_twice_is_one_user(app, lms: Lms) -> None:
    assert lms.launch(_claims(lms, sub="t", roles=[INSTRUCTOR])).status_code == 200
    assert lms.launch(_claims(lms, sub="t", roles=[INSTRUCTOR])).status_code == 200
    assert len(_users(app, "t")) == 1


def _refused(resp, words: str) -> None:  # noqa: ANN001
    assert resp.status_code == 401, resp.get_data(as_text=True)
    assert resp.mimetype == "text/html" and words.lower() in page_text(resp).lower()


def test_replayed_launch_is_refused(app, lms: Lms) -> None:
    started = lms.start_login(_claims(lms, roles=[INSTRUCTOR]))
    answer = lms.authorise(started)
    assert lms.post_launch(answer["id_token"], answer["state"]).status_code == 200
    _refused(lms.post_launch(answer["id_token"], answer["state"]), "replayed")


def test_replayed_id_token_with_a_fresh_state_is_refused(lms: Lms) -> None:
    """A captured id_token cannot ride on a new login: its nonce belongs to the old one."""
    first = lms.start_login(_claims(lms, roles=[INSTRUCTOR]))
    answer = lms.authorise(first)
    assert lms.post_launch(answer["id_token"], answer["state"]).status_code == 200
    second = lms.start_login(_claims(lms, roles=[INSTRUCTOR]))
    _refused(lms.post_launch(answer["id_token"], second.state), "nonce")


def test_wrong_audience_is_refused(lms: Lms) -> None:
    started = lms.start_login(_claims(lms))
    token = lms.platform.mint(_claims(lms), nonce=started.nonce, aud="some-other-tool")
    _refused(lms.post_launch(token, started.state), "aud")


def test_several_audiences_without_azp_are_refused(lms: Lms) -> None:
    started = lms.start_login(_claims(lms))
    token = lms.platform.mint(_claims(lms), nonce=started.nonce,
                              aud=[lms.platform.client_id, "another-tool"])
    _refused(lms.post_launch(token, started.state), "azp")


def test_expired_token_is_refused(lms: Lms) -> None:
    started = lms.start_login(_claims(lms))
    long_ago = int(time.time()) - 3600
    token = lms.platform.mint(_claims(lms), nonce=started.nonce, iat=long_ago, lifetime=300)
    _refused(lms.post_launch(token, started.state), "expired")


def test_token_issued_in_the_future_is_refused(lms: Lms) -> None:
    started = lms.start_login(_claims(lms))
    token = lms.platform.mint(_claims(lms), nonce=started.nonce, iat=int(time.time()) + 3600)
    _refused(lms.post_launch(token, started.state), "invalid")


def test_unknown_deployment_is_refused(lms: Lms) -> None:
    claims = _claims(lms)
    claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "deployment-unknown"
    started = lms.start_login(claims)
    token = lms.platform.mint(claims, nonce=started.nonce)
    _refused(lms.post_launch(token, started.state), "unknown deployment")


def test_tampered_signature_is_refused(lms: Lms) -> None:
    started = lms.start_login(_claims(lms))
    token = lms.platform.mint(_claims(lms, roles=[LEARNER]), nonce=started.nonce)
    header, payload, signature = token.split(".")
    # Swap in a payload that makes the user an instructor, keeping the original signature.
    forged = jwt.encode(jwt.decode(token, options={"verify_signature": False})
                        | {"https://purl.imsglobal.org/spec/lti/claim/roles": [INSTRUCTOR]},
                        "x" * 32, algorithm="HS256").split(".")[1]
    _refused(lms.post_launch(f"{header}.{forged}.{signature}", started.state), "signature")


def test_token_signed_by_another_key_under_the_platforms_kid_is_refused(lms: Lms) -> None:
    started = lms.start_login(_claims(lms))
    token = lms.platform.mint(_claims(lms), nonce=started.nonce, key=SLOW_KEY[0])
    _refused(lms.post_launch(token, started.state), "signature")


def test_token_with_an_unknown_kid_is_refused(lms: Lms) -> None:
    started = lms.start_login(_claims(lms))
    token = lms.platform.mint(_claims(lms), nonce=started.nonce, key=SLOW_KEY[0], kid=SLOW_KEY[1])
    _refused(lms.post_launch(token, started.state), "no key")


def test_wrong_nonce_is_refused(lms: Lms) -> None:
    started = lms.start_login(_claims(lms))
    token = lms.platform.mint(_claims(lms), nonce="not-the-nonce-we-sent")
    _refused(lms.post_launch(token, started.state), "nonce")


def test_unknown_state_is_refused(lms: Lms) -> None:
    started = lms.start_login(_claims(lms))
    token = lms.platform.mint(_claims(lms), nonce=started.nonce)
    _refused(lms.post_launch(token, "made-up-state"), "unknown login state")


def test_state_cookie_of_another_login_is_refused(lms: Lms) -> None:
    """The cookie must match the posted state when the browser kept it."""
    a = lms.start_login(_claims(lms))
    lms.client.set_cookie("lti1p3_state_" + a.state, "something-else", domain="tool.test",
                          path="/lti/launch")
    token = lms.platform.mint(_claims(lms), nonce=a.nonce)
    _refused(lms.post_launch(token, a.state), "cookie")


def test_launch_without_the_cookie_passes_on_server_side_state_unless_strict(app, lms: Lms) -> None:
    """Browsers that block third-party cookies still launch: the state is checked server side."""
    from quizsvc.lti import runtime

    started = lms.start_login(_claims(lms, roles=[INSTRUCTOR]))
    lms.client.delete_cookie("lti1p3_state_" + started.state, domain="tool.test", path="/lti/launch")
    answer = lms.authorise(started)
    runtime.runtime(app).settings["REQUIRE_STATE_COOKIE"] = True
    _refused(lms.post_launch(answer["id_token"], answer["state"]), "cookie")
    runtime.runtime(app).settings["REQUIRE_STATE_COOKIE"] = False
    assert lms.post_launch(answer["id_token"], answer["state"]).status_code == 200


def test_expired_state_is_refused(app, lms: Lms) -> None:
    import datetime as dt

    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiNonce

    started = lms.start_login(_claims(lms))
    with app.app_context():
        row = db.session.scalars(select(LtiNonce).where(LtiNonce.state == started.state)).one()
        row.expires_at = row.created_at - dt.timedelta(seconds=1)
        db.session.commit()
    token = lms.platform.mint(_claims(lms), nonce=started.nonce)
    _refused(lms.post_launch(token, started.state), "expired")


def test_refused_launch_creates_no_user_and_leaves_the_state_unused(app, lms: Lms) -> None:
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiNonce
    from quizsvc.store.models import User

    started = lms.start_login(_claims(lms, sub="mallory"))
    token = lms.platform.mint(_claims(lms, sub="mallory"), nonce=started.nonce, aud="other")
    assert lms.post_launch(token, started.state).status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.lti_subject == "mallory")) == 0
        row = db.session.scalars(select(LtiNonce).where(LtiNonce.state == started.state)).one()
        assert row.used_at is None


@pytest.mark.parametrize("message_type", ["LtiSubmissionReviewRequest", None])
def test_unsupported_message_type_is_refused(lms: Lms, message_type) -> None:  # noqa: ANN001
    claims = _claims(lms)
    claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] = message_type
    started = lms.start_login(claims)
    _refused(lms.post_launch(lms.platform.mint(claims, nonce=started.nonce), started.state),
             "message type")


def test_wrong_lti_version_is_refused(lms: Lms) -> None:
    claims = _claims(lms)
    claims["https://purl.imsglobal.org/spec/lti/claim/version"] = "1.1"
    started = lms.start_login(claims)
    _refused(lms.post_launch(lms.platform.mint(claims, nonce=started.nonce), started.state),
             "version")


def test_login_from_an_unregistered_issuer_is_refused(lms: Lms) -> None:
    resp = lms.client.post("/lti/login", base_url="https://tool.test", data={
        "iss": "https://evil.test", "login_hint": "x", "target_link_uri": LAUNCH_URL})
    assert resp.status_code == 403


def test_two_concurrent_replays_of_one_launch_only_one_wins(app, lms: Lms) -> None:
    """The state is consumed by a conditional UPDATE, so racing posts cannot both pass."""
    import threading

    started = lms.start_login(_claims(lms, roles=[INSTRUCTOR]))
    answer = lms.authorise(started)
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def post() -> None:
        client = app.test_client()
        barrier.wait()
        codes.append(client.post("/lti/launch", base_url="https://tool.test", data={
            "id_token": answer["id_token"], "state": answer["state"]}).status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 401, 401, 401]
