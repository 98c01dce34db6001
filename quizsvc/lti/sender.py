"""A background thread in each server process that sends due passbacks.

It wakes when an attempt that queued a score commits, and every `PASSBACK_SWEEP`
seconds otherwise, so that grades reach the LMS under plain `gunicorn` with no
separate worker. Several processes may run one each: rows are claimed with a
lease, so none is sent twice. Set `QUIZSVC_LTI_PASSBACK_WORKER=off` to leave
sending to `quizsvc lti passback --loop` instead.
"""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from quizsvc.lti import outbox, runtime

log = logging.getLogger(__name__)


class BackgroundSender:
    """One daemon thread per process, started on first use (so after gunicorn forks)."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app, self.interval = app, interval
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._pid: int | None = None
        self.passes = 0

    def ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            threading.Thread(target=self._run, name="lti-passback", daemon=True).start()

    def wake(self) -> None:
        self.ensure_started()
        self._wake.set()

    def _run(self) -> None:
        from quizsvc.extensions import db

        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                with self.app.app_context():
                    rt = runtime.runtime(self.app)
                    outbox.deliver(db.sessionmaker, http=rt.http, tokens=rt.tokens,
                                   policy=runtime.retry_policy(rt),
                                   timeout=rt.settings["HTTP_TIMEOUT"])
            except Exception:  # noqa: BLE001 - the thread must outlive a database hiccup
                log.exception("LTI passback pass failed; trying again later")
            self.passes += 1


def init_app(app: Flask) -> BackgroundSender | None:
    """Attach a BackgroundSender to `app` unless the worker setting is off (default in tests)."""
    rt = runtime.runtime(app)
    mode = rt.settings["PASSBACK_WORKER"] or ("off" if app.testing else "thread")
    if mode != "thread":
        return None
    sender = BackgroundSender(app, float(rt.settings["PASSBACK_SWEEP"]))
    app.extensions["quizsvc_lti_sender"] = sender
    app.before_request(sender.ensure_started)
    return sender


def wake_after_commit(session: Session, app: Flask) -> None:
    """Wake `app`'s sender once `session` commits (the queued rows are then visible)."""
    sender = app.extensions.get("quizsvc_lti_sender")
    if sender is not None:
        event.listen(session, "after_commit", lambda _s: sender.wake(), once=True)
