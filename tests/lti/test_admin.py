"""Platform registration and link mapping through the API: who may do what."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.lti.conftest import INSTRUCTOR, LAUNCH_URL, Lms, api_headers, boot, make_bank
from tests.lti.platform import jwk_of

BODY = {"issuer": "https://moodle.test", "client_id": "abc",
        "auth_login_url": "https://moodle.test/mod/lti/auth.php",
        "auth_token_url": "https://moodle.test/mod/lti/token.php",
        "jwks_url": "https://moodle.test/mod/lti/certs.php", "deployment_ids": ["1"]}


def test_admin_registers_lists_and_edits_a_platform(client, admin) -> None:  # noqa: ANN001
    r = client.post("/api/v1/lti/platforms", json=BODY, headers=admin.headers)
    assert r.status_code == 201, r.get_json()
    p = r.get_json()
    assert p["issuer"] == BODY["issuer"] and p["deployment_ids"] == ["1"] and p["name"] == "moodle.test"
    assert client.post("/api/v1/lti/platforms", json=BODY, headers=admin.headers).status_code == 409
    r = client.post(f"/api/v1/lti/platforms/{p['id']}/deployments", json={"deployment_id": "2"},
                    headers=admin.headers)
    assert r.get_json()["deployment_ids"] == ["1", "2"]
    r = client.delete(f"/api/v1/lti/platforms/{p['id']}/deployments/1", headers=admin.headers)
    assert r.get_json()["deployment_ids"] == ["2"]
    assert [x["id"] for x in client.get("/api/v1/lti/platforms", headers=admin.headers).get_json()["items"]] == [p["id"]]
    assert client.delete(f"/api/v1/lti/platforms/{p['id']}", headers=admin.headers).status_code == 204
    assert client.get(f"/api/v1/lti/platforms/{p['id']}", headers=admin.headers).status_code == 404


@pytest.mark.parametrize("who", ["instructor", "student"])
def test_only_admins_register_platforms(client, who, request) -> None:  # noqa: ANN001
    account = request.getfixturevalue(who)
    r = client.post("/api/v1/lti/platforms", json=BODY, headers=account.headers)
    assert r.status_code == 403
    assert client.get("/api/v1/lti/platforms", headers=account.headers).status_code == 403
    assert client.get("/api/v1/lti/platforms").status_code == 401


@pytest.mark.parametrize("change, field", [
    ({"auth_login_url": "http://moodle.test/auth"}, "auth_login_url"),
    ({"jwks_url": None}, "jwks_url"),
    ({"jwks": {"keys": [{"kty": "oct", "k": "secret"}]}, "jwks_url": None}, "jwks"),
    ({"issuer": ""}, "issuer"),
])
def test_bad_registrations_are_refused(client, admin, change, field) -> None:  # noqa: ANN001
    r = client.post("/api/v1/lti/platforms", json={**BODY, **change}, headers=admin.headers)
    assert r.status_code == 422, r.get_json()
    assert field in str(r.get_json()["errors"]) or field in r.get_json()["message"]


def test_a_platform_with_a_fixed_key_set_can_launch(app, lms: Lms) -> None:  # noqa: ANN001
    """Some platforms hand out a key set instead of a JWKS URL."""
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiPlatform

    with app.app_context():
        p = db.session.scalars(select(LtiPlatform)).one()
        p.jwks_url = None
        p.jwks_json = json.dumps({"keys": [jwk_of(lms.platform.key, lms.platform.kid)]})
        db.session.commit()
    claims = lms.platform.resource_link_claims(sub="t", roles=[INSTRUCTOR], link_id="rl",
                                               target_link_uri=LAUNCH_URL)
    assert lms.launch(claims).status_code == 200


def test_instructor_maps_a_launched_link_to_their_bank(app, client, lms: Lms,
                                                        other_instructor) -> None:  # noqa: ANN001
    resp = lms.launch(lms.platform.resource_link_claims(
        sub="t-1", roles=[INSTRUCTOR], link_id="rl-5", target_link_uri=LAUNCH_URL))
    data = boot(resp)
    assert data["token"] is None  # no token on an instructor's page in the LMS
    headers = api_headers(app, data)
    (link,) = client.get("/api/v1/lti/links", headers=headers).get_json()["items"]
    assert link["resource_link_id"] == "rl-5" and link["bank_id"] is None
    assert client.get("/api/v1/lti/links", headers=other_instructor.headers).get_json()["items"] == []
    theirs = make_bank(app, other_instructor.id, context=None)
    r = client.put(f"/api/v1/lti/links/{link['id']}", json={"bank_id": theirs}, headers=headers)
    assert r.status_code == 404  # another course's bank does not exist for them
    mine = make_bank(app, data["user"]["id"])
    r = client.put(f"/api/v1/lti/links/{link['id']}", json={"bank_id": mine}, headers=headers)
    assert r.status_code == 200 and r.get_json()["bank_id"] == mine
    r = client.put(f"/api/v1/lti/links/{link['id']}", json={"bank_id": mine},
                   headers=other_instructor.headers)
    assert r.status_code == 404  # nor does a link of a course they do not staff
