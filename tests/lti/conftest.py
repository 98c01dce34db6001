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


def make_bank(app: Any, owner_id: int, *, count: int = 2, family: str = "conv_output_shape",
              max_attempts: int | None = 3, title: str = "Convolution shapes",
              context: str | None = "course-1") -> int:
    """Create a bank of one item with `count` variants per student; return its id.

    It belongs to the course of the platform's LTI `context` (made as its first
    launch would make it, `owner_id` an instructor of it), or with `context`
    None to the owner's own course outside any LMS.
    """
    from sqlalchemy import select

    from quizsvc.extensions import db
    from quizsvc.services.courses import create_course
    from quizsvc.store.courses import Course, Enrollment
    from quizsvc.store.lti import LtiPlatform
    from quizsvc.store.models import Bank, BankItem, User

    with app.app_context():
        owner = db.session.get(User, owner_id)
        if context is None:
            course = db.session.scalar(select(Course).join(
                Enrollment, Enrollment.course_id == Course.id).where(
                Enrollment.user_id == owner_id, Enrollment.role == "instructor",
                Course.lti_context_id.is_(None)))
            course = course or create_course(db.session, owner, "Outside the LMS")
        else:
            platform_id = db.session.scalar(select(LtiPlatform.id).order_by(LtiPlatform.id))
            course = db.session.scalar(select(Course).where(Course.lti_platform_id == platform_id,
                                                            Course.lti_context_id == context))
            if course is None:
                course = Course(title="Deep Learning 101", lti_platform_id=platform_id,
                                lti_context_id=context)
                db.session.add(course)
                db.session.flush()
            if db.session.scalar(select(Enrollment.id).where(
                    Enrollment.course_id == course.id, Enrollment.user_id == owner_id)) is None:
                db.session.add(Enrollment(course_id=course.id, user_id=owner_id,
                                          role="instructor"))
        bank = Bank(owner_id=owner_id, course_id=course.id, title=title,
                    max_attempts=max_attempts, show_key="after_last_attempt",
                    items=[BankItem(position=0, family=family, level="easy", count=count)])
        db.session.add(bank)
        db.session.commit()
        return bank.id


def issue_bank_problem(app: Any, bank_id: int, user_id: int, variant: int) -> tuple[int, dict]:
    """Issue (or find) a student's variant of item 0 of a bank; return its id and its key."""
    from quizsvc.extensions import db
    from quizsvc.services.policy import Policy
    from quizsvc.services.practice import issue
    from quizsvc.services.variants import variant_seed
    from quizsvc.store.models import Bank, User

    from sqlalchemy import select

    from quizsvc.store.models import Problem

    with app.app_context():
        existing = db.session.scalars(select(Problem).where(
            Problem.bank_id == bank_id, Problem.owner_id == user_id, Problem.item_index == 0,
            Problem.variant == variant)).first()
        if existing is not None:
            return existing.id, dict(existing.key)
        bank = db.session.get(Bank, bank_id)
        item = bank.items[0]
        seed = variant_seed(app.config["SECRET_KEY"], bank_id, 0, variant, user_id)
        problem = issue(db.session, db.session.get(User, user_id), item.family, item.level, seed,
                        Policy(bank.max_attempts, bank.show_key), bank_id=bank_id, item_index=0,
                        variant=variant)
        db.session.commit()
        return problem.id, dict(problem.key)


def bank_ref_for(app: Any, platform_issuer: str, bank_id: int) -> str:
    """Return the signed custom parameter a deep-linked resource link carries for a bank."""
    from sqlalchemy import select

    from quizsvc.extensions import db
    from quizsvc.lti.deep_linking import bank_ref
    from quizsvc.store.lti import LtiPlatform

    with app.app_context():
        pid = db.session.scalar(select(LtiPlatform.id).where(LtiPlatform.issuer == platform_issuer))
        return bank_ref(app.config["SECRET_KEY"], pid, bank_id)


def boot(resp: Any) -> dict[str, Any]:
    """Return the JSON a landing page embeds for its script."""
    import json
    import re

    html = resp.get_data(as_text=True)
    m = re.search(r'<script type="application/json" id="quizsvc-launch">(.*?)</script>', html, re.S)
    assert m, html[:500]
    return json.loads(m.group(1))


def api_headers(app: Any, data: dict[str, Any]) -> dict[str, str]:
    """Bearer headers for the user a launched page names.

    A student's page carries its launch token; staff pages carry none (no token is
    shown in the LMS), so the test issues one for that user, as an API client would hold.
    """
    token = data.get("token")
    if not token:
        from quizsvc.extensions import db
        from quizsvc.services.users import issue_token
        from quizsvc.store.models import User

        with app.app_context():
            _, token = issue_token(db.session, db.session.get(User, data["user"]["id"]), "test")
            db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def page_text(resp: Any) -> str:
    """The visible text of an HTML answer, whitespace collapsed, entities decoded."""
    import html
    import re

    body = re.sub(r"<(script|style)\b.*?</\1>", " ", resp.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


__all__ = ["api_headers", "page_text", "INSTRUCTOR", "LEARNER", "LAUNCH_URL", "TOOL", "Lms", "bank_ref_for", "boot",
           "issue_bank_problem", "make_bank"]
