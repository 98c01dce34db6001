"""The instructor's LTI pages in a real browser, in an LMS page's iframe of another origin.

A small "LMS" (a stdlib HTTP server on its own port, so another origin than the
tool's gunicorn) posts each launch into an iframe, and takes the deep linking
answer back. In the frame the instructor builds a bank in the content picker
(the bank is then linked: the LMS receives the signed answer), connects an
unconnected link to it, opens the course's passbacks and retries a failed one,
and an unverifiable launch shows its error page: each page must show inside
the frame (CSP frame-ancestors names the LMS's origin, no X-Frame-Options), and
the console stays free of errors. Screenshots go to build/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from tests.conftest import SECRET
from tests.hardening.servers import gunicorn
from tests.lti.conftest import INSTRUCTOR, LEARNER
from tests.lti.lms_server import Lms
from tests.lti.platform import LocalPlatform, jwk_of
from tests.lti.test_browser import chrome, console_errors  # noqa: F401 - `chrome` is a fixture

pytestmark = pytest.mark.slow
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
C = "https://purl.imsglobal.org/spec/lti/claim/"

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


def register(app: Any) -> LocalPlatform:  # noqa: ANN401
    from quizsvc.extensions import db
    from quizsvc.lti import registry

    plat = LocalPlatform(tool_origin="", tool_jwks_url="")
    with app.app_context():
        registry.register_platform(
            db.session, issuer=plat.issuer, client_id=plat.client_id,
            auth_login_url=plat.url("/auth"), auth_token_url=plat.url("/token"),
            jwks={"keys": [jwk_of(plat.key, plat.kid)]}, deployment_ids=[plat.deployment_id],
            name="Local LMS")
        db.session.commit()
    return plat


def launch_page(plat: LocalPlatform, lms: Lms, base: str, name: str, claims: dict[str, Any],
                *, state: str | None = None) -> str:
    """Run login initiation for `claims`, mint their id_token; return the LMS page posting it."""
    launch_url = base + "/lti/launch"
    claims = {**claims, C + "target_link_uri": launch_url,
              C + "launch_presentation": {"document_target": "iframe",
                                          "return_url": lms.origin + "/course"}}
    r = requests.post(base + "/lti/login", data=plat.login_params(claims, launch_url),
                      allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    query = {k: v[0] for k, v in parse_qs(urlsplit(r.headers["Location"]).query).items()}
    token = plat.mint(claims, nonce=query["nonce"])
    return lms.page(name, launch_url, token, state or query["state"])


def shoot(driver: Any, name: str, width: int = 1100) -> None:  # noqa: ANN401
    """Save the whole LMS page, the frame grown to the tool's page, then go back into the frame."""
    driver.switch_to.default_content()
    driver.set_window_size(width, 900)
    WebDriverWait(driver, 20).until(lambda d: d.execute_script(
        "return document.querySelector('iframe').style.height !== ''"))
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height) + 140, 8000))
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"lti-{name}-{width}.png"))
    driver.switch_to.frame("tool")


def failed_row(app: Any, bank_id: int) -> None:  # noqa: ANN401
    """A student's score the LMS refused for good, on the link of `bank_id`."""
    from sqlalchemy import select

    from quizsvc.extensions import db
    from quizsvc.lti import outbox
    from quizsvc.services import users
    from quizsvc.store.lti import LtiResourceLink

    with app.app_context():
        link = db.session.scalars(select(LtiResourceLink).where(
            LtiResourceLink.bank_id == bank_id)).one()
        for name, status in (("Ada Lovelace", "failed"), ("Grace Hopper", "sent")):
            student = users.create_user(db.session, None, name=name)
            row = outbox.enqueue(db.session, link=link, user_id=student.id, subject=name,
                                 score_given=1.0, score_maximum=2.0,
                                 activity_progress="InProgress", grading_progress="FullyGraded")
            row.status, row.attempts = status, 10 if status == "failed" else 1
            row.last_try_at = row.created_at
            row.last_error = "the platform answered 503: Service Unavailable" \
                if status == "failed" else None
            row.sent_at = row.created_at if status == "sent" else None
        db.session.commit()


def site_account(app: Any, bank_id: int) -> int:  # noqa: ANN401
    """Give the LMS-made instructor an email and password; return the bank's course id."""
    from quizsvc.extensions import db
    from quizsvc.services import accounts
    from quizsvc.store.models import Bank

    with app.app_context():
        bank = db.session.get(Bank, bank_id)
        bank.owner.email = "t-1@lms.test"
        db.session.flush()
        accounts.set_password(db.session, "t-1@lms.test", "correct horse battery")
        db.session.commit()
        return bank.course_id


def test_instructor_pages_in_an_lms_frame(app, chrome, tmp_path: Path) -> None:  # noqa: ANN001, F811
    from sqlalchemy import select

    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiResourceLink
    from quizsvc.store.models import Bank

    plat = register(app)
    lms = Lms()
    env = {"QUIZSVC_DATABASE_URL": app.config["DATABASE_URL"], "QUIZSVC_SECRET_KEY": SECRET,
           "QUIZSVC_LTI_STATE_TTL": "600", "QUIZSVC_LTI_PASSBACK_WORKER": "off"}
    wait = WebDriverWait(chrome, 30)
    try:
        with gunicorn(env, workers=1, threads=4, log=tmp_path / "gunicorn.log") as base:
            # 1. The content picker, no banks yet: the bank form, in the frame.
            claims = plat.deep_linking_claims(sub="t-1", roles=[INSTRUCTOR], target_link_uri="")
            claims[DL + "deep_linking_settings"]["deep_link_return_url"] = lms.origin + "/dl"
            chrome.get(launch_page(plat, lms, base, "picker", claims))
            chrome.switch_to.frame("tool")
            wait.until(ec.presence_of_element_located((By.ID, "title")))
            assert "no question banks yet" in chrome.find_element(By.TAG_NAME, "main").text
            shoot(chrome, "picker-form")
            shoot(chrome, "picker-form", 360)
            chrome.set_window_size(1100, 900)
            chrome.find_element(By.ID, "title").send_keys("Week 3: convolution shapes")
            Select(chrome.find_element(By.ID, "item-0-family")).select_by_value("conv_output_shape")
            chrome.find_element(By.ID, "item-0-count").send_keys("2")
            Select(chrome.find_element(By.ID, "item-1-family")).select_by_value("conv_forward")
            chrome.find_element(By.ID, "max_attempts").send_keys("3")
            chrome.find_element(By.CSS_SELECTOR, "button[value=create]").click()
            # Created, then picked: the frame posts the answer on to the LMS by itself.
            wait.until(ec.presence_of_element_located((By.ID, "received")))
            (answer,) = lms.answers
            (item,) = jwt.decode(answer, options={"verify_signature": False})[DL + "content_items"]
            bank_id = int(item["custom"]["quizsvc_bank"].split(".")[0])
            with app.app_context():
                bank = db.session.get(Bank, bank_id)
                assert bank.title == "Week 3: convolution shapes" and len(bank.items) == 2

            # The picker again: now it lists the bank, and offers to build another.
            chrome.switch_to.default_content()
            chrome.get(launch_page(plat, lms, base, "picker2", claims))
            chrome.switch_to.frame("tool")
            wait.until(ec.presence_of_element_located((By.ID, f"bank-{bank_id}")))
            shoot(chrome, "picker-list")

            # 2. A link placed in the course by hand, with no bank: a student meets a page saying
            # so; its instructor connects it in the frame.
            link = plat.resource_link_claims(sub="t-1", roles=[INSTRUCTOR], link_id="rl-hand",
                                             target_link_uri="")
            student = plat.resource_link_claims(sub="s-1", roles=[LEARNER], link_id="rl-hand",
                                                target_link_uri="")
            chrome.switch_to.default_content()
            chrome.get(launch_page(plat, lms, base, "student", student))
            chrome.switch_to.frame("tool")
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".lti-error h1")))
            assert "has not connected this activity" in chrome.find_element(By.TAG_NAME, "main").text
            shoot(chrome, "not-connected", 360)
            chrome.set_window_size(1100, 900)
            chrome.switch_to.default_content()
            chrome.get(launch_page(plat, lms, base, "link", link))
            chrome.switch_to.frame("tool")
            wait.until(ec.presence_of_element_located((By.ID, f"bank-{bank_id}")))
            shoot(chrome, "connect")
            chrome.find_element(By.XPATH, "//button[text()='Connect']").click()
            wait.until(lambda d: "Connected to" in d.find_element(By.TAG_NAME, "main").text)
            with app.app_context():
                assert db.session.scalars(select(LtiResourceLink.bank_id).where(
                    LtiResourceLink.resource_link_id == "rl-hand")).one() == bank_id

            # 3. The course's passbacks, from the landing: a failed one is retried.
            failed_row(app, bank_id)
            chrome.find_element(By.XPATH, "//button[text()='Grade passbacks of this course']").click()
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.passbacks")))
            text = chrome.find_element(By.TAG_NAME, "main").text
            assert "Ada Lovelace" in text and "503" in text and "1 failed" in text
            shoot(chrome, "passbacks")
            shoot(chrome, "passbacks", 360)
            chrome.set_window_size(1100, 900)
            # This LMS has no token endpoint running: the retried score waits for its next try.
            chrome.find_element(By.CSS_SELECTOR, "button[aria-label^='Retry the passback']").click()
            wait.until(lambda d: "Retried 1" in d.find_element(By.TAG_NAME, "main").text)
            assert "not taken by the LMS yet" in chrome.find_element(By.TAG_NAME, "main").text

            # 4. A launch that cannot be verified (its state is unknown): the error page shows.
            chrome.switch_to.default_content()
            chrome.get(launch_page(plat, lms, base, "bad", link, state="no-such-state"))
            chrome.switch_to.frame("tool")
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".lti-error h1")))
            assert "could not open this activity" in chrome.find_element(By.TAG_NAME, "h1").text
            shoot(chrome, "error")
            # Nothing but the error pages' own statuses (409 and 401, as they should be).
            errors = [e for e in console_errors(chrome) if not e["message"].endswith(
                ("status of 401 (UNAUTHORIZED)", "status of 409 (CONFLICT)"))]
            assert errors == [], errors

            # 5. The same passbacks on the site, from the course page, signed in with a password.
            course_id = site_account(app, bank_id)
            chrome.switch_to.default_content()
            chrome.get(base + "/login")
            chrome.find_element(By.ID, "email").send_keys("t-1@lms.test")
            chrome.find_element(By.ID, "password").send_keys("correct horse battery")
            chrome.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
            wait.until(lambda d: "/login" not in d.current_url)
            chrome.get(f"{base}/courses/{course_id}")
            chrome.find_element(By.LINK_TEXT, "Grade passbacks to the LMS").click()
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.passbacks")))
            assert "Ada Lovelace" in chrome.find_element(By.TAG_NAME, "main").text
            height = chrome.execute_script("return document.documentElement.scrollHeight")
            chrome.set_window_size(1100, int(height) + 140)
            chrome.save_screenshot(str(SHOTS / "site-course-passbacks-1100.png"))
            assert console_errors(chrome) == []
    finally:
        lms.close()
