"""The small parts: role mapping, our key and JWKS, platform key refresh, URLs, bank references."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.lti.conftest import INSTRUCTOR, LAUNCH_URL, TOOL, Lms, page_text

from quizsvc.lti.roles import map_roles, merge_role

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


@pytest.mark.parametrize("roles, expected", [
    ([M + "Learner"], "student"),
    ([M + "Instructor"], "instructor"),
    ([M + "ContentDeveloper"], "instructor"),
    (["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"], "instructor"),
    ([M + "Learner", M + "Mentor"], "student"),
    (["Instructor"], "instructor"),  # the short names LTI 1.3 still tolerates
    (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"], "student"),
    (["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], "student"),
    ([], "student"),
])
def test_map_roles(roles: list[str], expected: str) -> None:
    assert map_roles(roles) == expected


def test_merge_role_promotes_but_never_demotes_or_grants_admin() -> None:
    assert merge_role("student", "instructor") == "instructor"
    assert merge_role("instructor", "student") == "instructor"
    assert merge_role("admin", "student") == "admin"
    assert merge_role(None, "student") == "student"
    assert "admin" not in {map_roles([r]) for r in ("Administrator", M + "Administrator")}


def test_scores_url_keeps_the_query() -> None:
    from quizsvc.lti.ags import scores_url

    assert scores_url("https://lms/lineitems/5") == "https://lms/lineitems/5/scores"
    assert scores_url("https://m/mod/lti/services.php/2/lineitems/9/lineitem?type_id=1") == \
        "https://m/mod/lti/services.php/2/lineitems/9/lineitem/scores?type_id=1"


def test_bank_reference_is_bound_to_secret_platform_and_bank() -> None:
    from quizsvc.lti.deep_linking import bank_ref, parse_bank_ref

    ref = bank_ref("s", 1, 42)
    assert parse_bank_ref("s", 1, ref) == 42
    assert parse_bank_ref("other secret", 1, ref) is None
    assert parse_bank_ref("s", 2, ref) is None
    assert parse_bank_ref("s", 1, "43" + ref[2:]) is None
    assert parse_bank_ref("s", 1, None) is None and parse_bank_ref("s", 1, "42") is None


def test_tool_key_is_generated_once_kept_and_rotated(app, client) -> None:  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.lti import keys
    from quizsvc.store.lti import LtiToolKey

    first = client.get("/lti/jwks").get_json()["keys"]
    assert len(first) == 1 and first[0]["kty"] == "RSA" and first[0]["alg"] == "RS256"
    assert not {"d", "p", "q"} & set(first[0])  # public parts only
    assert client.get("/lti/jwks").get_json()["keys"] == first  # kept, not regenerated
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LtiToolKey)) == 1
        new = keys.rotate(db.session)
        db.session.commit()
    after = client.get("/lti/jwks").get_json()["keys"]
    assert {k["kid"] for k in after} == {first[0]["kid"], new.kid}
    with app.app_context():
        assert keys.signing_key(db.session).kid == new.kid


def test_the_tool_key_is_random_not_built_in(app, client) -> None:  # noqa: ANN001
    """Without its stored key, an installation generates a new one, never a constant."""
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiToolKey

    first = client.get("/lti/jwks").get_json()["keys"][0]
    with app.app_context():
        db.session.execute(LtiToolKey.__table__.delete())
        db.session.commit()
    second = client.get("/lti/jwks").get_json()["keys"][0]
    assert second["kid"] != first["kid"] and second["n"] != first["n"]


def test_platform_key_rotation_is_picked_up_but_unknown_kids_do_not_flood(
        lms: Lms, monkeypatch) -> None:  # noqa: ANN001
    from quizsvc.lti import keysets

    claims = lms.platform.resource_link_claims(sub="t", roles=[INSTRUCTOR], link_id="rl",
                                               target_link_uri=LAUNCH_URL)
    assert lms.launch(claims).status_code == 200
    assert lms.platform.jwks_requests == 1
    lms.platform.rotate_key()
    # Just fetched: an unknown kid does not trigger a refetch yet (no flooding the platform).
    assert lms.launch(claims).status_code == 401
    assert lms.platform.jwks_requests == 1
    monkeypatch.setattr(keysets, "MIN_REFETCH", 0.0)
    assert lms.launch(claims).status_code == 200
    assert lms.platform.jwks_requests == 2


def test_login_needs_its_parameters(lms: Lms) -> None:
    r = lms.client.post("/lti/login", base_url=TOOL, data={"iss": lms.platform.issuer})
    assert r.status_code == 400 and "login_hint" in page_text(r)
    # An API client asking for JSON gets the JSON error shape.
    r = lms.client.post("/lti/login", base_url=TOOL, data={"iss": lms.platform.issuer},
                        headers={"Accept": "application/json"})
    assert r.status_code == 400 and "login_hint" in r.get_json()["message"]


def test_login_by_get_works_too(lms: Lms) -> None:
    params = lms.platform.login_params({"sub": "x"}, LAUNCH_URL)
    r = lms.client.get("/lti/login", base_url=TOOL, query_string=params)
    assert r.status_code == 302 and r.headers["Location"].startswith(lms.platform.url("/auth?"))
