"""Start gunicorn on loopback with the one set of settings every API figure uses."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

from bench.common import ROOT

WORKERS = int(os.environ.get("QUIZSVC_BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("QUIZSVC_BENCH_THREADS", "4"))
# The same for quizsvc and for the bare baseline, so that their ratio means something.
GUNICORN_ARGS = ["--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS),
                 "--backlog", "2048", "--keep-alive", "30", "--reuse-port", "--log-level", "warning"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], log: Path, *, health: str = "/healthz") -> Iterator[int]:
    """Serve `app` (``module:object``) on a free loopback port; yield the port."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", *GUNICORN_ARGS, "--bind", f"127.0.0.1:{port}", app]
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn {app} exited with {proc.returncode}: "
                                   f"{log.read_text()[-800:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {app} did not answer {health} within 60 s")
            time.sleep(0.2)
        yield port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: the arbiter and its workers
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def settings() -> dict[str, object]:
    """Return the gunicorn settings, for the results."""
    return {"workers": WORKERS, "worker_class": "gthread", "threads": THREADS,
            "args": " ".join(GUNICORN_ARGS)}
