"""The LTI administrator's page in a real browser: sign in as an admin, see the platforms,
make a registration URL, let new deployments in; screenshots under build/screenshots/."""

from __future__ import annotations

import subprocess
import sys

from tests.browser.conftest import viewport


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", "from quizsvc.cli import main; main()", *args],
                          env=env, input=stdin, capture_output=True, text=True, timeout=120,
                          check=True)
    return done.stdout


def test_an_admin_watches_platforms_and_makes_a_registration_url(server, server_env, driver,
                                                                  shoot) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _cli(server_env, "create-user", "--role", "admin", "--email", "root@example.edu")
    _cli(server_env, "set-password", "root@example.edu", stdin="a long admin password\n")
    _cli(server_env, "lti", "register-platform", "--name", "Canvas (test)",
         "--issuer", "https://canvas.test", "--client-id", "10000000000042",
         "--auth-login-url", "https://canvas.test/api/lti/authorize_redirect",
         "--auth-token-url", "https://canvas.test/login/oauth2/token",
         "--jwks-url", "https://canvas.test/api/lti/security/jwks",
         "--deployment-id", "42:8865aa05b4b79b64a91a86042e43af5ea8ae79eb")
    driver.delete_all_cookies()
    driver.get(server + "/login")
    driver.find_element(By.NAME, "email").send_keys("root@example.edu")
    driver.find_element(By.NAME, "password").send_keys("a long admin password")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "nav a[href='/admin/lti']"))
    driver.find_element(By.CSS_SELECTOR, "nav a[href='/admin/lti']").click()
    assert driver.find_element(By.TAG_NAME, "h1").text == "LTI platforms"
    assert "Canvas (test)" in driver.page_source and "never" in driver.page_source
    shoot("admin-lti")
    driver.find_element(By.ID, "note").send_keys("Canvas production")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/registrations'] button").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "code.copyable"))
    url = driver.find_element(By.CSS_SELECTOR, "code.copyable").text
    assert url.startswith(server + "/lti/register/qzreg_")
    shoot("admin-lti-registration-url")
    driver.find_element(By.CSS_SELECTOR, "input[name=auto_accept]").click()
    driver.find_element(By.CSS_SELECTOR, "form[action$='/deployments'] button").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))
    assert "accepted on their first launch" in driver.find_element(By.CSS_SELECTOR, ".flash").text
    viewport(driver, 360, 800)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide in a 360 px window"
    shoot("admin-lti-360", width=360)
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    viewport(driver, 1280, 1000)
    driver.delete_all_cookies()  # the browser is shared: the next test must not be an admin
    assert not errors, errors
