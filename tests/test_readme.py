"""The README's curl session, run as written with bash against the served app: twice on the
same database, and on a fresh one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizsvc import families
from tests.hardening.servers import ROOT, gunicorn

SECTION = "## The service: a session with curl"


def readme_session() -> str:
    """Return the first ```sh block after the curl section's heading."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", text[text.index(SECTION):], re.S)
    assert block, "the README's curl section has no sh block"
    return block.group(1)


def demo_token(env: dict[str, str]) -> str:
    """Run `quizsvc demo-instructor` as `make serve` does; return the token it prints."""
    out = subprocess.run([sys.executable, "-m", "quizsvc.cli", "demo-instructor"], env=env,
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    found = re.search(r"export TOKEN=(\S+)", out)
    assert found, out
    return found.group(1)


def run_session(env: dict[str, str], port: str) -> str:
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_session()],
                            env={**env, "PORT": port, "TOKEN": demo_token(env)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stderr.lower(), result.stderr
    return result.stdout


def expect_the_walkthrough(out: str, attempts: int) -> None:
    """The session asks for conv_output_shape seed 3 (easy): what the engine makes of it."""
    problem = families.get("conv_output_shape").generate(3, "easy")
    lines = out.strip().splitlines()
    assert lines[0] == problem.prompt.splitlines()[0]
    assert "({'max_attempts': 3, 'show_key': 'after_correct_or_last_attempt'}, 3, False)" in out
    assert "(0.333333, 'forgot_plus_one', 2, False)" in out  # the README's wrong answer
    assert f"('Correct.', {problem.answer!r})" in out  # the README's right answer
    assert lines[-1] == f"[('conv_output_shape', {attempts}, {attempts // 2})]"


@pytest.fixture
def served(tmp_path: Path):  # noqa: ANN201 - yields (env, port)
    def serve(name: str):  # noqa: ANN202
        env = {**os.environ, "QUIZSVC_DATABASE_URL": f"sqlite:///{tmp_path / name}",
               "QUIZSVC_SECRET_KEY": "readme-test", "QUIZSVC_RATELIMIT_ENABLED": "0"}
        subprocess.run([sys.executable, "-m", "quizsvc.cli", "db", "upgrade"], env=env, cwd=ROOT,
                       capture_output=True, check=True)
        return env
    return serve


def test_session_runs_twice_on_one_database_and_on_a_fresh_one(served):
    env = served("readme.sqlite3")
    with gunicorn(env, workers=1, threads=4) as base:
        port = base.rsplit(":", 1)[1]
        expect_the_walkthrough(run_session(env, port), attempts=2)
        expect_the_walkthrough(run_session(env, port), attempts=4)  # Ada exists: found, not added
    fresh = served("fresh.sqlite3")
    with gunicorn(fresh, workers=1, threads=4) as base:
        expect_the_walkthrough(run_session(fresh, base.rsplit(":", 1)[1]), attempts=2)
