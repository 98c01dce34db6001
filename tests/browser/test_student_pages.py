"""A student's session in headless Chromium: grid, live preview, feedback, solution, accounts."""

from __future__ import annotations

import pytest

from quizsvc import families
from tests.browser.conftest import viewport
from tests.web.helpers import a_mistake

pytestmark = pytest.mark.slow

TIMEOUT = 45  # a hang guard on a loaded machine, not a speed test


def _wait(driver, css: str, text: str | None = None):  # noqa: ANN001, ANN202
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, TIMEOUT)
    if text is None:
        return wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
    return driver.find_element(By.CSS_SELECTOR, css)


def _no_console_errors(driver) -> None:  # noqa: ANN001
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert not errors, errors


def _fits(driver, width: int) -> None:  # noqa: ANN001
    viewport(driver, width, 800)
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide in a {width} px window"


def test_home_and_keyboard(server, driver, shoot):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(server + "/")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Practise CNN fundamentals"
    links = driver.find_elements(By.CSS_SELECTOR, ".family-list a[href^='/practice/']")
    assert len(links) >= len(families.names())
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = driver.switch_to.active_element
    assert focused.get_attribute("class") == "skip-link" and focused.is_displayed()
    outline = driver.execute_script("return getComputedStyle(arguments[0]).outlineStyle", focused)
    assert outline != "none", "focus is visible"
    shoot("home")
    _fits(driver, 360)
    shoot("home-360", width=360)
    _no_console_errors(driver)


def test_matrix_grid_preview_submit_feedback_and_solution(server, driver, shoot):
    from selenium.webdriver.common.by import By

    family, level, seed = "toeplitz_matrix", "easy", 3
    key = families.get(family).generate(seed, level).answer["matrix"]
    rows, cols = len(key), len(key[0])
    driver.get(f"{server}/practice/{family}?level={level}&seed={seed}")
    field = _wait(driver, '.field[data-field="matrix"] .grid-editor')
    assert not driver.find_element(By.CSS_SELECTOR, 'textarea[name="matrix"]').is_displayed()
    start = field.find_element(By.CSS_SELECTOR, ".grid-size").text
    assert start == "2 × 2", "the grid starts at a neutral size, not the key's"
    for label, times in (("Add a row", rows - 2), ("Remove the last row", 2 - rows),
                         ("Add a column", cols - 2), ("Remove the last column", 2 - cols)):
        for _ in range(max(0, times)):
            field.find_element(By.CSS_SELECTOR, f'button[aria-label="{label}"]').click()
    assert field.find_element(By.CSS_SELECTOR, ".grid-size").text == f"{rows} × {cols}"
    for i, row in enumerate(key):
        for j, value in enumerate(row):
            cell = field.find_element(By.CSS_SELECTOR, f'input[data-r="{i}"][data-c="{j}"]')
            cell.send_keys(str(value))
    preview = _wait(driver, '.field[data-field="matrix"] output.preview.read',
                    f"Read as a {rows} × {cols} matrix")
    assert preview.find_elements(By.TAG_NAME, "math"), "the preview shows the matrix as MathML"
    shoot("problem-grid-preview")
    _no_console_errors(driver)

    driver.find_element(By.CSS_SELECTOR, ".answer-form button[type=submit]").click()
    result = _wait(driver, ".result-correct")
    assert "Correct" in result.text and "100%" in result.text
    solution = _wait(driver, ".solution")
    assert "Worked solution" in solution.text
    assert solution.find_elements(By.TAG_NAME, "math"), "the worked solution is MathML"
    assert not driver.find_elements(By.CSS_SELECTOR, ".answer-form")
    shoot("problem-solved")
    _no_console_errors(driver)


def test_a_mistake_is_named_and_progress_shows_it(server, driver, shoot):
    from selenium.webdriver.common.by import By

    fam = families.get("conv_output_shape")
    seed, code, buggy = a_mistake("conv_output_shape", "easy")
    driver.get(f"{server}/practice/conv_output_shape?level=easy&seed={seed}")
    box = _wait(driver, 'input[name="shape"]')
    box.send_keys(", ".join(str(v) for v in buggy["shape"]))
    _wait(driver, '.field[data-field="shape"] output.preview.read', "Read as")
    driver.find_element(By.CSS_SELECTOR, ".answer-form button[type=submit]").click()
    mistake = _wait(driver, ".misconception")
    title = next(m.title for m in fam.misconceptions if m.code == code)
    assert title in mistake.text
    assert "2 attempts left" in driver.find_element(By.CSS_SELECTOR, ".attempts").text
    assert not driver.find_elements(By.CSS_SELECTOR, ".solution"), "no key yet"
    shoot("problem-mistake")
    _fits(driver, 360)
    shoot("problem-mistake-360", width=360)
    _no_console_errors(driver)

    driver.get(server + "/progress")
    chart = _wait(driver, "figure.chart img")
    assert driver.execute_script("return arguments[0].naturalWidth", chart) > 0, "chart loads"
    assert title in driver.find_element(By.CSS_SELECTOR, ".progress-table").text
    shoot("progress")
    _no_console_errors(driver)


def _assign_a_bank(server: str, env: dict[str, str], email: str) -> None:
    """As an instructor (a token from the CLI), create a bank and assign it to `email`."""
    import json
    import subprocess
    import sys
    import urllib.request

    made = subprocess.run([sys.executable, "-c", "from quizsvc.cli import main; main()",
                           "create-user", "--role", "instructor", "--email", "ins@example.edu"],
                          env=env, capture_output=True, text=True, timeout=120, check=True)
    token = made.stdout.strip().splitlines()[-1]

    def post(path: str, body: dict) -> dict:
        request = urllib.request.Request(
            server + path, data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.load(r)

    bank = post("/api/v1/banks", {"title": "Week 3: shapes", "max_attempts": 2,
                                  "show_key": "after_last_attempt", "items": [
                                      {"family": "conv_output_shape", "level": "easy", "count": 2},
                                      {"family": "toeplitz_matrix", "level": "easy", "count": 1}]})
    post(f"/api/v1/banks/{bank['id']}/assign", {"emails": [email]})


def test_sign_up_keeps_guest_progress_and_errors_are_pages(server, server_env, driver, shoot):
    from selenium.webdriver.common.by import By

    driver.get(f"{server}/practice/conv_output_shape?level=easy&seed=11")  # some guest progress
    _wait(driver, 'input[name="shape"]').send_keys("1, 2, 3")
    driver.find_element(By.CSS_SELECTOR, ".answer-form button[type=submit]").click()
    _wait(driver, ".result")
    driver.get(server + "/signup")
    shoot("signup")
    driver.find_element(By.ID, "email").send_keys("grace@example.edu")
    driver.find_element(By.ID, "password").send_keys("a long enough password")
    driver.find_element(By.CSS_SELECTOR, ".account-form button[type=submit]").click()
    flash = _wait(driver, ".flash-success")
    assert "guest progress is kept" in flash.text
    driver.get(server + "/progress")
    assert "conv_output_shape" in driver.find_element(By.CSS_SELECTOR, ".progress-table").text
    _assign_a_bank(server, server_env, "grace@example.edu")
    driver.get(server + "/banks")
    assert driver.find_element(By.TAG_NAME, "h1").text == "My banks"
    assert "Week 3: shapes" in driver.find_element(By.CSS_SELECTOR, ".bank").text
    assert len(driver.find_elements(By.CSS_SELECTOR, ".bank a[href^='/problem/']")) == 3
    shoot("banks")
    driver.find_element(By.CSS_SELECTOR, ".bank a[href^='/problem/']").click()
    _wait(driver, ".problem")
    assert "2 attempts" in driver.find_element(By.CSS_SELECTOR, ".policy").text
    shoot("bank-problem")
    driver.get(server + "/account/password")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Change your password"
    shoot("password")
    driver.find_element(By.CSS_SELECTOR, ".site-header button[type=submit]").click()
    _wait(driver, ".flash-info", "Signed out")
    driver.get(server + "/login")
    shoot("login")
    _no_console_errors(driver)
    driver.get(server + "/no/such/page")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Not Found"
    shoot("error-404")
    # The 404 itself is the one console entry a missing page makes; nothing else.
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
              and "404" not in e["message"]]
    assert not errors, errors
