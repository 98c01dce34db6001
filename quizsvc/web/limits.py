"""Rate limits per API token (per client address without one), with the `limits` library.

Two limits, both configurable:

- ``QUIZSVC_RATELIMIT_DEFAULT`` (600 per minute): every request of a token,
  across all routes;
- ``QUIZSVC_RATELIMIT_ATTEMPTS`` (60 per minute): answers submitted with a
  token, which is what a script guessing keys would send.

Both are moving windows, counted by `limits` (its strategies and storages), in one
``before_request`` hook. Flask-Limiter did this before; its per-request bookkeeping
(evaluating, filtering and sorting limits twice, a context per request) cost a
fifth of a graded attempt's CPU, more than the counting itself (bench/RESULTS.md).

Counters live in Redis when ``QUIZSVC_RATELIMIT_STORAGE_URL`` (or
``QUIZSVC_REDIS_URL``) is set, so that the limits hold across gunicorn
workers and hosts; otherwise in the process's memory. If Redis fails, the
limiter logs it and counts in memory for `FALLBACK_SECONDS` rather than failing
requests, then tries Redis again. ``QUIZSVC_RATELIMIT_ENABLED=0`` turns it off
(benchmarks). Apps created with ``TESTING`` are not limited either, unless their
config sets ``RATELIMIT_TESTING``: a test suite sends more requests per token than a person.

A refused request gets 429 in the service's JSON error shape (a page for the
LMS's answer forms), with ``Retry-After`` and the ``X-RateLimit-*`` headers; other
answers carry the ``X-RateLimit-*`` headers of their tightest limit but no
``Retry-After``. Probes (/healthz, /readyz), the API document and CORS preflights
are never limited. Tokens are keyed by their SHA-256, so no token is ever written to Redis.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

EXEMPT_PREFIXES = ("/healthz", "/readyz", "/api/v1/openapi.json", "/api/v1/docs")
# Also the codes a script could guess: join codes and account claim codes.
ATTEMPT_ENDPOINTS = frozenset({"problems.create_attempt", "courses.join_course", "users.claim",
                               "lti.answer"})
# Forms that carry an API token in a field instead of the Authorization header (the LTI
# landing's answers, inside an LMS iframe): they count against that token too.
FORM_TOKEN_PATHS = ("/lti/problems/",)
FORM_TOKEN_FIELD = "launch_token"
FALLBACK_SECONDS = 30.0  # after a storage error, count in memory this long, then retry it


class RateLimited(TooManyRequests):
    """429: `limit` is used up for this token or address; `retry_after` seconds to wait."""

    def __init__(self, limit: RateLimitItem, retry_after: int) -> None:
        super().__init__(str(limit))
        self.limit = limit
        self.retry_after = retry_after


def rate_key() -> str:
    """Return who a request counts against: its token's hash, else its address."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" and request.method == "POST" \
            and request.path.startswith(FORM_TOKEN_PATHS):
        scheme, token = "bearer", request.form.get(FORM_TOKEN_FIELD, "")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return "addr:" + (request.remote_addr or "unknown")


def _exempt() -> bool:
    return request.method == "OPTIONS" or request.path.startswith(EXEMPT_PREFIXES)


def storage_uri(config: dict[str, Any]) -> str:
    """Return where counters are kept: Redis when configured, else memory."""
    from quizsvc.web.ratelimit_memory import SCHEME  # registers the storage with `limits`

    # Memory: `limits`' own, but sweeping expired counters once a second rather than per hit.
    return config.get("RATELIMIT_STORAGE_URL") or config.get("REDIS_URL") or f"{SCHEME}://"


@dataclass
class _Counted:
    """The limit a request's headers report, and whether it refused the request."""

    limit: RateLimitItem
    scope: str
    key: str
    retry_after: int | None = None  # seconds, when this limit refused the request


class RateLimiter:
    """The app's two limits over one storage, with a memory fallback while it fails."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.prefix = config.get("RATELIMIT_KEY_PREFIX") or "quizsvc"
        self.default = sorted(parse_many(config["RATELIMIT_DEFAULT"]), key=_tightness)
        self.attempts = sorted(parse_many(config["RATELIMIT_ATTEMPTS"]), key=_tightness)
        self.storage: Storage = storage_from_string(storage_uri(config))
        self.primary = MovingWindowRateLimiter(self.storage)
        self.fallback = MovingWindowRateLimiter(MemoryStorage())
        self._failed_until = 0.0
        self._lock = threading.Lock()

    def _strategy(self) -> MovingWindowRateLimiter:
        return self.fallback if time.monotonic() < self._failed_until else self.primary

    def _call(self, method: str, *args: Any) -> Any:  # noqa: ANN401 - the strategy's answer
        strategy = self._strategy()
        try:
            return getattr(strategy, method)(*args)
        except Exception as exc:  # noqa: BLE001 - any storage failure: count in memory meanwhile
            if strategy is self.fallback:
                raise
            with self._lock:
                self._failed_until = time.monotonic() + FALLBACK_SECONDS
            current_app.logger.warning("rate-limit storage failed (%s); counting in memory "
                                       "for %.0f s", type(exc).__name__, FALLBACK_SECONDS)
            return getattr(self.fallback, method)(*args)

    def check(self) -> None:
        """Count this request against its limits; raise RateLimited when one is used up."""
        if _exempt():
            return
        key = rate_key()
        checks = [(limit, "all") for limit in self.default]
        if request.endpoint in ATTEMPT_ENDPOINTS:
            checks = [(limit, "attempts") for limit in self.attempts] + checks
        reported = None
        for limit, scope in checks:
            if not self._call("hit", limit, self.prefix, scope, key):
                reset, _ = self._call("get_window_stats", limit, self.prefix, scope, key)
                wait = max(1, math.ceil(reset - time.time()))
                g.quizsvc_rate = _Counted(limit, scope, key, retry_after=wait)
                raise RateLimited(limit, wait)
            if reported is None:
                reported = _Counted(limit, scope, key)  # the tightest
        g.quizsvc_rate = reported

    def add_headers(self, response: Any) -> Any:  # noqa: ANN401 - a Flask response
        counted = g.pop("quizsvc_rate", None)
        if counted is None:
            return response
        reset, remaining = self._call("get_window_stats", counted.limit, self.prefix,
                                      counted.scope, counted.key)
        headers = response.headers
        headers["X-RateLimit-Limit"] = str(counted.limit.amount)
        headers["X-RateLimit-Remaining"] = str(remaining)
        headers["X-RateLimit-Reset"] = str(int(reset))
        if counted.retry_after is not None:
            headers["Retry-After"] = str(counted.retry_after)
        return response


def _tightness(limit: RateLimitItem) -> float:
    """Requests per second allowed: the smallest is the limit a client meets first."""
    return limit.amount / limit.get_expiry()


def install(app: Flask) -> RateLimiter | None:
    """Rate-limit `app` as configured; return the limiter (None when disabled)."""
    cfg = app.config
    if not cfg.get("RATELIMIT_ENABLED", True) or (app.testing and not cfg.get("RATELIMIT_TESTING")):
        return None
    limiter = RateLimiter(cfg)
    app.before_request(limiter.check)
    app.after_request(limiter.add_headers)
    app.register_error_handler(RateLimited, _too_many)
    app.extensions["quizsvc.limiter"] = limiter
    return limiter


def _too_many(error: RateLimited) -> Any:  # noqa: ANN401 - a Flask response
    from quizsvc.api.errors import error_response

    limit = str(error.limit)
    who = "token" if rate_key().startswith("token:") else "address"
    current_app.logger.info("rate limit %s hit by a %s", limit, who)
    return error_response(429, f"Too many requests: the limit is {limit} per {who}; "
                               "wait as long as Retry-After says, then try again.",
                          errors={"limit": limit})
