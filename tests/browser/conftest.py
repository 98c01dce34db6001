"""Headless Chromium (Selenium) against the app served by gunicorn on a free port.

The server runs ``gunicorn wsgi:app`` bound to 127.0.0.1:0 and the port is read
back from its log (no race with other test runs for a port). Its database is a
fresh SQLite file, migrated. Screenshots go to build/screenshots/. The tests are
skipped, saying why, only when chromium or chromedriver is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("browser tests need Debian's chromium and chromium-driver "
                f"(chromium: {CHROMIUM or 'missing'}, chromedriver: {CHROMEDRIVER or 'missing'}); "
                "`apt-get install chromium chromium-driver`, as .ci/run does",
                allow_module_level=True)


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of the server (and of CLI commands run against its database)."""
    from quizsvc.store import migrate

    work = tmp_path_factory.mktemp("browser-server")
    url = f"sqlite:///{work / 'quizsvc.sqlite3'}"
    migrate.upgrade(url)
    return {**os.environ, "QUIZSVC_DATABASE_URL": url, "QUIZSVC_SECRET_KEY": "browser-test-secret",
            "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT)), "QUIZSVC_WORK": str(work)}


@pytest.fixture(scope="session")
def server(server_env: dict[str, str]) -> Iterator[str]:
    """Serve a freshly migrated SQLite database with gunicorn; yield the base URL."""
    work = Path(server_env["QUIZSVC_WORK"])
    log = work / "gunicorn.log"
    env = server_env
    cmd = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1",
           "--threads", "4", "--worker-class", "gthread", "--timeout", "60",
           "--control-socket", str(work / "gunicorn.ctl"), "wsgi:app"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        base = _wait_for_port(proc, log)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # our own session: gunicorn and its worker
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


def _wait_for_port(proc: subprocess.Popen, log: Path) -> str:
    import urllib.request

    deadline = time.monotonic() + 90
    base = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{log.read_text()}")
        if base is None:
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log.read_text())
            base = found.group(1) if found else None
        if base is not None:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return base
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in 90 s:\n{log.read_text()}")


def chromium() -> tuple[object, str]:
    """Start a headless Chromium with its own profile; return it and the profile's folder."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="quizsvc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                 "--window-size=1280,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(60)
    return browser, profile


@pytest.fixture(scope="session")
def driver() -> Iterator[object]:
    browser, profile = chromium()
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def second_driver() -> Iterator[object]:
    """Another browser, with its own cookies: a second person at the same time."""
    browser, profile = chromium()
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def viewport(driver, width: int, height: int) -> None:  # noqa: ANN001
    """Make the page's viewport exactly `width` x `height` CSS pixels."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500})


@pytest.fixture
def shoot(driver):  # noqa: ANN001, ANN201
    """Return a function saving a full-page screenshot as build/screenshots/<name>.png
    (of `driver`, or of the browser passed as `of`)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    default = driver

    def save(name: str, width: int = 1280, of: object = None) -> Path:
        driver = of or default
        # The viewport itself is set (DevTools), so the picture is the whole page at `width`.
        viewport(driver, width, 1000)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        viewport(driver, width, min(max(int(height), 600), 8000))
        path = SCREENSHOTS / f"{name}.png"
        driver.save_screenshot(str(path))
        viewport(driver, 1280, 1000)
        return path

    return save
