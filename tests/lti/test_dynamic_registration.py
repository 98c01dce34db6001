"""LTI Dynamic Registration: an admin's one-time URL, the LMS's OpenID configuration and
registration endpoint (a local platform of our own), then a launch with the new client."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.lti.conftest import INSTRUCTOR, LAUNCH_URL, TOOL, Lms
from tests.lti.registering_platform import TOOL_CONF, RegisteringPlatform


@pytest.fixture
def lms2(app, transport, http) -> RegisteringPlatform:  # noqa: ANN001
    from quizsvc.lti import runtime

    plat = RegisteringPlatform(tool_origin=TOOL, tool_jwks_url="", http=http)
    transport.apps[plat.issuer] = plat
    runtime.runtime(app).http = http
    return plat


def _approval(app, **kw) -> str:  # noqa: ANN001, ANN003
    """Return the path of a fresh registration URL, as an admin would make it."""
    from quizsvc.extensions import db
    from quizsvc.lti import dynreg

    with app.app_context():
        _, text = dynreg.issue_token(db.session, **kw)
        db.session.commit()
    return dynreg.registration_url("", text)


def _open(client, path: str, plat: RegisteringPlatform):  # noqa: ANN001, ANN202
    """Open the registration URL as the LMS does: with its two query parameters."""
    query = (f"openid_configuration={quote(plat.openid_configuration_url, safe='')}"
             f"&registration_token={quote(plat.registration_token, safe='')}")
    return client.get(f"{path}?{query}", base_url=TOOL)


def _confirm(client, page) -> object:  # noqa: ANN001
    html = page.get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return client.post(action, data=fields, base_url=TOOL)


def _platforms(app) -> list:  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiPlatform

    with app.app_context():
        return [(p.issuer, p.client_id, p.registered_by, [d.deployment_id for d in p.deployments])
                for p in db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.id))]


def test_the_whole_registration_then_a_launch_with_the_registered_client(app, client, lms2, http) -> None:
    path = _approval(app, note="Canvas test")
    page = _open(client, path, lms2)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "lms2.test" in page.get_data(as_text=True)
    assert _platforms(app) == []  # showing the page registers nothing
    done = _confirm(client, page)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert "org.imsglobal.lti.close" in done.get_data(as_text=True)
    (sent,) = lms2.registrations
    assert sent["redirect_uris"] == [LAUNCH_URL]
    assert sent["initiate_login_uri"] == TOOL + "/lti/login"
    assert sent["jwks_uri"] == TOOL + "/lti/jwks"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"].split()
    assert {m["type"] for m in sent[TOOL_CONF]["messages"]} == {"LtiDeepLinkingRequest",
                                                                  "LtiResourceLinkRequest"}
    assert _platforms(app) == [(lms2.issuer, lms2.client_id, "dynamic", [lms2.deployment_id])]
    # The LMS launches with the client id it assigned; the tool accepts it.
    resp = Lms(client, lms2, http).launch(lms2.resource_link_claims(
        sub="teacher-9", roles=[INSTRUCTOR], link_id="rl-9", target_link_uri=LAUNCH_URL))
    assert resp.status_code == 200, resp.get_data(as_text=True)


def test_the_registration_is_audited_with_its_approver(app, client, lms2) -> None:
    from quizsvc.extensions import db
    from quizsvc.store.audit import AuditEvent

    assert _confirm(client, _open(client, _approval(app), lms2)).status_code == 200
    with app.app_context():
        (row,) = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "lti.platform_register")).all()
        assert row.details["client_id"] == lms2.client_id
        assert row.details["via"] == "dynamic_registration"


def test_a_url_quizsvc_did_not_issue_is_refused(app, client, lms2) -> None:
    resp = _open(client, "/lti/register/qzreg_made-up-by-someone", lms2)
    assert resp.status_code == 403 and resp.mimetype == "text/html"
    assert "not one quizsvc issued" in resp.get_data(as_text=True)
    assert lms2.registrations == []


def test_a_tampered_url_is_refused_on_the_page_and_on_the_post(app, client, lms2) -> None:
    path = _approval(app)
    page = _open(client, path, lms2)
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    assert _open(client, tampered, lms2).status_code == 403
    html = page.get_data(as_text=True).replace(path, tampered)
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert client.post(action, data=fields, base_url=TOOL).status_code == 403
    assert lms2.registrations == [] and _platforms(app) == []


def test_a_replayed_url_registers_nothing_more(app, client, lms2) -> None:
    path = _approval(app)
    page = _open(client, path, lms2)
    assert _confirm(client, page).status_code == 200
    again = _confirm(client, page)
    assert again.status_code == 403 and "already used" in again.get_data(as_text=True)
    assert _open(client, path, lms2).status_code == 403
    assert len(lms2.registrations) == 1 and len(_platforms(app)) == 1


def test_an_expired_url_is_refused(app, client, lms2) -> None:
    import datetime as dt

    from quizsvc.extensions import db
    from quizsvc.lti import dynreg
    from quizsvc.store.types import utcnow

    with app.app_context():
        _, text = dynreg.issue_token(db.session, ttl_hours=1,
                                     now=utcnow() - dt.timedelta(hours=2))
        db.session.commit()
    resp = _open(client, dynreg.registration_url("", text), lms2)
    assert resp.status_code == 403 and "expired" in resp.get_data(as_text=True)


def test_a_configuration_claiming_another_hosts_issuer_is_refused(app, client, lms2) -> None:
    lms2.config_issuer = "https://canvas.instructure.com"
    resp = _open(client, _approval(app), lms2)
    assert resp.status_code == 400 and "not on the host" in resp.get_data(as_text=True)


def test_a_refused_registration_leaves_the_url_usable(app, client, lms2) -> None:
    path = _approval(app)
    page = _open(client, path, lms2)
    lms2.refuse_registration = True
    failed = _confirm(client, page)
    assert failed.status_code == 502 and "refused the registration" in failed.get_data(as_text=True)
    assert _platforms(app) == []
    lms2.refuse_registration = False
    assert _confirm(client, page).status_code == 200
    assert len(_platforms(app)) == 1


def test_opening_the_url_outside_an_lms_says_what_to_do(app, client) -> None:
    resp = client.get(_approval(app), base_url=TOOL)
    assert resp.status_code == 400
    assert "openid_configuration" in resp.get_data(as_text=True)


def test_an_admin_makes_a_url_through_the_api_and_others_cannot(app, client, admin, instructor,
                                                                lms2) -> None:  # noqa: ANN001
    r = client.post("/api/v1/lti/registrations", json={"note": "Canvas test"},
                    headers=admin.headers, base_url=TOOL)
    assert r.status_code == 201, r.get_json()
    url = r.get_json()["url"]
    assert url.startswith(TOOL + "/lti/register/qzreg_")
    assert client.post("/api/v1/lti/registrations", json={}, headers=instructor.headers).status_code == 403
    assert client.post("/api/v1/lti/registrations", json={}).status_code == 401
    listed = client.get("/api/v1/lti/registrations", headers=admin.headers).get_json()["items"]
    assert [x["note"] for x in listed] == ["Canvas test"] and "url" not in listed[0]
    assert _confirm(client, _open(client, url[len(TOOL):], lms2)).status_code == 200
    listed = client.get("/api/v1/lti/registrations", headers=admin.headers).get_json()["items"]
    assert listed[0]["used_at"] is not None and listed[0]["platform_id"] is not None


def test_the_overview_shows_deployments_launches_and_passbacks(app, client, admin, lms2,
                                                               http) -> None:  # noqa: ANN001
    assert _confirm(client, _open(client, _approval(app), lms2)).status_code == 200
    before = client.get("/api/v1/lti/overview", headers=admin.headers).get_json()["items"]
    assert before[0]["last_launch_at"] is None and before[0]["passbacks"] == {}
    assert before[0]["deployments"][0]["source"] == "registration"
    Lms(client, lms2, http).launch(lms2.resource_link_claims(
        sub="teacher-9", roles=[INSTRUCTOR], link_id="rl-9", target_link_uri=LAUNCH_URL))
    after = client.get("/api/v1/lti/overview", headers=admin.headers).get_json()["items"]
    assert after[0]["last_launch_at"] is not None
    assert after[0]["deployments"][0]["last_launch_at"] == after[0]["last_launch_at"]
    pid = after[0]["id"]
    r = client.patch(f"/api/v1/lti/platforms/{pid}", json={"auto_accept_deployments": True},
                     headers=admin.headers)
    assert r.status_code == 200 and r.get_json()["auto_accept_deployments"] is True


def test_cli_registration_url_show_set_and_remove(app, database_url, monkeypatch, lms2,
                                                  client) -> None:  # noqa: ANN001
    from click.testing import CliRunner

    from quizsvc.cli import main

    monkeypatch.setenv("QUIZSVC_DATABASE_URL", database_url)
    monkeypatch.setenv("QUIZSVC_SECRET_KEY", app.config["SECRET_KEY"])
    runner = CliRunner()
    assert runner.invoke(main, ["lti", "registration-url"]).exit_code == 2  # no base URL
    made = runner.invoke(main, ["lti", "registration-url", "--base-url", TOOL, "--note", "x"])
    assert made.exit_code == 0, made.output
    url = made.output.splitlines()[0]
    assert url.startswith(TOOL + "/lti/register/qzreg_")
    assert _confirm(client, _open(client, url[len(TOOL):], lms2)).status_code == 200
    listing = runner.invoke(main, ["lti", "list"])
    assert lms2.issuer in listing.output and "never" in listing.output
    pid = _platforms_ids(app)[0]
    shown = runner.invoke(main, ["lti", "show", str(pid)])
    assert shown.exit_code == 0 and "dynamic" in shown.output and "refused" in shown.output
    assert lms2.deployment_id in shown.output
    changed = runner.invoke(main, ["lti", "set-platform", str(pid), "--auto-accept-deployments"])
    assert changed.exit_code == 0 and "accepted on first launch" in changed.output
    assert runner.invoke(main, ["lti", "show", "999"]).exit_code == 2
    removed = runner.invoke(main, ["lti", "remove", str(pid), "--yes"])
    assert removed.exit_code == 0 and _platforms_ids(app) == []


def _platforms_ids(app) -> list[int]:  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiPlatform

    with app.app_context():
        return list(db.session.scalars(select(LtiPlatform.id)))
