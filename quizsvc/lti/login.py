"""OIDC login initiation (third-party initiated login) and the server-side state store.

Each login creates one `LtiNonce` row: a random `state` and `nonce`, the platform
that asked and an expiry. The launch must present that state and an id_token
carrying that nonce; the row is then marked used, so neither works twice.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from quizsvc.lti.errors import LtiError
from quizsvc.store.lti import LtiNonce, LtiPlatform
from quizsvc.store.types import utcnow

STATE_COOKIE_PREFIX = "lti1p3_state_"


@dataclass(frozen=True)
class LoginRequest:
    """The parameters a platform sends to our login initiation URL."""

    iss: str
    login_hint: str
    target_link_uri: str
    client_id: str | None = None
    lti_message_hint: str | None = None
    lti_deployment_id: str | None = None


@dataclass(frozen=True)
class LoginRedirect:
    """Where to send the browser, and the state to pin in its cookie."""

    url: str
    state: str


def find_platform(session: Session, issuer: str, client_id: str | None) -> LtiPlatform:
    """Return the registration for `issuer` (and `client_id` when given) or raise LtiError."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    rows = session.scalars(query.limit(2)).all()
    if not rows:
        raise LtiError(f"no platform is registered with issuer {issuer!r}"
                       + (f" and client id {client_id!r}" if client_id else ""), status=403)
    if len(rows) > 1:
        raise LtiError(f"several registrations share issuer {issuer!r}; the platform must "
                       "send client_id with the login request")
    return rows[0]


def _same_url(a: str, b: str) -> bool:
    """Compare two URLs as the same resource: scheme and host case-blind, no trailing slash."""
    pa, pb = urlsplit(a), urlsplit(b)
    return ((pa.scheme.lower(), pa.netloc.lower(), pa.path.rstrip("/") or "/", pa.query)
            == (pb.scheme.lower(), pb.netloc.lower(), pb.path.rstrip("/") or "/", pb.query))


def begin_login(session: Session, req: LoginRequest, redirect_uri: str,
                ttl: float, now: dt.datetime | None = None,
                targets: tuple[str, ...] = ()) -> LoginRedirect:
    """Store a fresh state and nonce and return the platform's authorisation redirect.

    `targets` are our own launch URLs: a login whose target_link_uri is none of them was
    meant for another tool (OpenID Connect third-party login) and is refused before any
    redirect. An empty tuple accepts any target (callers always pass theirs).
    """
    if not (req.iss and req.login_hint and req.target_link_uri):
        raise LtiError("a login request needs iss, login_hint and target_link_uri")
    if targets and not any(_same_url(req.target_link_uri, t) for t in targets):
        raise LtiError(f"target_link_uri {req.target_link_uri!r} is not a launch URL of this "
                       f"tool (expected {', '.join(targets)})",
                       errors={"target_link_uri": "not this tool's launch URL"})
    platform = find_platform(session, req.iss, req.client_id)
    now = now or utcnow()
    # Expired rows are useless; drop them here rather than in a separate job.
    session.execute(delete(LtiNonce).where(LtiNonce.expires_at < now - dt.timedelta(hours=1)))
    row = LtiNonce(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                   platform_id=platform.id, target_link_uri=req.target_link_uri,
                   created_at=now, expires_at=now + dt.timedelta(seconds=ttl))
    session.add(row)
    session.flush()
    params = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
              "prompt": "none", "client_id": platform.client_id, "redirect_uri": redirect_uri,
              "login_hint": req.login_hint, "state": row.state, "nonce": row.nonce}
    if req.lti_message_hint:
        params["lti_message_hint"] = req.lti_message_hint
    sep = "&" if "?" in platform.auth_login_url else "?"
    return LoginRedirect(url=f"{platform.auth_login_url}{sep}{urlencode(params)}", state=row.state)
