"""Response headers, CORS (off unless configured) and redaction of secrets in logs.

- Every response gets ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy:
  no-referrer``; JSON responses also a CSP that allows nothing and no framing.
  HTML pages (Swagger UI, the LTI tool's pages, which LMSs show in an iframe)
  keep the headers their views set. Answers to a request carrying a token are
  ``Cache-Control: no-store`` (they may hold keys); HTTPS requests get HSTS.
- CORS: no ``Access-Control-Allow-Origin`` ever, unless ``QUIZSVC_CORS_ORIGINS``
  lists origins (comma-separated, exact match, or ``*``). Tokens travel in the
  Authorization header, not cookies, so credentials are never allowed.
- Logs: a log-record factory rewrites every record, from any logger, before a
  handler sees it: API tokens, ``Bearer ...`` values, JWTs, passwords in
  URLs, ``secret=...``-style pairs, PEM private keys and the app's SECRET_KEY
  become ``[REDACTED]``.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any, Callable

from flask import Flask, Response, request

ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key"
EXPOSED_HEADERS = ("Retry-After, Idempotent-Replayed, X-RateLimit-Limit, X-RateLimit-Remaining, "
                   "X-RateLimit-Reset, X-Quizsvc-Items, X-Quizsvc-Left-Out, Content-Disposition")
JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
REDACTED = "[REDACTED]"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # PEM private keys (LTI tool keys)
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
     "-----BEGIN PRIVATE KEY-----" + REDACTED + "-----END PRIVATE KEY-----"),
    # our API tokens: qz_ and 43 url-safe characters
    (re.compile(r"qz_[A-Za-z0-9_\-]{16,}"), "qz_" + REDACTED),
    # Authorization header values, whatever the scheme
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}"), r"\1 " + REDACTED),
    # JWTs (LTI id_tokens, client assertions, access tokens)
    (re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"), REDACTED),
    # passwords in URLs: scheme://user:password@host
    (re.compile(r"(\w+://[^:/@\s]*:)[^@\s]+@"), r"\1" + REDACTED + "@"),
    # key=value or "key": "value" pairs whose key names a secret
    (re.compile(r"""(?i)(["']?(?:password|passwd|secret(?:_key)?|client_secret|api_key|"""
                r"""access_token|refresh_token|id_token|token|authorization)["']?\s*[:=]\s*)"""
                r"""(["']?)[^\s"',&;}]{4,}"""), r"\1\2" + REDACTED),
]

_secrets: set[str] = set()
_lock = threading.Lock()
_installed_factory: Callable[..., logging.LogRecord] | None = None


def redact(text: str) -> str:
    """Return `text` with tokens, keys and passwords replaced by [REDACTED]."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _redacting_factory(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string: leave it to logging
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks are formatted later by the handler: format (and clean) them now.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return record
    return factory


def install_log_redaction(*secrets: str) -> None:
    """Redact secrets in every log record of this process (idempotent); add `secrets`."""
    global _installed_factory
    with _lock:
        _secrets.update(s for s in secrets if s and len(s) >= 8)
        if _installed_factory is None or logging.getLogRecordFactory() is not _installed_factory:
            _installed_factory = _redacting_factory(logging.getLogRecordFactory())
            logging.setLogRecordFactory(_installed_factory)


def _cors_origins(app: Flask) -> tuple[str, ...]:
    raw = app.config.get("CORS_ORIGINS") or ""
    if isinstance(raw, str):
        raw = raw.split(",")
    return tuple(o.strip().rstrip("/") for o in raw if o.strip())


def install(app: Flask) -> None:
    """Add the security headers, CORS when configured, and log redaction to `app`."""
    install_log_redaction(app.config.get("SECRET_KEY", ""))
    origins = _cors_origins(app)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        if response.mimetype == "application/json":
            headers.setdefault("Content-Security-Policy", JSON_CSP)
            headers.setdefault("X-Frame-Options", "DENY")
        if "Authorization" in request.headers:
            headers.setdefault("Cache-Control", "no-store")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if origins:
            _cors(response, origins)
        return response


def _cors(response: Response, origins: tuple[str, ...]) -> None:
    origin = request.headers.get("Origin", "").rstrip("/")
    response.vary.add("Origin")
    if not origin or ("*" not in origins and origin not in origins):
        return
    response.headers["Access-Control-Allow-Origin"] = "*" if "*" in origins else origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
