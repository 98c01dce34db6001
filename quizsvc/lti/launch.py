"""Launch validation: the id_token's signature, claims, nonce, state and deployment.

Order matters: the state row fixes which platform may answer, so the token is
checked against that platform's keys and client id only; the row is consumed
last, with a conditional UPDATE, so that two concurrent replays cannot both win.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from quizsvc.lti import claims
from quizsvc.lti.errors import LaunchRefused
from quizsvc.lti.keysets import KeySetCache
from quizsvc.lti.roles import map_roles
from quizsvc.store.lti import LtiDeployment, LtiNonce, LtiPlatform
from quizsvc.store.types import utcnow


@dataclass
class Launch:
    """A verified launch: who, from where, into what."""

    platform: LtiPlatform
    deployment_id: str
    message_type: str
    subject: str
    role: str
    roles: list[str]
    name: str = ""
    email: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    resource_link: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)
    ags: dict[str, Any] = field(default_factory=dict)
    deep_linking: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)


def _load_state(session: Session, state: str, now: dt.datetime) -> LtiNonce:
    row = session.scalars(select(LtiNonce).where(LtiNonce.state == state)).first() if state else None
    if row is None:
        raise LaunchRefused("unknown login state: start the launch again from the course")
    if row.used_at is not None:
        raise LaunchRefused("this launch was already used (replayed launch)")
    if row.expires_at < now:
        raise LaunchRefused("the login state has expired: start the launch again from the course")
    return row


def _decode(token: str, platform: LtiPlatform, keysets: KeySetCache, http: requests.Session,
            timeout: float, leeway: float) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise LaunchRefused(f"the id_token is not a JWT: {exc}") from None
    if header.get("alg") != "RS256":
        raise LaunchRefused(f"id_token algorithm {header.get('alg')!r} is not RS256")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise LaunchRefused("the id_token header names no key (kid)")
    key = keysets.key(platform, kid, http, timeout)
    try:
        body = jwt.decode(token, key, algorithms=["RS256"], audience=platform.client_id,
                          issuer=platform.issuer, leeway=leeway,
                          options={"require": ["exp", "iat", "iss", "aud", "nonce", "sub"]})
    except jwt.ExpiredSignatureError:
        raise LaunchRefused("the id_token has expired") from None
    except jwt.InvalidAudienceError:
        raise LaunchRefused("the id_token is not addressed to this tool (aud)") from None
    except jwt.InvalidIssuerError:
        raise LaunchRefused("the id_token comes from another issuer (iss)") from None
    except jwt.InvalidSignatureError:
        raise LaunchRefused("the id_token signature does not verify") from None
    except jwt.PyJWTError as exc:
        raise LaunchRefused(f"the id_token is invalid: {exc}") from None
    aud = body["aud"]
    # OIDC Core 3.1.3.7: with several audiences there must be an azp, and an azp, whenever
    # present (with one audience too), must be our client id.
    if isinstance(aud, list) and len(aud) > 1 and "azp" not in body:
        raise LaunchRefused("the id_token has several audiences and no azp")
    if "azp" in body and body["azp"] != platform.client_id:
        raise LaunchRefused("the id_token's authorised party (azp) is not this tool")
    return body


def _deployment(session: Session, platform: LtiPlatform,
                deployment_id: Any) -> LtiDeployment | None:
    """Return the known deployment, None for a new one the platform auto-accepts, or refuse."""
    if not isinstance(deployment_id, str) or not deployment_id.strip() or len(deployment_id) > 255:
        raise LaunchRefused("the id_token carries no valid deployment_id")
    known = session.scalars(select(LtiDeployment).where(
        LtiDeployment.platform_id == platform.id,
        LtiDeployment.deployment_id == deployment_id)).first()
    if known is None and not platform.auto_accept_deployments:
        raise LaunchRefused(f"unknown deployment {deployment_id!r} for this platform (an admin "
                            "can add it, or let this platform's new deployments in)")
    return known


def accept_deployment(session: Session, platform: LtiPlatform,
                      deployment_id: str) -> LtiDeployment:
    """Remember a deployment first seen in a verified launch, and audit it."""
    from quizsvc import audit

    row = LtiDeployment(platform_id=platform.id, deployment_id=deployment_id,
                        source="first_launch")
    session.add(row)
    session.flush()
    audit.record(session, "lti.deployment_accepted", "lti_platform", platform.id,
                 {"deployment_id": deployment_id, "source": "first_launch"})
    return row


def validate_launch(session: Session, *, id_token: str, state: str, cookie_state: str | None,
                    require_cookie: bool, keysets: KeySetCache, http: requests.Session,
                    timeout: float = 10.0, leeway: float = 60.0,
                    now: dt.datetime | None = None) -> Launch:
    """Verify a launch POST and consume its state; raise LaunchRefused on any failure."""
    now = now or utcnow()
    row = _load_state(session, state, now)
    if cookie_state is not None and cookie_state != state:
        raise LaunchRefused("the state cookie does not match the launch")
    if cookie_state is None and require_cookie:
        raise LaunchRefused("the browser did not keep the state cookie (third-party cookies "
                            "blocked?): open the tool in a new window")
    platform = session.get(LtiPlatform, row.platform_id)
    if platform is None:
        raise LaunchRefused("the platform of this login is no longer registered")
    body = _decode(id_token, platform, keysets, http, timeout, leeway)
    if body["nonce"] != row.nonce:
        raise LaunchRefused("the id_token nonce does not match this login (wrong nonce)")
    if body.get(claims.VERSION) != claims.LTI_VERSION:
        raise LaunchRefused(f"unsupported LTI version {body.get(claims.VERSION)!r}")
    message_type = body.get(claims.MESSAGE_TYPE)
    if message_type not in claims.LAUNCH_MESSAGE_TYPES:
        raise LaunchRefused(f"unsupported message type {message_type!r}")
    deployment_id = body.get(claims.DEPLOYMENT_ID)
    deployment = _deployment(session, platform, deployment_id)
    target = body.get(claims.TARGET_LINK_URI)
    if message_type == claims.RESOURCE_LINK_REQUEST:
        link = body.get(claims.RESOURCE_LINK)
        if not isinstance(link, dict) or not link.get("id"):
            raise LaunchRefused("a resource link launch needs a resource_link id")
        if target != row.target_link_uri:
            raise LaunchRefused("target_link_uri differs from the one the login asked for")
    else:
        settings = body.get(claims.DL_SETTINGS)
        if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
            raise LaunchRefused("a deep linking request needs deep_link_return_url")
    roles = [r for r in body.get(claims.ROLES, []) if isinstance(r, str)]
    # Consume last: only a launch that passed every check uses up its state.
    used = session.execute(update(LtiNonce).where(LtiNonce.id == row.id, LtiNonce.used_at.is_(None))
                           .values(used_at=now))
    if used.rowcount != 1:
        raise LaunchRefused("this launch was already used (replayed launch)")
    if deployment is None:  # an unknown deployment the platform's settings let in
        deployment = accept_deployment(session, platform, deployment_id)
    deployment.last_launch_at = now
    return Launch(
        platform=platform, deployment_id=deployment_id, message_type=message_type,
        subject=str(body["sub"]), role=map_roles(roles), roles=roles,
        name=str(body.get("name") or " ".join(
            p for p in (body.get("given_name"), body.get("family_name")) if p)),
        email=body.get("email"), context=body.get(claims.CONTEXT) or {},
        resource_link=body.get(claims.RESOURCE_LINK) or {}, custom=body.get(claims.CUSTOM) or {},
        ags=body.get(claims.AGS_ENDPOINT) or {}, deep_linking=body.get(claims.DL_SETTINGS) or {},
        claims=body)
