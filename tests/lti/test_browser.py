"""The LTI landing in a real browser, inside an LMS page's iframe, served by gunicorn.

A local "LMS" page (a file, so a different site from the tool) posts the launch into
an iframe, as LMSs do; no cookie is needed after that. In the frame the student
fills a matrix grid (it starts at the neutral 2 x 2, whatever the key's size),
sees the live preview, submits, reads the result and the worked solution, then
sends a catalogued mistake and an unreadable answer. The browser console must
stay free of errors. Screenshots at desktop and 360 px wide go to build/screenshots/.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.conftest import SECRET
from tests.hardening.servers import gunicorn
from tests.lti.conftest import LEARNER
from tests.lti.lms_server import Lms
from tests.lti.platform import LocalPlatform, jwk_of

pytestmark = pytest.mark.slow
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
ITEMS = [("conv_forward", "hard"), ("conv_output_shape", "easy"), ("normalization_axes", "easy")]

webdriver = pytest.importorskip("selenium.webdriver")
if not (shutil.which("chromium") and shutil.which("chromedriver")):
    pytest.skip("needs Debian's chromium and chromium-driver", allow_module_level=True)

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def setup_course(app: Any) -> tuple[LocalPlatform, int]:  # noqa: ANN401
    """Register a platform with a fixed key set, and a bank of a matrix, a shape and a choice."""
    from quizsvc.extensions import db
    from quizsvc.lti import registry
    from quizsvc.services import users
    from quizsvc.store.courses import Course, Enrollment
    from quizsvc.store.models import Bank, BankItem

    plat = LocalPlatform(tool_origin="", tool_jwks_url="")
    with app.app_context():
        platform = registry.register_platform(
            db.session, issuer=plat.issuer, client_id=plat.client_id,
            auth_login_url=plat.url("/auth"), auth_token_url=plat.url("/token"),
            jwks={"keys": [jwk_of(plat.key, plat.kid)]}, deployment_ids=[plat.deployment_id],
            name="Local LMS")
        teacher = users.create_user(db.session, None, role="instructor", email="t@example.edu")
        # The course the LMS context maps to (its first launch would make it), the teacher in it.
        course = Course(title="Deep Learning 101", lti_platform_id=platform.id,
                        lti_context_id="course-1")
        db.session.add(course)
        db.session.flush()
        db.session.add(Enrollment(course_id=course.id, user_id=teacher.id, role="instructor"))
        bank = Bank(owner_id=teacher.id, course_id=course.id, title="Convolutions, week 3",
                    max_attempts=3, show_key="after_correct_or_last_attempt",
                    items=[BankItem(position=i, family=f, level=lvl, count=1)
                           for i, (f, lvl) in enumerate(ITEMS)])
        db.session.add(bank)
        db.session.commit()
        return plat, bank.id


def lms_page(app: Any, plat: LocalPlatform, base: str, bank_id: int, lms: Lms) -> str:  # noqa: ANN401
    """Start a launch (login initiation, id_token); return the URL of the LMS page posting it.

    The page is on the LMS's own origin (a page opened from a file has none, and no tool
    page may be framed by it), which the launch names as where it came from."""
    from sqlalchemy import select

    from quizsvc.extensions import db
    from quizsvc.lti.deep_linking import bank_ref
    from quizsvc.store.lti import LtiPlatform

    with app.app_context():
        pid = db.session.scalar(select(LtiPlatform.id).where(LtiPlatform.issuer == plat.issuer))
    launch_url = base + "/lti/launch"
    claims = plat.resource_link_claims(
        sub="s-42", roles=[LEARNER], link_id="rl-week3", target_link_uri=launch_url,
        name="Ada Lovelace", custom={"quizsvc_bank": bank_ref(SECRET, pid, bank_id)})
    claims["https://purl.imsglobal.org/spec/lti/claim/launch_presentation"] = {
        "document_target": "iframe", "return_url": lms.origin + "/course"}
    r = requests.post(base + "/lti/login", data=plat.login_params(claims, launch_url),
                      allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    query = {k: v[0] for k, v in parse_qs(urlsplit(r.headers["Location"]).query).items()}
    token = plat.mint(claims, nonce=query["nonce"])
    return lms.page("course", launch_url, token, query["state"], height=500,
                    title="quizsvc practice")


@pytest.fixture
def chrome(tmp_path: Path):  # noqa: ANN201
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="quizsvc-chrome-")
    options = Options()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                 "--window-size=1280,900", "--allow-file-access-from-files"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def shoot(driver: Any, name: str, width: int) -> Path:  # noqa: ANN401
    """Save a screenshot of the whole LMS page (the frame grown to the tool's height)."""
    driver.switch_to.default_content()
    driver.set_window_size(width, 900)
    # practice.js tells the LMS the page's height (lti.frameResize): the frame fits the page.
    WebDriverWait(driver, 10).until(frame_fits)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height) + 120, 12000))
    driver.execute_script("window.scrollTo(0, 0)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"lti-landing-{name}-{width}.png"
    driver.save_screenshot(str(path))
    driver.switch_to.frame("tool")
    return path


def frame_fits(driver: Any) -> bool:  # noqa: ANN401
    driver.switch_to.frame("tool")
    inner = driver.execute_script("return document.documentElement.scrollHeight")
    driver.switch_to.default_content()
    return driver.execute_script(
        "return parseInt(document.querySelector('iframe').style.height, 10)") == inner


def console_errors(driver: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    """Severe console entries (script errors, CSP refusals, failed loads), but for the answer page
    that answers 422 on purpose (an unreadable answer shown back), which Chrome logs as a failed
    load when the frame's parent is on another origin."""
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
            and not (e.get("source") == "network" and "/answer - " in e["message"]
                     and "status of 422" in e["message"])]


def test_landing_in_an_lms_frame(app, chrome, tmp_path: Path):  # noqa: ANN001
    from quizsvc.extensions import db
    from quizsvc.store.models import Attempt, Problem

    plat, bank_id = setup_course(app)
    env = {"QUIZSVC_DATABASE_URL": app.config["DATABASE_URL"], "QUIZSVC_SECRET_KEY": SECRET,
           "QUIZSVC_LTI_STATE_TTL": "600"}
    lms = Lms()
    with gunicorn(env, workers=1, threads=4, log=tmp_path / "gunicorn.log") as base:
        chrome.get(lms_page(app, plat, base, bank_id, lms))
        chrome.switch_to.frame("tool")
        wait = WebDriverWait(chrome, 20)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "article.problem")))
        with app.app_context():
            problems = db.session.query(Problem).order_by(Problem.item_index).all()
            keys = {p.family: (p.id, dict(p.key)) for p in problems}
        # Rendered math, no raw LaTeX.
        assert chrome.find_elements(By.CSS_SELECTOR, ".prompt math")
        body_text = chrome.find_element(By.TAG_NAME, "main").text
        assert "\\begin" not in body_text and "$" not in body_text
        shoot(chrome, "new", 1280)

        # 1. The matrix field is a grid of the neutral size, whatever the key's size.
        pid, key = keys["conv_forward"]
        matrix = key["output"]
        box = chrome.find_element(By.ID, f"p{pid}")
        grid = box.find_element(By.CSS_SELECTOR, "table.grid")
        assert len(grid.find_elements(By.TAG_NAME, "tr")) == 2
        assert len(grid.find_elements(By.CSS_SELECTOR, "tr:first-child input")) == 2
        assert not box.find_element(By.CSS_SELECTOR, "textarea[name=output]").is_displayed()
        rows, cols = len(matrix), len(matrix[0])
        for _ in range(rows - 2):
            box.find_element(By.CSS_SELECTOR, "button[aria-label='Add a row']").click()
        for _ in range(2 - rows):
            box.find_element(By.CSS_SELECTOR, "button[aria-label='Remove the last row']").click()
        for _ in range(cols - 2):
            box.find_element(By.CSS_SELECTOR, "button[aria-label='Add a column']").click()
        for _ in range(2 - cols):
            box.find_element(By.CSS_SELECTOR, "button[aria-label='Remove the last column']").click()
        # Keyboard: Tab goes from cell to cell, the focused cell shows a focus ring.
        from selenium.webdriver.common.keys import Keys

        first = box.find_element(By.CSS_SELECTOR, "input[data-r='0'][data-c='0']")
        first.click()
        chrome.switch_to.active_element.send_keys(Keys.TAB)
        active = chrome.switch_to.active_element
        if cols > 1:
            assert (active.get_attribute("data-r"), active.get_attribute("data-c")) == ("0", "1")
        assert chrome.execute_script(
            "return getComputedStyle(document.activeElement).outlineStyle") == "solid"
        for i, row in enumerate(matrix):
            for j, v in enumerate(row):
                box.find_element(By.CSS_SELECTOR, f"input[data-r='{i}'][data-c='{j}']").send_keys(str(v))
        # 2. The live preview says how it was read, as MathML, before anything is sent.
        preview = box.find_element(By.ID, f"p{pid}-output-preview")
        wait.until(lambda d: "Read as a" in preview.text)
        assert f"{rows} \u00d7 {cols} matrix" in preview.text
        assert preview.find_elements(By.CSS_SELECTOR, "math mtable")
        with app.app_context():
            assert db.session.query(Attempt).count() == 0  # previews are not attempts
        shoot(chrome, "preview", 1280)
        # 3. Submit: the result, said once, then the answer and the rendered worked solution.
        box.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(ec.presence_of_element_located((By.ID, f"p{pid}-result")))
        box = chrome.find_element(By.ID, f"p{pid}")
        result = box.find_element(By.ID, f"p{pid}-result").text
        assert result.startswith("Correct") and "Correct. Correct." not in result
        solution = box.find_element(By.CSS_SELECTOR, "section.solution")
        assert "Worked solution" in solution.text and solution.find_elements(By.TAG_NAME, "math")
        assert chrome.switch_to.active_element.get_attribute("id") == f"p{pid}-result"

        # 4. A catalogued mistake is named, with per-field feedback.
        from tests.api.helpers import wrong_answer

        sid, _ = keys["conv_output_shape"]
        seed = next(p.seed for p in problems if p.id == sid)
        buggy = wrong_answer("conv_output_shape", seed, "forgot_plus_one")["shape"]
        field = chrome.find_element(By.ID, f"p{sid}-shape")
        field.send_keys(", ".join(map(str, buggy)))
        wait.until(lambda d: "Read as" in d.find_element(By.ID, f"p{sid}-shape-preview").text)
        chrome.find_element(By.CSS_SELECTOR, f"#p{sid} button[type=submit]").click()
        wait.until(ec.presence_of_element_located((By.ID, f"p{sid}-result")))
        text = chrome.find_element(By.ID, f"p{sid}-result").text
        assert "Likely mistake" in text and "2 attempts left" in chrome.find_element(By.ID, f"p{sid}").text

        # 5. An unreadable answer: shown back with the reason, no attempt used.
        nid, _ = keys["normalization_axes"]
        chrome.find_element(By.ID, f"p{nid}-count").send_keys("lots")
        wait.until(lambda d: "Cannot read" in d.find_element(By.ID, f"p{nid}-count-preview").text)
        chrome.find_element(By.CSS_SELECTOR, f"#p{nid} button[type=submit]").click()
        wait.until(ec.presence_of_element_located((By.ID, f"p{nid}-errors")))
        assert "No attempt was used" in chrome.find_element(By.ID, f"p{nid}-errors").text
        with app.app_context():
            assert db.session.query(Attempt).filter_by(problem_id=nid).count() == 0
        assert chrome.find_element(By.ID, f"p{nid}-count").get_attribute("value") == "lots"

        assert console_errors(chrome) == []
        shoot(chrome, "answered", 1280)
        shoot(chrome, "answered", 360)
        # At 360 px nothing is wider than the page (math and grids scroll inside their boxes).
        assert chrome.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1")
