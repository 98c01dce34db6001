"""Fixtures for the LTI tests: a local platform, wired to the tool through an in-process transport."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.lti.platform import INSTRUCTOR, LEARNER, LocalPlatform, WsgiTransport

TOOL = "https://tool.test"
LAUNCH_URL = TOOL + "/lti/launch"


@pytest.fixture
def transport(app) -> WsgiTransport:  # noqa: ANN001
    return WsgiTransport({TOOL: app})


@pytest.fixture
def http(transport: WsgiTransport) -> requests.Session:
    """A requests session whose https traffic goes to in-process WSGI apps only."""
    session = requests.Session()
    session.mount("https://", transport)
    session.mount("http://", transport)
    return session


@pytest.fixture
def platform(app, transport: WsgiTransport, http: requests.Session) -> LocalPlatform:  # noqa: ANN001
    """A local LMS, registered in the tool with one deployment."""
    from quizsvc.extensions import db
    from quizsvc.lti import registry, runtime

    plat = LocalPlatform(tool_origin=TOOL, tool_jwks_url=TOOL + "/lti/jwks",
                         redirect_uris=(LAUNCH_URL,), http=http)
    transport.apps[plat.issuer] = plat
    runtime.runtime(app).http = http  # the tool reaches the platform through the transport too
    with app.app_context():
        registry.register_platform(db.session, issuer=plat.issuer, client_id=plat.client_id,
                                   auth_login_url=plat.url("/auth"),
                                   auth_token_url=plat.url("/token"), jwks_url=plat.url("/jwks"),
                                   deployment_ids=[plat.deployment_id], name="Local LMS")
        db.session.commit()
    return plat


@dataclass
class LoginStarted:
    """What the platform receives from the tool's login redirect."""

    state: str
    nonce: str
    params: dict[str, str]
    cookie: str | None


@dataclass
class Lms:
    """Drives a browser between the platform and the tool (the test client) through a launch."""

    client: Any
    platform: LocalPlatform
    http: requests.Session

    def start_login(self, claims: dict[str, Any], target: str = LAUNCH_URL) -> LoginStarted:
        """Send the platform's login initiation to the tool; return the auth request it made."""
        resp = self.client.post("/lti/login", data=self.platform.login_params(claims, target),
                                base_url=TOOL)
        assert resp.status_code == 302, resp.get_data(as_text=True)
        location = resp.headers["Location"]
        assert location.startswith(self.platform.url("/auth?"))
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        cookie = next((c for c in resp.headers.getlist("Set-Cookie")
                       if c.startswith("lti1p3_state_")), None)
        return LoginStarted(params["state"], params["nonce"], params, cookie)

    def authorise(self, started: LoginStarted) -> dict[str, str]:
        """Let the platform's auth endpoint check the request and mint the id_token."""
        query = "&".join(f"{k}={requests.utils.quote(v, safe='')}" for k, v in started.params.items())
        resp = self.http.get(self.platform.url("/auth?" + query))
        assert resp.status_code == 200, resp.text
        return resp.json()

    def post_launch(self, id_token: str, state: str) -> Any:
        return self.client.post("/lti/launch", data={"id_token": id_token, "state": state},
                                base_url=TOOL)

    def launch(self, claims: dict[str, Any]) -> Any:
        """Run login initiation, authorisation and launch, as a browser would."""
        started = self.start_login(claims)
        answer = self.authorise(started)
        assert answer["action"] == LAUNCH_URL
        return self.post_launch(answer["id_token"], answer["state"])


@pytest.fixture
def lms(client, platform: LocalPlatform, http: requests.Session) -> Lms:  # noqa: ANN001
    return Lms(client, platform, http)


def boot(resp: Any) -> dict[str, Any]:
    """Return the JSON a landing page embeds for its script."""
    import json
    import re

    html = resp.get_data(as_text=True)
    m = re.search(r'<script type="application/json" id="quizsvc-launch">(.*?)</script>', html, re.S)
    assert m, html[:500]
    return json.loads(m.group(1))


__all__ = ["INSTRUCTOR", "LEARNER", "LAUNCH_URL", "TOOL", "Lms", "boot"]
