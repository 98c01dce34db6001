"""The launch checks of issue 17: azp whenever present, the login's target_link_uri, and
deployments accepted on first launch only when an admin lets a platform's new ones in."""

from __future__ import annotations

from sqlalchemy import select

from tests.lti.conftest import INSTRUCTOR, LAUNCH_URL, TOOL, Lms, page_text

C = "https://purl.imsglobal.org/spec/lti/claim/"


def _claims(lms: Lms, sub: str = "teacher-1", deployment: str | None = None) -> dict:
    claims = lms.platform.resource_link_claims(sub=sub, roles=[INSTRUCTOR], link_id="rl-1",
                                               target_link_uri=LAUNCH_URL)
    if deployment is not None:
        claims[C + "deployment_id"] = deployment
    return claims


def _refused(resp, words: str) -> None:  # noqa: ANN001
    assert resp.status_code == 401, resp.get_data(as_text=True)
    assert resp.mimetype == "text/html" and words.lower() in page_text(resp).lower()


def test_an_azp_of_another_client_is_refused_with_a_single_audience(lms: Lms) -> None:
    claims = _claims(lms)
    started = lms.start_login(claims)
    token = lms.platform.mint({**claims, "azp": "another-tool"}, nonce=started.nonce)
    _refused(lms.post_launch(token, started.state), "azp")


def test_an_azp_equal_to_our_client_id_passes_with_a_single_audience(lms: Lms) -> None:
    claims = _claims(lms)
    started = lms.start_login(claims)
    token = lms.platform.mint({**claims, "azp": lms.platform.client_id}, nonce=started.nonce)
    assert lms.post_launch(token, started.state).status_code == 200


def test_several_audiences_with_our_azp_pass(lms: Lms) -> None:
    claims = _claims(lms)
    started = lms.start_login(claims)
    token = lms.platform.mint({**claims, "azp": lms.platform.client_id}, nonce=started.nonce,
                              aud=[lms.platform.client_id, "another-tool"])
    assert lms.post_launch(token, started.state).status_code == 200


def test_a_login_for_another_tools_target_is_refused_before_any_redirect(app, lms: Lms) -> None:
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiNonce

    for target in ("https://other-tool.test/lti/launch", TOOL + "/lti/launch/../jwks",
                   TOOL + "/somewhere-else", "https://tool.test.evil/lti/launch"):
        resp = lms.client.post("/lti/login", data=lms.platform.login_params(_claims(lms), target),
                               base_url=TOOL)
        assert resp.status_code == 400, (target, resp.status_code)
        assert "Location" not in resp.headers
        assert "target_link_uri" in resp.get_data(as_text=True)
    with app.app_context():  # no state was stored for any of them
        assert db.session.scalars(select(LtiNonce)).all() == []


def test_a_login_for_our_launch_url_with_a_trailing_slash_or_upper_case_host_passes(lms: Lms) -> None:
    for target in (LAUNCH_URL + "/", LAUNCH_URL.replace("tool.test", "TOOL.test")):
        resp = lms.client.post("/lti/login", data=lms.platform.login_params(_claims(lms), target),
                               base_url=TOOL)
        assert resp.status_code == 302, resp.get_data(as_text=True)


def _set_auto_accept(app, issuer: str, on: bool) -> None:  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.lti import registry
    from quizsvc.store.lti import LtiPlatform

    with app.app_context():
        platform = db.session.scalars(select(LtiPlatform).where(LtiPlatform.issuer == issuer)).one()
        registry.set_auto_accept(db.session, platform, on)
        db.session.commit()


def _deployments(app) -> dict[str, str]:  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiDeployment

    with app.app_context():
        return {d.deployment_id: d.source for d in db.session.scalars(select(LtiDeployment))}


def test_a_new_deployment_is_refused_while_auto_accept_is_off(app, lms: Lms) -> None:
    resp = lms.launch(_claims(lms, deployment="course-install-7"))
    _refused(resp, "unknown deployment")
    assert "course-install-7" not in _deployments(app)


def test_a_new_deployment_is_accepted_remembered_and_audited_when_auto_accept_is_on(app, lms: Lms) -> None:
    from quizsvc.extensions import db
    from quizsvc.store.audit import AuditEvent

    _set_auto_accept(app, lms.platform.issuer, True)
    assert lms.launch(_claims(lms, deployment="course-install-7")).status_code == 200
    assert _deployments(app)["course-install-7"] == "first_launch"
    assert lms.launch(_claims(lms, deployment="course-install-7")).status_code == 200  # once
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "lti.deployment_accepted")).all()
        assert [r.details["deployment_id"] for r in rows] == ["course-install-7"]
        toggles = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "lti.platform_update")).all()
        assert toggles and toggles[0].details == {"auto_accept_deployments": True}
    # Turned off again: the remembered deployment still works, a newer one does not.
    _set_auto_accept(app, lms.platform.issuer, False)
    assert lms.launch(_claims(lms, deployment="course-install-7")).status_code == 200
    _refused(lms.launch(_claims(lms, deployment="course-install-8")), "unknown deployment")


def test_a_refused_launch_with_auto_accept_on_adds_no_deployment(app, lms: Lms) -> None:
    _set_auto_accept(app, lms.platform.issuer, True)
    claims = _claims(lms, deployment="course-install-9")
    started = lms.start_login(claims)
    token = lms.platform.mint(claims, nonce=started.nonce, aud="another-tool")
    _refused(lms.post_launch(token, started.state), "aud")
    assert "course-install-9" not in _deployments(app)


def test_a_launch_records_when_its_deployment_was_last_used(app, lms: Lms) -> None:
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiDeployment

    assert lms.launch(_claims(lms)).status_code == 200
    with app.app_context():
        dep = db.session.scalars(select(LtiDeployment)).one()
        assert dep.last_launch_at is not None
