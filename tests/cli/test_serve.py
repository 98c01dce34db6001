"""`quizsvc serve`: gunicorn with `make serve`'s settings, on the host and port asked for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests
from click.testing import CliRunner

from quizsvc.cli import main
from quizsvc.cli.serve import gunicorn_argv
from tests.hardening.servers import ROOT, free_port


def test_help_names_host_port_and_their_variables():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for word in ("--host", "--port", "QUIZSVC_HOST", "QUIZSVC_PORT", "db upgrade"):
        assert word in result.output


def test_the_makefile_serves_through_this_command():
    makefile = (ROOT / "Makefile").read_text()
    assert "quizsvc serve --host $(HOST) --port $(PORT)" in makefile
    assert "gunicorn" not in makefile.split("serve:")[1].split("\n\n")[0]  # one set of settings


def test_argv_binds_where_asked_with_threads():
    argv = gunicorn_argv("0.0.0.0", 8080, workers=3, threads=5)
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8080"
    assert argv[argv.index("--workers") + 1] == "3" and argv[argv.index("--threads") + 1] == "5"
    assert argv[argv.index("--worker-class") + 1] == "gthread"
    assert "--reuse-port" in argv  # one socket per worker: the kernel spreads the connections


def test_bad_port_is_refused_before_starting():
    result = CliRunner().invoke(main, ["serve", "--port", "70000"])
    assert result.exit_code == 2 and "70000" in result.output


def test_serves_on_the_port_from_the_environment(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    env = {**os.environ, "QUIZSVC_DATABASE_URL": url, "QUIZSVC_SECRET_KEY": "serve-test",
           "QUIZSVC_PORT": str(port := free_port())}
    cli = [sys.executable, "-m", "quizsvc.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, cwd=tmp_path, check=True,
                   capture_output=True)
    proc = subprocess.Popen([*cli, "serve", "--workers", "1"], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60  # a hang guard, not a speed test
        while True:
            try:
                r = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
                break
            except requests.RequestException:
                assert proc.poll() is None, "quizsvc serve exited"
                assert time.monotonic() < deadline, "quizsvc serve did not answer"
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["database"] == "sqlite"
        # With SO_REUSEPORT a second server could bind the same port and take half the
        # connections unnoticed: `serve` refuses a port that is in use instead.
        second = subprocess.run([*cli, "serve", "--workers", "1"], env=env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1 and "already in use" in second.stderr
        assert requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10).status_code == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
