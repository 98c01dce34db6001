"""The LTI administrator's page: admins only; the overview, a one-time registration URL,
new deployments allowed or not (CSRF on both forms)."""

from __future__ import annotations

import re

from sqlalchemy import select


def _sign_in(app, client, role: str, email: str) -> None:  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.services import accounts, users

    with app.app_context():
        users.create_user(db.session, None, role=role, email=email, name=role.title())
        accounts.set_password(db.session, email, "a long password 1")
        db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"csrf_token": token, "email": email,
                                    "password": "a long password 1"})
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:300]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _platform(app, **kw) -> int:  # noqa: ANN001, ANN003
    from quizsvc.extensions import db
    from quizsvc.lti import registry

    with app.app_context():
        p = registry.register_platform(
            db.session, issuer="https://moodle.test", client_id="abc",
            auth_login_url="https://moodle.test/auth", auth_token_url="https://moodle.test/token",
            jwks_url="https://moodle.test/jwks", deployment_ids=["7"], name="Moodle test")
        db.session.commit()
        return p.id


def test_the_page_is_for_admins_only(app, client) -> None:  # noqa: ANN001
    assert client.get("/admin/lti").status_code in (302, 303)  # signed out: to the sign-in page
    _sign_in(app, client, "instructor", "t@example.edu")
    r = client.get("/admin/lti")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "LTI platforms" not in r.get_data(as_text=True)


def test_the_overview_shows_platforms_deployments_and_passbacks(app, client) -> None:  # noqa: ANN001
    _platform(app)
    _sign_in(app, client, "admin", "root@example.edu")
    r = client.get("/admin/lti")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Moodle test" in html and "https://moodle.test" in html
    assert "<code>7</code>" in html and "by an admin" in html and "never" in html
    assert "none yet" in html  # no passbacks


def test_an_admin_makes_a_registration_url_shown_once(app, client) -> None:  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiRegistrationToken

    _sign_in(app, client, "admin", "root@example.edu")
    html = client.get("/admin/lti").get_data(as_text=True)
    r = client.post("/admin/lti/registrations", data={"csrf_token": _csrf(html), "note": "Canvas",
                                                      "hours": "24"})
    assert r.status_code == 200
    url = re.search(r'<code class="copyable">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    assert "/lti/register/qzreg_" in url
    assert url not in client.get("/admin/lti").get_data(as_text=True)  # once
    with app.app_context():
        (row,) = db.session.scalars(select(LtiRegistrationToken)).all()
        assert row.note == "Canvas" and row.created_by_id is not None


def test_forms_without_csrf_change_nothing(app, client) -> None:  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiPlatform, LtiRegistrationToken

    pid = _platform(app)
    _sign_in(app, client, "admin", "root@example.edu")
    assert client.post("/admin/lti/registrations", data={"note": "x"}).status_code == 400
    assert client.post(f"/admin/lti/platforms/{pid}/deployments",
                       data={"auto_accept": "on"}).status_code == 400
    with app.app_context():
        assert db.session.scalars(select(LtiRegistrationToken)).all() == []
        assert db.session.get(LtiPlatform, pid).auto_accept_deployments is False


def test_an_admin_lets_new_deployments_in_and_out(app, client) -> None:  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiPlatform

    pid = _platform(app)
    _sign_in(app, client, "admin", "root@example.edu")
    html = client.get("/admin/lti").get_data(as_text=True)
    r = client.post(f"/admin/lti/platforms/{pid}/deployments",
                    data={"csrf_token": _csrf(html), "auto_accept": "on"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(LtiPlatform, pid).auto_accept_deployments is True
    html = client.get("/admin/lti").get_data(as_text=True)
    assert "accepted on their first launch" in html and "checked" in html
    client.post(f"/admin/lti/platforms/{pid}/deployments", data={"csrf_token": _csrf(html)})
    with app.app_context():
        assert db.session.get(LtiPlatform, pid).auto_accept_deployments is False
