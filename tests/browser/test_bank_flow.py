"""A course run in two browsers at once: the instructor builds, previews and assigns a bank; the
student answers it in their own browser; the instructor reads the result, the analytics and the
answers given, changes the items (a new version), copies and archives the bank; a student made by
staff claims their account. Screenshots of each page in build/screenshots/."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import viewport
from tests.browser.test_bank_pages import _api, _cli, _no_console_errors
from tests.browser.test_student_pages import _fits, _wait

pytestmark = pytest.mark.slow

TEACHER = "flow-instructor@example.edu"
STUDENT = "flow-student@example.edu"
PASSWORD = "correct horse battery"


def _sign_in(driver, server: str, email: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(server + "/login")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    _wait(driver, "header nav", email)


def _account(env: dict[str, str], role: str, email: str) -> str:
    token = _cli(env, "create-user", "--role", role, "--email", email).strip().splitlines()[-1]
    _cli(env, "set-password", email, stdin=PASSWORD + "\n")
    return token


def _typed_key(env: dict[str, str], problem_id: int) -> dict:
    """The answer a student who knows it types: the key (from the database) as form text."""
    from sqlalchemy import create_engine, text

    from tests.web.helpers import form_answer

    engine = create_engine(env["QUIZSVC_DATABASE_URL"])
    with engine.connect() as conn:
        row = conn.execute(text("SELECT family, seed, level, key FROM problems WHERE id = :id"),
                           {"id": problem_id}).one()
    engine.dispose()
    key = json.loads(row.key) if isinstance(row.key, str) else row.key
    return form_answer(row.family, row.seed, row.level, key)


def _answer(driver, env: dict[str, str]) -> None:
    """On a problem page: type the right answer into its fields and send it."""
    from selenium.webdriver.common.by import By

    problem_id = int(driver.current_url.split("/problem/")[1].split("?")[0].split("#")[0])
    for name, value in _typed_key(env, problem_id).items():
        box = driver.find_element(By.CSS_SELECTOR, f".answer-form [name='{name}']")
        box.clear()
        box.send_keys(value)
    driver.find_element(By.CSS_SELECTOR, ".answer-form button[type=submit]").click()


@pytest.fixture
def signed_out_after(driver):
    yield driver
    driver.delete_all_cookies()


def test_a_course_in_two_browsers(server, server_env, signed_out_after, second_driver, shoot):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    teacher, student = signed_out_after, second_driver
    token = _account(server_env, "instructor", TEACHER)
    course = _api(server, token, "/api/v1/courses", {"title": "Vision 301"})["id"]
    later = _api(server, token, "/api/v1/courses", {"title": "Vision 302"})["id"]
    _account(server_env, "student", STUDENT)
    _api(server, token, f"/api/v1/courses/{course}/enrollments", {"email": STUDENT})

    # The instructor builds a bank with the form and previews it.
    _sign_in(teacher, server, TEACHER)
    teacher.get(f"{server}/banks/new?course={course}")
    _wait(teacher, "h1", "New bank")
    teacher.find_element(By.ID, "title").send_keys("Week 5: output shapes")
    Select(teacher.find_element(By.ID, "item-0-family")).select_by_value("conv_output_shape")
    teacher.find_element(By.ID, "item-0-count").send_keys("1")
    Select(teacher.find_element(By.ID, "item-1-family")).select_by_value("conv_param_count")
    teacher.find_element(By.CSS_SELECTOR, "button[value=create]").click()
    _wait(teacher, "h1", "Week 5: output shapes")
    bank = int(teacher.current_url.rstrip("/").split("/banks/")[1])
    teacher.find_element(By.LINK_TEXT, "Preview the variants").click()
    _wait(teacher, "h1", "Preview")
    assert len(teacher.find_elements(By.CSS_SELECTOR, "article.problem")) == 2

    # ... and assigns it to the student by email.
    teacher.get(f"{server}/banks/{bank}")
    teacher.find_element(By.ID, "emails").send_keys(STUDENT)
    teacher.find_element(By.CSS_SELECTOR, "button[value=assign]").click()
    _wait(teacher, ".flashes", "Assigned to 1 student (0 already had it)")
    shoot("flow-bank-assigned")

    # The student, in their own browser, answers the first problem right.
    _sign_in(student, server, STUDENT)
    student.get(server + "/banks")
    _wait(student, "h2", "Week 5: output shapes")
    student.find_element(By.LINK_TEXT, "Problem 1").click()
    _wait(student, ".answer-form")
    first_problem = student.current_url
    _answer(student, server_env)
    _wait(student, ".result")
    assert "Solved" in student.find_element(By.CSS_SELECTOR, ".attempts").text
    shoot("flow-student-answered", of=student)

    # The instructor sees the result, the analytics charts and the answers given.
    teacher.get(f"{server}/banks/{bank}/results")
    _wait(teacher, "h1", "Results")
    row = teacher.find_element(By.CSS_SELECTOR, "tbody tr")
    assert STUDENT in row.text and "1.0 / 2" in row.text
    shoot("flow-results")
    teacher.get(f"{server}/banks/{bank}/analytics")
    _wait(teacher, "h1", "Analytics")
    for chart in teacher.find_elements(By.CSS_SELECTOR, "figure.chart img"):
        assert teacher.execute_script("return arguments[0].complete && arguments[0].naturalWidth",
                                      chart) > 0
    shoot("flow-analytics")
    teacher.find_element(By.PARTIAL_LINK_TEXT, "1. conv_output_shape").click()
    _wait(teacher, "h1", "Answers to item 1")
    assert "correct" in teacher.find_element(By.CSS_SELECTOR, "tbody").text
    shoot("flow-item-answers")
    _fits(teacher, 360)
    shoot("flow-item-answers-360", width=360)
    viewport(teacher, 1280, 1000)

    # A change to the items after that answer: the form says a new version is made.
    teacher.get(f"{server}/banks/{bank}")
    teacher.find_element(By.LINK_TEXT, "Change the items").click()
    _wait(teacher, "h1", "Change the items")
    assert "Make version 2 of this bank" in teacher.find_element(By.ID, "mode").text
    assert teacher.find_element(By.ID, "mode-version").is_selected()
    count = teacher.find_element(By.ID, "item-0-count")
    count.clear()
    count.send_keys("2")
    shoot("flow-items-version")
    _fits(teacher, 360)
    shoot("flow-items-version-360", width=360)
    viewport(teacher, 1280, 1000)
    teacher.find_element(By.CSS_SELECTOR, "button[value=save]").click()
    _wait(teacher, ".flashes", "Items saved as version 2")
    assert "version 1 (replaced" in teacher.find_element(By.TAG_NAME, "main").text

    # The student gets version 2's problems; the answered one says why it is closed.
    student.get(server + "/banks")
    _wait(student, "h2", "Week 5: output shapes")
    assert len(student.find_elements(By.CSS_SELECTOR, "section.bank tbody tr")) == 3
    student.get(first_problem)
    _wait(student, ".notice", "changed this bank")
    assert not student.find_elements(By.CSS_SELECTOR, ".answer-form")
    shoot("flow-student-old-version", of=student)
    teacher.get(f"{server}/banks/{bank}/results?version=1")
    _wait(teacher, ".versions", "results of version 1")
    assert STUDENT in teacher.find_element(By.CSS_SELECTOR, "tbody").text
    shoot("flow-results-version-1")

    # Copy into the instructor's other course, then archive the original.
    teacher.get(f"{server}/banks/{bank}")
    Select(teacher.find_element(By.ID, "course_id")).select_by_value(str(later))
    teacher.find_element(By.XPATH, "//button[normalize-space()='Copy the bank']").click()
    _wait(teacher, ".flashes", "Copied into Vision 302")
    teacher.get(f"{server}/banks/{bank}")
    teacher.find_element(By.XPATH, "//button[normalize-space()='Archive this bank']").click()
    _wait(teacher, ".flashes", "Archived")
    shoot("flow-bank-archived")
    _fits(teacher, 360)
    shoot("flow-bank-archived-360", width=360)
    viewport(teacher, 1280, 1000)
    student.get(server + "/banks")
    _wait(student, "h1", "My banks")
    assert "Week 5" not in student.find_element(By.TAG_NAME, "main").text
    _no_console_errors(teacher)


def test_a_student_made_by_staff_claims_the_account(server, server_env, second_driver, shoot):
    from selenium.webdriver.common.by import By

    token = _account(server_env, "instructor", "claim-instructor@example.edu")
    course = _api(server, token, "/api/v1/courses", {"title": "Claims 101"})["id"]
    made = _api(server, token, "/api/v1/users", {"email": "claimer@example.edu", "name": "Cleo",
                                                 "course_id": course, "claim_code": True})
    driver = second_driver
    driver.get(server + "/login")
    driver.find_element(By.LINK_TEXT, "Claim your account").click()
    _wait(driver, "h1", "Claim your account")
    shoot("claim", of=driver)
    _fits(driver, 360)
    shoot("claim-360", width=360, of=driver)
    viewport(driver, 1280, 1000)

    def send(code: str) -> None:
        for name, value in [("code", code), ("email", "claimer@example.edu"),
                            ("password", PASSWORD), ("password_again", PASSWORD)]:
            box = driver.find_element(By.ID, name)
            box.clear()
            box.send_keys(value)
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()

    send("qzc_mistyped")
    summary = _wait(driver, ".error-summary")
    summary.find_element(By.CSS_SELECTOR, "a[href='#code']").click()
    assert driver.switch_to.active_element.get_attribute("id") == "code"
    shoot("claim-error", of=driver)
    send(made["claim_code"])
    _wait(driver, "header nav", "claimer@example.edu")
    assert "Your account is yours now" in driver.find_element(By.CSS_SELECTOR, ".flashes").text
    shoot("claim-done", of=driver)
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")
              and "/claim - Failed to load resource: the server responded with a status of 401"
              not in e["message"]]  # the refused code's page, by design
    assert not errors, errors


def test_analytics_charts_with_their_tables(server, server_env, signed_out_after, shoot):
    """Three students, two making the same catalogued mistake: every chart draws, with numbers."""
    from selenium.webdriver.common.by import By
    from sqlalchemy import create_engine, text

    from tests.web.helpers import a_mistake, same_answer_titles

    seed, _, buggy = a_mistake("conv_output_shape", "easy")
    token = _account(server_env, "instructor", "charts-instructor@example.edu")
    course = _api(server, token, "/api/v1/courses", {"title": "Charts 101"})["id"]
    bank = _api(server, token, "/api/v1/banks", {
        "title": "Shapes and parameters", "course_id": course,
        "items": [{"family": "conv_output_shape", "level": "easy", "seeds": [seed]},
                  {"family": "conv_param_count", "level": "easy", "count": 1}]})["id"]
    engine = create_engine(server_env["QUIZSVC_DATABASE_URL"])
    for n, first in enumerate([buggy, buggy, None]):
        email = f"charts-student{n}@example.edu"
        mine = _cli(server_env, "create-user", "--role", "student", "--email", email) \
            .strip().splitlines()[-1]
        _api(server, token, f"/api/v1/courses/{course}/enrollments", {"email": email})
        _api(server, token, f"/api/v1/banks/{bank}/assign", {"emails": [email]})
        problems = _api(server, mine, f"/api/v1/banks/{bank}")["problems"]
        with engine.connect() as conn:
            keys = [conn.execute(text("SELECT key FROM problems WHERE id = :id"),
                                 {"id": p["id"]}).scalar_one() for p in problems]
        keys = [json.loads(k) if isinstance(k, str) else k for k in keys]
        _api(server, mine, f"/api/v1/problems/{problems[0]['id']}/attempts",
             {"answer": first or keys[0]})
        if n:
            _api(server, mine, f"/api/v1/problems/{problems[1]['id']}/attempts",
                 {"answer": keys[1]})
    engine.dispose()

    driver = signed_out_after
    _sign_in(driver, server, "charts-instructor@example.edu")
    driver.get(f"{server}/banks/{bank}/analytics")
    _wait(driver, "h1", "Analytics")
    charts = driver.find_elements(By.CSS_SELECTOR, "figure.chart img")
    assert len(charts) == 4  # fraction correct, difficulty/discrimination, mistakes, scores
    for chart in charts:
        assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth",
                                     chart) > 0
    titles = same_answer_titles("conv_output_shape", seed, "easy", buggy)
    table = driver.find_element(By.XPATH, "//caption[.='Misconceptions diagnosed']/..").text
    assert any(t in table for t in titles)
    shoot("analytics-charts")
    _fits(driver, 360)
    shoot("analytics-charts-360", width=360)
    viewport(driver, 1280, 1000)
    driver.find_element(By.PARTIAL_LINK_TEXT, "1. conv_output_shape").click()
    _wait(driver, "h1", "Answers to item 1")
    assert len(driver.find_elements(By.CSS_SELECTOR, "tbody tr")) == 2
    shoot("analytics-item-answers")
    _no_console_errors(driver)
