"""Platform registrations: create, list, add and remove deployments (for the API and the CLI)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.errors import NotFoundError, ParamError
from quizsvc.services.errors import ConflictError
from quizsvc.store.lti import LtiDeployment, LtiPlatform

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def https_url(name: str, value: str | None, *, required: bool = True) -> str | None:
    """Return `value` if it is an https URL (http only for a local test LMS)."""
    if not value:
        if required:
            raise ParamError(f"{name} is required", errors={name: "missing"})
        return None
    parts = urlsplit(value)
    local = parts.hostname in _LOCAL_HOSTS
    allowed = parts.scheme == "https" or (parts.scheme == "http" and local)
    if not allowed or not parts.netloc:
        raise ParamError(f"{name} must be an https URL", errors={name: "not an https URL"})
    return value


def _jwks(value: str | dict[str, Any] | None) -> str | None:
    if value is None or value == "":
        return None
    data = json.loads(value) if isinstance(value, str) else value
    keys = data.get("keys") if isinstance(data, dict) else None
    if not keys or not all(isinstance(k, dict) and k.get("kty") == "RSA" and k.get("kid")
                           for k in keys):
        raise ParamError("jwks must be a JSON Web Key Set of RSA keys, each with a kid",
                         errors={"jwks": "invalid key set"})
    return json.dumps(data)


def register_platform(session: Session, *, issuer: str, client_id: str, auth_login_url: str,
                      auth_token_url: str, jwks_url: str | None = None,
                      jwks: str | dict[str, Any] | None = None, auth_audience: str | None = None,
                      deployment_ids: list[str] | tuple[str, ...] = (), name: str = "") -> LtiPlatform:
    """Register a platform (an LMS and the client id it gave quizsvc)."""
    if not issuer or not client_id:
        raise ParamError("issuer and client_id are required")
    jwks_json = _jwks(jwks)
    if not jwks_url and not jwks_json:
        raise ParamError("give the platform's JWKS URL (or its key set)",
                         errors={"jwks_url": "missing"})
    exists = session.scalar(select(LtiPlatform.id).where(LtiPlatform.issuer == issuer,
                                                         LtiPlatform.client_id == client_id))
    if exists is not None:
        raise ConflictError(f"issuer {issuer} with client id {client_id} is already registered "
                            f"(platform {exists})")
    platform = LtiPlatform(
        name=name or (urlsplit(issuer).hostname or issuer), issuer=issuer, client_id=client_id,
        auth_login_url=https_url("auth_login_url", auth_login_url),
        auth_token_url=https_url("auth_token_url", auth_token_url),
        auth_audience=auth_audience or None, jwks_url=https_url("jwks_url", jwks_url, required=False),
        jwks_json=jwks_json)
    session.add(platform)
    session.flush()
    for dep in deployment_ids:
        add_deployment(session, platform, dep)
    return platform


def get_platform(session: Session, platform_id: int) -> LtiPlatform:
    platform = session.get(LtiPlatform, platform_id)
    if platform is None:
        raise NotFoundError(f"no LTI platform with id {platform_id}")
    return platform


def list_platforms(session: Session) -> list[LtiPlatform]:
    return list(session.scalars(select(LtiPlatform).order_by(LtiPlatform.id)))


def add_deployment(session: Session, platform: LtiPlatform, deployment_id: str) -> LtiDeployment:
    """Allow launches from `deployment_id` (idempotent)."""
    deployment_id = (deployment_id or "").strip()
    if not deployment_id:
        raise ParamError("deployment_id is required", errors={"deployment_id": "missing"})
    for dep in platform.deployments:
        if dep.deployment_id == deployment_id:
            return dep
    dep = LtiDeployment(deployment_id=deployment_id)
    platform.deployments.append(dep)
    session.flush()
    return dep


def remove_deployment(session: Session, platform: LtiPlatform, deployment_id: str) -> None:
    """Refuse further launches from `deployment_id`."""
    for dep in list(platform.deployments):
        if dep.deployment_id == deployment_id:
            platform.deployments.remove(dep)
            session.flush()
            return
    raise NotFoundError(f"platform {platform.id} has no deployment {deployment_id!r}")


def set_auto_accept(session: Session, platform: LtiPlatform, on: bool) -> LtiPlatform:
    """Let launches from this platform's new deployment ids in (and remember them), or not."""
    from quizsvc import audit

    if platform.auto_accept_deployments != on:
        platform.auto_accept_deployments = on
        audit.record(session, "lti.platform_update", "lti_platform", platform.id,
                     {"auto_accept_deployments": on})
    session.flush()
    return platform


def remove_platform(session: Session, platform: LtiPlatform) -> None:
    """Delete a registration with its deployments, links and queued passbacks."""
    from quizsvc import audit

    audit.record(session, "lti.platform_remove", "lti_platform", platform.id,
                 {"issuer": platform.issuer, "client_id": platform.client_id})
    session.delete(platform)
    session.flush()


def overview(session: Session, platform_id: int | None = None) -> list[dict[str, Any]]:
    """Return each registration with its deployments' last launches and its passbacks' state."""
    from sqlalchemy import func

    from quizsvc.store.lti import LtiGradeOutbox, LtiResourceLink

    query = select(LtiPlatform).order_by(LtiPlatform.id)
    if platform_id is not None:
        query = query.where(LtiPlatform.id == platform_id)
    platforms = list(session.scalars(query))
    by_link = (select(LtiResourceLink.platform_id, LtiGradeOutbox.status, func.count(),
                      func.max(LtiGradeOutbox.sent_at))
               .join(LtiGradeOutbox, LtiGradeOutbox.link_id == LtiResourceLink.id)
               .group_by(LtiResourceLink.platform_id, LtiGradeOutbox.status))
    counts: dict[int, dict[str, int]] = {}
    last_sent: dict[int, Any] = {}
    for pid, status, n, sent in session.execute(by_link):
        counts.setdefault(pid, {})[status] = n
        if sent is not None and (pid not in last_sent or sent > last_sent[pid]):
            last_sent[pid] = sent
    out = []
    for p in platforms:
        failure = session.execute(
            select(LtiGradeOutbox.last_error, LtiGradeOutbox.created_at)
            .join(LtiResourceLink, LtiGradeOutbox.link_id == LtiResourceLink.id)
            .where(LtiResourceLink.platform_id == p.id, LtiGradeOutbox.status == "failed")
            .order_by(LtiGradeOutbox.id.desc()).limit(1)).first()
        launches = [d.last_launch_at for d in p.deployments if d.last_launch_at is not None]
        out.append({
            **describe(p),
            "deployments": [{"deployment_id": d.deployment_id, "source": d.source,
                             "created_at": d.created_at.isoformat(),
                             "last_launch_at": d.last_launch_at.isoformat()
                             if d.last_launch_at else None} for d in p.deployments],
            "last_launch_at": max(launches).isoformat() if launches else None,
            "passbacks": counts.get(p.id, {}),
            "last_passback_sent_at": last_sent[p.id].isoformat() if p.id in last_sent else None,
            "last_passback_error": failure[0] if failure else None,
        })
    return out


def describe(platform: LtiPlatform) -> dict[str, Any]:
    """Return a registration as JSON-able data."""
    return {"id": platform.id, "name": platform.name, "issuer": platform.issuer,
            "client_id": platform.client_id, "auth_login_url": platform.auth_login_url,
            "auth_token_url": platform.auth_token_url, "auth_audience": platform.auth_audience,
            "jwks_url": platform.jwks_url, "has_jwks": platform.jwks_json is not None,
            "deployment_ids": [d.deployment_id for d in platform.deployments],
            "auto_accept_deployments": platform.auto_accept_deployments,
            "registered_by": platform.registered_by,
            "created_at": platform.created_at.isoformat()}
