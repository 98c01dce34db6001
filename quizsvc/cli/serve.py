"""`quizsvc serve`: run the service under gunicorn, with the settings `make serve` uses."""

from __future__ import annotations

import os
import socket
import sys

import click

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def gunicorn_argv(host: str, port: int, workers: int = 2, threads: int = 4) -> list[str]:
    """Return the gunicorn command line that serves the app on `host`:`port`.

    One worker per core, each with a few threads: a request mostly waits on the
    database, and sync workers would hold a whole worker per request and per
    keep-alive client. ``--reuse-port``: each worker listens on its own socket and
    the kernel spreads new connections over them; on one shared socket, the worker
    that wakes first accepts nearly every connection of a burst (measured: 32 of 32
    keep-alive clients on one worker in 3 of 5 tries, leaving the other core idle).
    """
    return [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--keep-alive", "30", "--reuse-port", "--access-logfile", "-",
            "quizsvc.app:serving_app()"]


def port_taken(host: str, port: int) -> bool:
    """Is `host`:`port` already bound? (With SO_REUSEPORT a second server would bind it
    too and quietly take half the connections, so `serve` checks first.)"""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


@click.command("serve")
@click.option("--host", envvar="QUIZSVC_HOST", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on (or QUIZSVC_HOST); 0.0.0.0 for every interface.")
@click.option("--port", envvar=["QUIZSVC_PORT", "PORT"], type=click.IntRange(1, 65535),
              default=DEFAULT_PORT, show_default=True,
              help="TCP port to listen on (or QUIZSVC_PORT, else PORT).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="gunicorn worker processes (one per core is a good start).")
@click.option("--threads", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Threads per worker.")
def serve_cmd(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the API with gunicorn (what `make serve` runs after migrating).

    Run `quizsvc db upgrade` first: the server answers 503 while the database
    schema is behind the code. Settings come from the QUIZSVC_* variables. Each
    worker listens on its own socket (SO_REUSEPORT), so a port already in use is
    refused rather than shared.
    """
    if port_taken(host, port):
        raise click.ClickException(f"{host}:{port} is already in use (another quizsvc serve?); "
                                   "stop it or choose another --port")
    argv = gunicorn_argv(host, port, workers, threads)
    click.echo(f"serving on http://{host}:{port} (Ctrl-C stops)", err=True)
    os.execv(argv[0], argv)  # gunicorn replaces this process: signals reach it directly


serve_commands = [serve_cmd]
