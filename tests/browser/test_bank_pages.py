"""An instructor in headless Chromium: build a bank with the form, preview it, results, analytics."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from tests.browser.conftest import viewport
from tests.browser.test_student_pages import _fits, _wait

pytestmark = pytest.mark.slow

EMAIL = "bank-instructor@example.edu"
PASSWORD = "correct horse battery"


def _no_console_errors(driver) -> None:
    """No script or resource errors, but the form's own 422 (a refused form, by design)."""
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")
              and "status of 422" not in e["message"]]
    assert not errors, errors


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run([sys.executable, "-c", "from quizsvc.cli import main; main()", *args],
                          env=env, input=stdin, capture_output=True, text=True, timeout=120,
                          check=True)
    return done.stdout


def _api(server: str, token: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        server + path, data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.load(r)


def _instructor_with_course(server: str, env: dict[str, str]) -> tuple[int, str]:
    """An instructor (CLI: account, password) with a course (API); return (course id, token)."""
    token = _cli(env, "create-user", "--role", "instructor", "--email", EMAIL) \
        .strip().splitlines()[-1]
    _cli(env, "set-password", EMAIL, stdin=PASSWORD + "\n")
    return _api(server, token, "/api/v1/courses", {"title": "Vision 201"})["id"], token


def _a_student_answers(server: str, env: dict[str, str], course: int, teacher: str,
                       bank: int) -> None:
    """A student of the course answers their first problem right (the key read from the DB)."""
    from sqlalchemy import create_engine, text

    email = "bank-student@example.edu"
    token = _cli(env, "create-user", "--role", "student", "--email", email) \
        .strip().splitlines()[-1]
    _api(server, teacher, f"/api/v1/courses/{course}/enrollments", {"email": email})
    problem = _api(server, token, f"/api/v1/banks/{bank}")["problems"][0]
    engine = create_engine(env["QUIZSVC_DATABASE_URL"])
    with engine.connect() as conn:
        key = conn.execute(text("SELECT key FROM problems WHERE id = :id"),
                           {"id": problem["id"]}).scalar_one()
    engine.dispose()
    key = json.loads(key) if isinstance(key, str) else key
    assert _api(server, token, f"/api/v1/problems/{problem['id']}/attempts",
                {"answer": key})["correct"]


@pytest.fixture
def signed_out_after(driver):
    """The browser is shared by the session's tests: leave it signed out, as found."""
    yield driver
    driver.delete_all_cookies()


def test_build_preview_results_analytics(server, server_env, signed_out_after, shoot):
    driver = signed_out_after
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    course, teacher = _instructor_with_course(server, server_env)
    driver.delete_all_cookies()
    driver.get(server + "/login")
    driver.find_element(By.NAME, "email").send_keys(EMAIL)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    _wait(driver, "header nav", EMAIL)

    driver.get(f"{server}/banks/new?course={course}")
    _wait(driver, "h1", "New bank")
    # Submitting with no title: the summary links to the field, the field says why.
    Select(driver.find_element(By.ID, "item-0-family")).select_by_value("conv_output_shape")
    driver.find_element(By.CSS_SELECTOR, "button[value=create]").click()
    summary = _wait(driver, ".error-summary")
    summary.find_element(By.CSS_SELECTOR, "a[href='#title']").click()
    assert driver.switch_to.active_element.get_attribute("id") == "title"
    shoot("bank-new-errors")
    # "Add an item row" re-renders the form without JavaScript, keeping what was chosen.
    driver.find_element(By.CSS_SELECTOR, "button[value=add_row]").click()
    _wait(driver, "#item-3-family")
    assert Select(driver.find_element(By.ID, "item-0-family")) \
        .first_selected_option.get_attribute("value") == "conv_output_shape"
    driver.find_element(By.ID, "title").send_keys("Week 4: shapes")
    driver.find_element(By.ID, "item-0-count").send_keys("2")
    Select(driver.find_element(By.ID, "item-1-family")).select_by_value("conv_param_count")
    driver.find_element(By.ID, "item-1-seeds").send_keys("3, 9")
    driver.find_element(By.ID, "max_attempts").send_keys("3")
    driver.find_element(By.ID, "whole_course").click()
    shoot("bank-new")
    _fits(driver, 360)
    shoot("bank-new-360", width=360)
    viewport(driver, 1280, 1000)
    driver.find_element(By.CSS_SELECTOR, "button[value=create]").click()
    _wait(driver, "h1", "Week 4: shapes")
    assert "Bank “Week 4: shapes” created" in driver.find_element(By.CSS_SELECTOR, ".flashes").text
    rows = driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    assert len(rows) == 2 and "3, 9" in rows[1].text
    shoot("bank")
    _fits(driver, 360)
    shoot("bank-360", width=360)
    viewport(driver, 1280, 1000)

    driver.find_element(By.LINK_TEXT, "Preview the variants").click()
    _wait(driver, "h1", "Preview")
    cards = driver.find_elements(By.CSS_SELECTOR, "article.problem")
    assert len(cards) == 4
    assert all(c.find_elements(By.CSS_SELECTOR, ".solution .key dd") for c in cards)
    first = cards[0].find_element(By.CSS_SELECTOR, ".prompt").text
    driver.find_element(By.LINK_TEXT, "Re-roll this item").click()
    _wait(driver, "h1", "Preview")
    assert driver.find_elements(By.CSS_SELECTOR, "article.problem .prompt")[0].text != first
    shoot("bank-preview")
    _fits(driver, 360)
    shoot("bank-preview-360", width=360)
    viewport(driver, 1280, 1000)

    bank = int(driver.current_url.split("/banks/")[1].split("/")[0])
    _a_student_answers(server, server_env, course, teacher, bank)
    driver.find_element(By.LINK_TEXT, "Week 4: shapes").click()
    driver.find_element(By.LINK_TEXT, "Results").click()
    _wait(driver, "h1", "Results")
    assert "bank-student@example.edu" in driver.find_element(By.CSS_SELECTOR, "tbody").text
    shoot("bank-results")
    driver.back()
    driver.find_element(By.LINK_TEXT, "Analytics").click()
    _wait(driver, "h1", "Analytics")
    chart = driver.find_element(By.CSS_SELECTOR, "figure.chart img")
    assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth",
                                 chart) > 0
    shoot("bank-analytics")
    _fits(driver, 360)
    shoot("bank-analytics-360", width=360)
    viewport(driver, 1280, 1000)
    _no_console_errors(driver)
