"""The whole story, as a course would live it, against the local platform:

an admin registers the LMS; an instructor deep-links a bank into the course; a
student follows the link, becomes a quizsvc student, answers; the worker posts
the score; the LMS gradebook holds the right value.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select

from tests.lti.conftest import (INSTRUCTOR, LAUNCH_URL, LEARNER, TOOL, Lms, api_headers, boot,
                               page_text)
from tests.lti.platform import LocalPlatform, WsgiTransport
from tests.lti.test_deep_linking import DL, build_in_picker, form_fields, user_id_of


@pytest.fixture
def canvas(app, transport: WsgiTransport, http: requests.Session) -> LocalPlatform:  # noqa: ANN001
    """A platform the tool does not know yet."""
    from quizsvc.lti import runtime

    plat = LocalPlatform(tool_origin=TOOL, tool_jwks_url=TOOL + "/lti/jwks",
                         issuer="https://canvas.test", client_id="10000000000042",
                         deployment_id="42:abc", redirect_uris=(LAUNCH_URL,), http=http)
    transport.apps[plat.issuer] = plat
    runtime.runtime(app).http = http
    return plat


def run_worker(app, monkeypatch) -> str:  # noqa: ANN001
    """Run `quizsvc lti passback` once, on the test's app."""
    from quizsvc.cli import lti as lti_cli
    from quizsvc.cli import main

    monkeypatch.setattr(lti_cli, "_app", lambda: app)
    result = CliRunner().invoke(main, ["lti", "passback"])
    assert result.exit_code == 0, result.output
    return result.output


def test_register_deep_link_launch_attempt_and_grade(app, client, canvas: LocalPlatform,
                                                     http: requests.Session, admin,
                                                     monkeypatch) -> None:  # noqa: ANN001
    # 1. An admin registers the LMS with the URLs the tool tells them.
    tool = client.get("/api/v1/lti/tool", headers=admin.headers, base_url=TOOL).get_json()
    assert tool["login_url"] == TOOL + "/lti/login" and tool["jwks_url"] == TOOL + "/lti/jwks"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in tool["scopes"]
    r = client.post("/api/v1/lti/platforms", headers=admin.headers, json={
        "issuer": canvas.issuer, "client_id": canvas.client_id,
        "auth_login_url": canvas.url("/auth"), "auth_token_url": canvas.url("/token"),
        "jwks_url": canvas.url("/jwks"), "deployment_ids": [canvas.deployment_id]})
    assert r.status_code == 201, r.get_json()
    lms = Lms(client, canvas, http)

    # 2. The instructor opens the content picker from the course and links a bank.
    dl_claims = canvas.deep_linking_claims(sub="t-100", roles=[INSTRUCTOR],
                                           target_link_uri=LAUNCH_URL)
    first = lms.launch(dl_claims)
    assert "no question banks yet" in page_text(first)
    # They build the bank with the form the picker shows; creating it picks it.
    answer_html = build_in_picker(lms, first, title="Output shapes", count="3")
    assert http.post(canvas.url("/deep_link_return"),
                     data={"JWT": form_fields(answer_html)["JWT"]}).status_code == 200
    (item,) = canvas.deep_link_responses[0][DL + "content_items"]
    bank_id = int(item["custom"]["quizsvc_bank"].split(".")[0])
    teacher = api_headers(app, {"token": None, "user": {"id": user_id_of(app, "t-100")}})
    (lineitem,) = canvas.lineitems.values()  # the LMS made the gradebook column
    assert lineitem["scoreMaximum"] == 3.0

    # 3. A student follows the link the LMS placed in the course.
    resp = lms.launch(canvas.resource_link_claims(
        sub="s-200", roles=[LEARNER], link_id=lineitem["resourceLinkId"],
        target_link_uri=item["url"], custom=item["custom"], lineitem=lineitem["id"],
        name="Grace Hopper"))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = boot(resp)
    assert data["user"]["role"] == "student" and data["bank"]["id"] == bank_id
    headers = {"Authorization": f"Bearer {data['token']}"}
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["name"] == "Grace Hopper" and me["lti_subject"] == "s-200"

    # 4. The landing page lists their problems; they answer the first right, the second wrong.
    assert "practice.js" in resp.get_data(as_text=True)
    assert client.get("/lti/static/practice.js", base_url=TOOL).status_code == 200
    bank = client.get(f"/api/v1/banks/{bank_id}", headers=headers).get_json()
    ids = [p["id"] for p in bank["problems"]]
    assert len(ids) == 3 and "answer" not in bank["problems"][0]  # issued by the launch, keys hidden
    from quizsvc.extensions import db
    from quizsvc.store.models import Problem

    with app.app_context():  # the test reads the keys the student cannot see
        keys = [dict(db.session.get(Problem, i).key) for i in ids]
    ok = client.post(f"/api/v1/problems/{ids[0]}/attempts", json={"answer": keys[0]},
                     headers=headers)
    assert ok.status_code == 201 and ok.get_json()["correct"] is True
    wrong = client.post(f"/api/v1/problems/{ids[1]}/attempts",
                        json={"answer": {"shape": [1, 1, 1]}}, headers=headers)
    assert wrong.status_code == 201 and wrong.get_json()["correct"] is False

    # 5. The worker sends the newest bank score; the gradebook has 1 out of 3.
    assert run_worker(app, monkeypatch).startswith("sent 1,")
    (score,) = canvas.scores
    assert score["lineitem"] == lineitem["id"] and score["userId"] == "s-200"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (1.0, 3.0)
    assert score["activityProgress"] == "InProgress" and score["gradingProgress"] == "FullyGraded"
    assert dt.datetime.fromisoformat(score["timestamp"]).tzinfo is not None
    assert canvas.token_requests == 1  # one client-credentials token, signed by our key
    results = client.get(f"/api/v1/banks/{bank_id}/results", headers=teacher).get_json()["items"]
    (row,) = [x for x in results if x["user_id"] == data["user"]["id"]]
    assert (row["score"], row["max_score"]) == (score["scoreGiven"], score["scoreMaximum"])
    assert run_worker(app, monkeypatch).startswith("sent 0,")
    assert len(canvas.scores) == 1
    from quizsvc.store.lti import LtiGradeOutbox

    with app.app_context():  # the first score was replaced by the second before it went out
        statuses = list(db.session.scalars(select(LtiGradeOutbox.status).order_by(LtiGradeOutbox.id)))
    assert statuses == ["superseded", "sent"]


def test_cli_registers_and_lists_platforms(app, database_url: str, monkeypatch) -> None:  # noqa: ANN001
    from quizsvc.cli import main

    monkeypatch.setenv("QUIZSVC_DATABASE_URL", database_url)
    monkeypatch.setenv("QUIZSVC_SECRET_KEY", app.config["SECRET_KEY"])
    runner = CliRunner()
    args = ["lti", "register-platform", "--issuer", "https://moodle.test",
            "--client-id", "abc123", "--auth-login-url", "https://moodle.test/mod/lti/auth.php",
            "--auth-token-url", "https://moodle.test/mod/lti/token.php",
            "--jwks-url", "https://moodle.test/mod/lti/certs.php", "--deployment-id", "7"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert '"deployment_ids": [\n    "7"\n  ]' in result.output
    again = runner.invoke(main, args)
    assert again.exit_code == 2 and "already registered" in again.output
    platform_id = json.loads(result.output)["id"]
    assert runner.invoke(main, ["lti", "add-deployment", str(platform_id), "8"]).exit_code == 0
    listing = runner.invoke(main, ["lti", "list"])
    header, row = listing.output.splitlines()
    assert header.split()[:4] == ["id", "issuer", "client", "id"]
    assert "https://moodle.test" in row and " 7, 8 " in row and "never" in row
    bad = runner.invoke(main, [*args[:2], "--issuer", "x", "--client-id", "y",
                               "--auth-login-url", "http://moodle.test/auth",
                               "--auth-token-url", "https://moodle.test/t", "--jwks-url",
                               "https://moodle.test/k"])
    assert bad.exit_code == 2 and "https" in bad.output
