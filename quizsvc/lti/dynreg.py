"""LTI Dynamic Registration (IMS LTI Dynamic Registration v1.0), approved by an admin.

1. An admin makes a one-time registration URL (`quizsvc lti registration-url`, the admin
   API or the admin page): `<tool>/lti/register/<token>`, the token stored as its SHA-256.
2. The LMS administrator pastes it into the LMS, which opens it with `openid_configuration`
   (and usually `registration_token`) added to the query.
3. quizsvc reads the platform's OpenID configuration, shows what it will register, and on
   confirmation posts its client registration (JWKS, redirect URIs, claims, AGS scopes, the
   resource-link and deep-linking messages) to the platform's registration endpoint; the
   answer's client id and deployment id become a platform registration here.
4. The page then tells the LMS it is done with the `org.imsglobal.lti.close` postMessage.

The approval token is used up by a conditional UPDATE in the registration's transaction,
so it registers at most one platform, and a failed registration leaves it usable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from quizsvc.errors import ParamError
from quizsvc.lti import claims, registry
from quizsvc.lti.errors import LtiError, PlatformError
from quizsvc.store.lti import LtiRegistrationToken
from quizsvc.store.types import utcnow

TOKEN_PREFIX = "qzreg_"
DEFAULT_TTL_HOURS = 72.0
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
# Claims quizsvc uses: who the user is, for their account and their name on results pages.
TOOL_CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email")
_REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri",
             "registration_endpoint")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def issue_token(session: Session, *, created_by_id: int | None = None, note: str = "",
                ttl_hours: float = DEFAULT_TTL_HOURS,
                now: dt.datetime | None = None) -> tuple[LtiRegistrationToken, str]:
    """Create a one-time registration approval; return it and its text (shown once)."""
    if not 0 < ttl_hours <= 24 * 30:
        raise LtiError("a registration URL lasts between a minute and 30 days",
                       errors={"ttl_hours": "out of range"}, status=422)
    now = now or utcnow()
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = LtiRegistrationToken(token_hash=_hash(text), note=note[:200], created_by_id=created_by_id,
                               created_at=now, expires_at=now + dt.timedelta(hours=ttl_hours))
    session.add(row)
    session.flush()
    return row, text


def registration_url(base: str, text: str) -> str:
    """Return the URL an LMS administrator pastes into the LMS."""
    return f"{base.rstrip('/')}/lti/register/{text}"


def approved(session: Session, text: str, now: dt.datetime | None = None) -> LtiRegistrationToken:
    """Return the unused, unexpired approval `text` names, or refuse (403)."""
    now = now or utcnow()
    row = session.scalars(select(LtiRegistrationToken).where(
        LtiRegistrationToken.token_hash == _hash(text or ""))).first() if text else None
    if row is None:
        raise LtiError("this registration URL is not one quizsvc issued: ask the quizsvc "
                       "administrator for a new one", status=403)
    if row.used_at is not None:
        raise LtiError("this registration URL was already used: each one registers one LMS; "
                       "ask the quizsvc administrator for a new one", status=403)
    if row.expires_at <= now:
        raise LtiError("this registration URL has expired: ask the quizsvc administrator for "
                       "a new one", status=403)
    return row


@dataclass(frozen=True)
class PlatformConfig:
    """What quizsvc needs from a platform's OpenID configuration."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product: str
    raw: dict[str, Any]


def _https(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise LtiError(f"the platform's OpenID configuration has no {name}")
    try:
        return registry.https_url(name, value) or ""
    except ParamError:
        raise LtiError(f"the platform's {name} is not an https URL: {value!r}") from None


def fetch_config(http: requests.Session, url: str, registration_token: str | None,
                 timeout: float) -> PlatformConfig:
    """Read and check the platform's OpenID configuration at `url`."""
    if not url:
        raise LtiError("open this URL from the LMS's tool registration page: the LMS adds the "
                       "openid_configuration parameter it needs")
    _https("openid_configuration", url)
    headers = {"Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        resp = http.get(url, timeout=timeout, headers=headers)
        resp.raise_for_status()
        data = resp.json()
    except (requests.RequestException, ValueError) as exc:
        raise PlatformError(f"cannot read the platform's OpenID configuration at {url}: {exc}",
                            retryable=False) from None
    if not isinstance(data, dict):
        raise LtiError("the platform's OpenID configuration is not a JSON object")
    values = {name: _https(name, data.get(name)) for name in _REQUIRED}
    # The spec: the issuer and the configuration URL must be on the same host, so that a
    # configuration cannot claim another LMS's issuer.
    if (urlsplit(values["issuer"]).hostname or "").lower() != (urlsplit(url).hostname or "").lower():
        raise LtiError(f"the platform's issuer {values['issuer']!r} is not on the host of its "
                       f"OpenID configuration {url!r}")
    algs = data.get("id_token_signing_alg_values_supported")
    if isinstance(algs, list) and "RS256" not in algs:
        raise LtiError("the platform does not sign id_tokens with RS256")
    lti = data.get(PLATFORM_CONFIGURATION) if isinstance(data.get(PLATFORM_CONFIGURATION), dict) else {}
    product = str(lti.get("product_family_code") or urlsplit(values["issuer"]).hostname or "LMS")
    return PlatformConfig(product=product[:100], raw=data, **values)


def tool_registration(base: str, *, name: str = "quizsvc") -> dict[str, Any]:
    """Return quizsvc's client registration request for a tool served at `base`."""
    base = base.rstrip("/")
    launch = base + "/lti/launch"
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": base + "/lti/login",
        "redirect_uris": [launch],
        "client_name": name,
        "jwks_uri": base + "/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(claims.TOOL_SCOPES),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(base).netloc,
            "description": "Parametric practice problems on CNN fundamentals, graded with the "
                           "mistake named; grades go back to the gradebook.",
            "target_link_uri": launch,
            "claims": list(TOOL_CLAIMS),
            "messages": [
                {"type": claims.DEEP_LINKING_REQUEST, "target_link_uri": launch,
                 "label": "quizsvc question bank"},
                {"type": claims.RESOURCE_LINK_REQUEST, "target_link_uri": launch,
                 "label": "quizsvc"},
            ],
        },
    }


def register(session: Session, approval: LtiRegistrationToken, config: PlatformConfig, *,
             http: requests.Session, registration_token: str | None, base: str,
             timeout: float, now: dt.datetime | None = None) -> Any:
    """Use up `approval`, register quizsvc with the platform and store the registration.

    Returns the new LtiPlatform. On any failure the caller rolls back, which leaves the
    approval unused.
    """
    now = now or utcnow()
    used = session.execute(update(LtiRegistrationToken).where(
        LtiRegistrationToken.id == approval.id, LtiRegistrationToken.used_at.is_(None),
        LtiRegistrationToken.expires_at > now).values(used_at=now))
    if used.rowcount != 1:
        raise LtiError("this registration URL was already used or has expired", status=403)
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        resp = http.post(config.registration_endpoint, json=tool_registration(base),
                         headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        raise PlatformError(f"the platform's registration endpoint did not answer: {exc}",
                            retryable=False) from None
    if resp.status_code not in (200, 201):
        raise PlatformError(f"the platform refused the registration ({resp.status_code}): "
                            f"{resp.text[:300]}", retryable=False, http_status=resp.status_code)
    try:
        answer = resp.json()
    except ValueError:
        answer = None
    client_id = answer.get("client_id") if isinstance(answer, dict) else None
    if not isinstance(client_id, str) or not client_id:
        raise PlatformError("the platform's registration answer has no client_id",
                            retryable=False)
    tool_conf = answer.get(TOOL_CONFIGURATION) if isinstance(answer.get(TOOL_CONFIGURATION),
                                                            dict) else {}
    deployment = tool_conf.get("deployment_id")
    platform = registry.register_platform(
        session, issuer=config.issuer, client_id=client_id,
        auth_login_url=config.authorization_endpoint, auth_token_url=config.token_endpoint,
        jwks_url=config.jwks_uri, name=config.product,
        deployment_ids=[deployment] if isinstance(deployment, str) and deployment else [])
    platform.registered_by = "dynamic"
    for dep in platform.deployments:
        dep.source = "registration"
    approval.platform_id = platform.id
    session.flush()
    from quizsvc import audit

    audit.record(session, "lti.platform_register", "lti_platform", platform.id, {
        "issuer": platform.issuer, "client_id": client_id, "via": "dynamic_registration",
        "approval_id": approval.id, "approved_by": approval.created_by_id,
        "deployment_id": deployment})
    return platform
