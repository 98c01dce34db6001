"""Rate limits per API token (per client address without one), with Flask-Limiter.

Two limits, both configurable:

- ``QUIZSVC_RATELIMIT_DEFAULT`` (600 per minute): every request of a token,
  across all routes;
- ``QUIZSVC_RATELIMIT_ATTEMPTS`` (60 per minute): answers submitted with a
  token, which is what a script guessing keys would send.

Counters live in Redis when ``QUIZSVC_RATELIMIT_STORAGE_URL`` (or
``QUIZSVC_REDIS_URL``) is set, so that the limits hold across gunicorn
workers and hosts; otherwise in the process's memory. If Redis fails, the
limiter logs it and falls back to memory rather than failing requests.
``QUIZSVC_RATELIMIT_ENABLED=0`` turns it off (benchmarks). Apps created with
``TESTING`` are not limited either, unless their config sets
``RATELIMIT_TESTING``: a test suite sends more requests per token than a person.

A refused request gets 429 in the service's JSON error shape, with
``Retry-After`` and the ``X-RateLimit-*`` headers. Probes (/healthz, /readyz),
the API document and CORS preflights are never limited. Tokens are keyed by
their SHA-256, so no token is ever written to Redis.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter, RateLimitExceeded

EXEMPT_PREFIXES = ("/healthz", "/readyz", "/api/v1/openapi.json", "/api/v1/docs")
# Also the codes a script could guess: join codes and account claim codes.
ATTEMPT_ENDPOINTS = ("problems.create_attempt", "courses.join_course", "users.claim", "lti.answer")
# Forms that carry an API token in a field instead of the Authorization header (the LTI
# landing's answers, inside an LMS iframe): they count against that token too.
FORM_TOKEN_PATHS = ("/lti/problems/",)
FORM_TOKEN_FIELD = "launch_token"


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


def install(app: Flask) -> Limiter | None:
    """Rate-limit `app` as configured; return the limiter (None when disabled)."""
    cfg = app.config
    if not cfg.get("RATELIMIT_ENABLED", True) or (app.testing and not cfg.get("RATELIMIT_TESTING")):
        return None
    limiter = Limiter(
        rate_key,
        app=None,
        application_limits=[cfg["RATELIMIT_DEFAULT"]],
        application_limits_exempt_when=_exempt,
        storage_uri=storage_uri(cfg),
        # Redis down: count in memory meanwhile instead of failing every request.
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        headers_enabled=True,
        key_prefix=cfg.get("RATELIMIT_KEY_PREFIX") or "quizsvc",
        strategy="moving-window",
    )
    limiter.init_app(app)
    for endpoint in ATTEMPT_ENDPOINTS:
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(cfg["RATELIMIT_ATTEMPTS"],
                                                         exempt_when=_exempt)(view)
    app.register_error_handler(RateLimitExceeded, _too_many)
    app.extensions["quizsvc.limiter"] = limiter
    return limiter


def _too_many(error: RateLimitExceeded) -> Any:  # noqa: ANN401 - a Flask response
    from quizsvc.api.errors import error_response

    limit = str(error.limit.limit) if getattr(error, "limit", None) else str(error.description)
    who = "token" if rate_key().startswith("token:") else "address"
    current_app.logger.info("rate limit %s hit by a %s", limit, who)
    return error_response(429, f"Too many requests: the limit is {limit} per {who}; "
                               "wait as long as Retry-After says, then try again.",
                          errors={"limit": limit})
