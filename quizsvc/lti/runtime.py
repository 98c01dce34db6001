"""Per-application LTI state: settings, the HTTP session and the key and token caches.

Tests replace `http` with a session whose transport reaches an in-process platform.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask, current_app

from quizsvc.lti.ags import TokenCache
from quizsvc.lti.keysets import KeySetCache
from quizsvc.lti.outbox import RetryPolicy

EXTENSION = "quizsvc_lti"

# name: default; each can be set as app config `LTI_<NAME>` or environment `QUIZSVC_LTI_<NAME>`.
DEFAULTS: dict[str, Any] = {
    "TOOL_URL": "",  # our public origin, e.g. https://quiz.example.edu ("" = from the request)
    "LAUNCH_TOKEN_TTL": 8 * 3600,  # seconds the API token handed to a launched browser lasts
    "STATE_TTL": 600,  # seconds between login initiation and launch
    "CLOCK_LEEWAY": 60,  # seconds of clock skew allowed on exp and iat
    "REQUIRE_STATE_COOKIE": False,  # refuse launches whose browser lost the state cookie
    "HTTP_TIMEOUT": 10.0,
    "PASSBACK_MAX_ATTEMPTS": 10,
    "PASSBACK_BACKOFF_BASE": 30.0,  # seconds before the first retry; doubles each time
    "PASSBACK_BACKOFF_CAP": 6 * 3600.0,
    "PASSBACK_LEASE": 120.0,  # seconds a worker owns a row it is sending
    "PASSBACK_WORKER": "",  # "thread": send from each server process; "off"; "" = thread unless testing
    "PASSBACK_SWEEP": 30.0,  # seconds between the background sender's passes when not woken
}


@dataclass
class LtiRuntime:
    """What LTI code needs besides the database."""

    settings: dict[str, Any]
    http: requests.Session = field(default_factory=requests.Session)
    keysets: KeySetCache = field(default_factory=KeySetCache)
    tokens: TokenCache = field(default_factory=TokenCache)


def _setting(app: Flask, name: str, default: Any) -> Any:
    if "LTI_" + name in app.config:
        return app.config["LTI_" + name]
    raw = os.environ.get("QUIZSVC_LTI_" + name)
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return type(default)(raw)


def init_app(app: Flask) -> LtiRuntime:
    """Attach a fresh LtiRuntime to `app`."""
    rt = LtiRuntime({name: _setting(app, name, d) for name, d in DEFAULTS.items()})
    app.extensions[EXTENSION] = rt
    return rt


def runtime(app: Flask | None = None) -> LtiRuntime:
    """Return the LtiRuntime of `app` (default: the current app), creating it if needed."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    rt = app.extensions.get(EXTENSION)
    return rt if rt is not None else init_app(app)


def retry_policy(rt: LtiRuntime) -> RetryPolicy:
    """Return the passback retry policy of these settings."""
    s = rt.settings
    return RetryPolicy(max_attempts=int(s["PASSBACK_MAX_ATTEMPTS"]),
                       base=float(s["PASSBACK_BACKOFF_BASE"]),
                       cap=float(s["PASSBACK_BACKOFF_CAP"]), lease=float(s["PASSBACK_LEASE"]))
