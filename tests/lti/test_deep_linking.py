"""Deep linking: an instructor picks a bank; the platform verifies our signed answer with our JWKS."""

from __future__ import annotations

import re
from typing import Any

import jwt
import pytest

from tests.lti.conftest import INSTRUCTOR, LAUNCH_URL, LEARNER, TOOL, Lms, make_bank

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
C = "https://purl.imsglobal.org/spec/lti/claim/"


def form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def form_action(html: str) -> str:
    m = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert m, html[:400]
    return m.group(1)


def open_picker(lms: Lms, sub: str = "teacher-1", roles: list[str] | None = None) -> Any:
    claims = lms.platform.deep_linking_claims(sub=sub, roles=roles or [INSTRUCTOR],
                                              target_link_uri=LAUNCH_URL)
    return lms.launch(claims)


def user_id_of(app, sub: str) -> int:  # noqa: ANN001
    """The quizsvc user of an LMS subject (the pages in the LMS show no token to ask the API)."""
    from sqlalchemy import select

    from quizsvc.extensions import db
    from quizsvc.store.models import User

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.lti_subject == sub))


def build_in_picker(lms: Lms, page: Any, *, title: str, count: str = "2",
                    family: str = "conv_output_shape", **more: str) -> str:
    """Fill and post the bank form a picker page shows; return the HTML answered."""
    html = page if isinstance(page, str) else page.get_data(as_text=True)
    assert form_action(html) == TOOL + "/lti/deep-link/new"
    resp = lms.client.post("/lti/deep-link/new", base_url=TOOL, data={
        **form_fields(html), "action": "create", "title": title, "item-0-family": family,
        "item-0-level": "easy", "item-0-count": count, "max_attempts": "3",
        "show_key": "after_last_attempt", **more})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_data(as_text=True)


@pytest.fixture
def picked(app, lms: Lms) -> dict[str, Any]:  # noqa: ANN001
    """An instructor opens the picker with no banks, makes one, and opens it again."""
    first = open_picker(lms)
    assert first.status_code == 200
    assert "no question banks yet" in first.get_data(as_text=True)
    user_id = user_id_of(app, "teacher-1")
    bank_id = make_bank(app, user_id, count=3, title="Padding and stride")
    page = open_picker(lms).get_data(as_text=True)
    assert "Padding and stride" in page and "3 problems per student" in page
    return {"bank_id": bank_id, "user_id": user_id, "page": page}


def test_deep_linking_returns_a_signed_content_item_the_platform_verifies(app, lms: Lms,
                                                                          picked) -> None:  # noqa: ANN001
    page = picked["page"]
    assert form_action(page) == TOOL + "/lti/deep-link"
    resp = lms.client.post("/lti/deep-link", base_url=TOOL,
                           data={**form_fields(page), "bank_id": str(picked["bank_id"])})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    html = resp.get_data(as_text=True)
    assert form_action(html) == lms.platform.url("/deep_link_return")
    token = form_fields(html)["JWT"]

    # The browser auto-posts the form to the platform, which checks it against our JWKS.
    answer = lms.http.post(lms.platform.url("/deep_link_return"), data={"JWT": token})
    assert answer.status_code == 200, answer.text
    (body,) = lms.platform.deep_link_responses
    assert body["aud"] == lms.platform.issuer and body["iss"] == lms.platform.client_id
    assert body[C + "message_type"] == "LtiDeepLinkingResponse"
    assert body[C + "deployment_id"] == lms.platform.deployment_id
    assert body[DL + "data"] == "opaque-123"  # echoed unchanged
    assert body["nonce"] and body["exp"] > body["iat"]
    (item,) = body[DL + "content_items"]
    assert item["type"] == "ltiResourceLink" and item["title"] == "Padding and stride"
    assert item["url"] == LAUNCH_URL
    assert item["lineItem"]["scoreMaximum"] == 3.0 and item["lineItem"]["label"] == "Padding and stride"
    assert item["custom"]["quizsvc_bank"].startswith(f"{picked['bank_id']}.")
    # The header names a key our JWKS publishes; a tampered token does not verify.
    kid = jwt.get_unverified_header(token)["kid"]
    keys = lms.http.get(TOOL + "/lti/jwks").json()["keys"]
    assert kid in {k["kid"] for k in keys} and all("d" not in k for k in keys)
    head, payload, sig = token.split(".")
    forged = lms.http.post(lms.platform.url("/deep_link_return"),
                           data={"JWT": f"{head}.{payload}.{sig[:-4]}AAAA"})
    assert forged.status_code == 400


def test_the_deep_linked_bank_is_what_students_launch_into(app, lms: Lms, picked) -> None:  # noqa: ANN001
    page = picked["page"]
    html = lms.client.post("/lti/deep-link", base_url=TOOL, data={
        **form_fields(page), "bank_id": str(picked["bank_id"])}).get_data(as_text=True)
    lms.http.post(lms.platform.url("/deep_link_return"), data={"JWT": form_fields(html)["JWT"]})
    (item,) = lms.platform.deep_link_responses[0][DL + "content_items"]
    claims = lms.platform.resource_link_claims(sub="s-1", roles=[LEARNER], link_id="rl-new",
                                               target_link_uri=item["url"], custom=item["custom"])
    resp = lms.launch(claims)
    assert resp.status_code == 200
    assert f'"id": {picked["bank_id"]}' in resp.get_data(as_text=True)


def test_a_learner_cannot_deep_link(lms: Lms) -> None:
    resp = open_picker(lms, sub="s-2", roles=[LEARNER])
    assert resp.status_code == 403


def test_a_tampered_picker_is_refused(lms: Lms, picked) -> None:  # noqa: ANN001
    fields = form_fields(picked["page"])
    fields["picker"] = fields["picker"][:-3] + "abc"
    resp = lms.client.post("/lti/deep-link", base_url=TOOL,
                           data={**fields, "bank_id": str(picked["bank_id"])})
    assert resp.status_code == 403


def test_someone_elses_bank_cannot_be_linked(app, lms: Lms, picked, other_instructor) -> None:  # noqa: ANN001
    theirs = make_bank(app, other_instructor.id, title="Not yours", context=None)
    resp = lms.client.post("/lti/deep-link", base_url=TOOL,
                           data={**form_fields(picked["page"]), "bank_id": str(theirs)})
    assert resp.status_code == 403


def test_a_hand_written_bank_parameter_is_ignored(app, lms: Lms, other_instructor) -> None:  # noqa: ANN001
    """A teacher typing custom parameters cannot point a link at someone else's bank."""
    theirs = make_bank(app, other_instructor.id, title="Not yours", context=None)
    claims = lms.platform.resource_link_claims(sub="s-3", roles=[LEARNER], link_id="rl-x",
                                               target_link_uri=LAUNCH_URL,
                                               custom={"quizsvc_bank": f"{theirs}.deadbeef"})
    assert lms.launch(claims).status_code == 409  # not connected to any bank


def test_a_bank_from_another_course_is_copied_into_the_linking_course(app, lms: Lms,
                                                                      picked) -> None:  # noqa: ANN001
    """The picker offers the banks of the instructor's other courses; a deep-linked bank
    always belongs to the course of the context, so picking one links a copy."""
    from quizsvc.extensions import db
    from quizsvc.store.courses import Course
    from quizsvc.store.models import Bank

    elsewhere = make_bank(app, picked["user_id"], title="From my own course", context=None)
    page = open_picker(lms).get_data(as_text=True)
    assert "From my own course" in page and "a copy is added to this one" in page
    resp = lms.client.post("/lti/deep-link", base_url=TOOL,
                           data={**form_fields(page), "bank_id": str(elsewhere)})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    jwt_text = form_fields(resp.get_data(as_text=True))["JWT"]
    (item,) = jwt.decode(jwt_text, options={"verify_signature": False})[DL + "content_items"]
    linked = int(item["custom"]["quizsvc_bank"].split(".")[0])
    with app.app_context():
        copy, original = db.session.get(Bank, linked), db.session.get(Bank, elsewhere)
        assert linked != elsewhere and copy.title == original.title
        assert db.session.get(Course, copy.course_id).lti_context_id == "course-1"
