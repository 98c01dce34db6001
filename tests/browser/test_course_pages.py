"""An instructor in headless Chromium: sign in, create a course, enrol a student, the roster."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import viewport

pytestmark = pytest.mark.slow

TIMEOUT = 45  # a hang guard on a loaded machine, not a speed test
PASSWORD = "instructor password 1"


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", "from quizsvc.cli import main; main()", *args],
                          env=env, input=stdin, capture_output=True, text=True, timeout=120,
                          check=True)
    return done.stdout


def _wait(driver, css: str, text: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, TIMEOUT).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))


def _fits(driver, width: int) -> None:
    viewport(driver, width, 800)
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    viewport(driver, 1280, 1000)
    assert scroll <= width, f"the page is {scroll} px wide in a {width} px window"


def test_instructor_creates_a_course_and_enrols_a_student(server, server_env, driver, shoot):
    from selenium.webdriver.common.by import By

    _cli(server_env, "create-user", "--role", "instructor", "--name", "Ines Instructor",
         "--email", "ines@example.edu")
    _cli(server_env, "create-user", "--name", "Stu Dent", "--email", "stu@example.edu")
    out = _cli(server_env, "set-password", "ines@example.edu", stdin=PASSWORD + "\n")
    assert "instructor" in out
    driver.delete_all_cookies()
    driver.get(server + "/login?next=/courses")
    driver.find_element(By.NAME, "email").send_keys("ines@example.edu")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.account-form button[type=submit]").click()
    _wait(driver, "h1", "Your courses")
    assert driver.find_element(By.LINK_TEXT, "Courses").get_attribute("href").endswith("/courses")
    shoot("courses-empty")
    shoot("courses-empty-360", 360)
    _fits(driver, 360)

    driver.find_element(By.ID, "title").send_keys("Deep Learning")
    driver.find_element(By.ID, "term").send_keys("Spring 2027")
    driver.find_element(By.ID, "code").send_keys("DL 101")
    driver.find_element(By.XPATH, "//button[text()='Create course']").click()
    _wait(driver, "h1", "Deep Learning")
    code = driver.find_element(By.CSS_SELECTOR, "code.join-code").text
    assert len(code) == 8

    driver.find_element(By.ID, "enrol-email").send_keys("stu@example.edu")
    driver.find_element(By.XPATH, "//button[text()='Enrol']").click()
    _wait(driver, ".flashes", "stu@example.edu enrolled as a student")
    roster = driver.find_element(By.CSS_SELECTOR, "table.roster").text
    assert "stu@example.edu" in roster and "Stu Dent" in roster and "ines@example.edu" in roster
    shoot("course-roster")
    shoot("course-roster-360", 360)
    _fits(driver, 360)

    driver.find_element(By.XPATH, "//button[normalize-space()='Rotate (new code)']").click()
    _wait(driver, ".flashes", "The join code is now")
    assert driver.find_element(By.CSS_SELECTOR, "code.join-code").text != code

    # A roster: previewed (nothing written), then confirmed; the new account's claim code shows.
    roster = Path(server_env["QUIZSVC_WORK"]) / "roster.csv"
    roster.write_text("name,email\nNew Person,new@example.edu\nStu Dent,stu@example.edu\n"
                      "Bad Row,not-an-email\n")
    driver.find_element(By.ID, "roster").send_keys(str(roster))
    driver.find_element(By.XPATH, "//button[text()='Preview the roster']").click()
    _wait(driver, "h1", "Roster preview")
    assert "line 4" in driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert not driver.find_elements(By.XPATH, "//button[starts-with(text(), 'Confirm')]")
    shoot("course-roster-bad")
    logged = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert all("/roster" in m and "422" in m for m in logged), logged  # only the refused roster
    roster.write_text("name,email\nNew Person,new@example.edu\nStu Dent,stu@example.edu\n")
    driver.find_element(By.ID, "roster").send_keys(str(roster))
    driver.find_element(By.XPATH, "//button[text()='Preview the roster']").click()
    _wait(driver, "h1", "Roster preview")
    shoot("course-roster-preview")
    shoot("course-roster-preview-360", 360)
    _fits(driver, 360)
    driver.find_element(By.XPATH, "//button[starts-with(text(), 'Confirm')]").click()
    _wait(driver, ".flashes", "Roster imported: 1 account(s) created")
    assert "qzc_" in driver.find_element(By.ID, "new-accounts").find_element(
        By.XPATH, "..").text
    assert "new@example.edu" in driver.find_element(By.CSS_SELECTOR, "table.roster").text
    shoot("course-roster-imported")
    driver.get(server + "/courses")
    _wait(driver, "h1", "Your courses")
    assert "Deep Learning" in driver.find_element(By.CSS_SELECTOR, "table").text
    shoot("courses-list")
    shoot("courses-list-360", 360)
    _fits(driver, 360)

    # The student sees the course, reduced: no roster, no join code.
    _cli(server_env, "set-password", "stu@example.edu", stdin=PASSWORD + "\n")
    course_url = server + "/courses/" + driver.find_element(
        By.LINK_TEXT, "Deep Learning").get_attribute("href").rsplit("/", 1)[1]
    driver.delete_all_cookies()
    driver.get(server + "/login")
    driver.find_element(By.NAME, "email").send_keys("stu@example.edu")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.account-form button[type=submit]").click()
    _wait(driver, ".flashes", "Signed in as stu@example.edu")
    driver.get(course_url)
    _wait(driver, "h1", "Deep Learning")
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "new@example.edu" not in body and "Join code" not in body
    shoot("course-student-360", 360)
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    driver.delete_all_cookies()  # the driver is shared: leave it signed out
