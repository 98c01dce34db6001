"""What authorises an instructor's forms inside the LMS iframe, and who may frame our pages.

The LMS shows quizsvc in a cross-site iframe. A cookie there must be
`SameSite=None; Secure` (and `Partitioned` where third-party cookies are
blocked), and Safari and Firefox's strict modes drop even those. So the frame
session is not a cookie: a verified launch hands the page a token, signed with
our secret and timestamped (`LTI_LAUNCH_TOKEN_TTL`), naming the user, the
platform, the course and link of that launch; every form in the frame carries
it in a hidden field. It is also the form's CSRF token: a browser never sends
it by itself, so another site cannot post a form in the instructor's name
without having read the page, which the same-origin policy prevents. It is not
an API token: it opens the few frame forms of its own course and link only.

`frame_origins` lists who may frame a page of a launch: the platform's
registration (its issuer, login and token hosts) and the URLs the launch
names (its return URLs, the platform's own URL), which is where an LMS whose
issuer is not its host (Canvas) actually shows us.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.lti import claims
from quizsvc.lti.errors import LtiError
from quizsvc.store.lti import LtiPlatform
from quizsvc.store.models import User

FIELD = "lti_session"  # the hidden field the frame's forms carry
_SALT = "quizsvc-lti-frame"
_MAX_ORIGINS = 12
TOOL_PLATFORM = "https://purl.imsglobal.org/spec/lti/claim/tool_platform"


@dataclass(frozen=True)
class FrameSession:
    """Who launched, from which platform, into which course and link."""

    user_id: int
    platform_id: int
    course_id: int | None
    link_id: int | None
    origins: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"u": self.user_id, "p": self.platform_id, "c": self.course_id,
                "l": self.link_id, "o": list(self.origins)}


def issue(secret: str, frame: FrameSession) -> str:
    """Return `frame` signed and timestamped, for the hidden field of the frame's forms."""
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps(frame.to_dict())


def read(secret: str, token: str, max_age: int) -> FrameSession:
    """Return the FrameSession of a token we issued less than `max_age` seconds ago."""
    try:
        d = URLSafeTimedSerializer(secret, salt=_SALT).loads(token, max_age=max_age)
    except BadSignature:
        raise LtiError("this page has expired or was altered: open the activity again from "
                       "your course", status=403) from None
    return FrameSession(user_id=d["u"], platform_id=d["p"], course_id=d["c"], link_id=d["l"],
                        origins=tuple(d.get("o") or ()))


def user_of(session: Session, user_id: int) -> User:
    """Return the active user a frame or picker token names, or refuse."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise LtiError("this account no longer exists or is deactivated", status=403)
    return user


def origin(url: object) -> str | None:
    """Return `scheme://host[:port]` of an http(s) URL, else None."""
    if not isinstance(url, str) or len(url) > 2000:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname or "*" in parts.netloc \
            or ";" in parts.netloc or "'" in parts.netloc or " " in parts.netloc:
        return None
    host = parts.hostname
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def _unique(urls: Iterable[object]) -> tuple[str, ...]:
    out: list[str] = []
    for url in urls:
        o = origin(url)
        if o and o not in out:
            out.append(o)
    return tuple(out[:_MAX_ORIGINS])


def frame_origins(platform: LtiPlatform | None, body: dict[str, Any] | None = None) -> tuple[str, ...]:
    """Return the origins that may frame a page of a launch from `platform` with claims `body`."""
    urls: list[object] = []
    if platform is not None:
        urls += [platform.issuer, platform.auth_login_url, platform.auth_token_url]
    body = body or {}
    presentation = body.get(claims.LAUNCH_PRESENTATION)
    if isinstance(presentation, dict):
        urls.append(presentation.get("return_url"))
    settings = body.get(claims.DL_SETTINGS)
    if isinstance(settings, dict):
        urls.append(settings.get("deep_link_return_url"))
    tool_platform = body.get(TOOL_PLATFORM)
    if isinstance(tool_platform, dict):
        urls.append(tool_platform.get("url"))
    return _unique(urls)


def registered_origins(session: Session) -> tuple[str, ...]:
    """Every registered platform's origins: for an error before we know who launched."""
    urls: list[object] = []
    for row in session.execute(select(LtiPlatform.issuer, LtiPlatform.auth_login_url)
                               .order_by(LtiPlatform.id).limit(_MAX_ORIGINS)):
        urls += [row.issuer, row.auth_login_url]
    return _unique(urls)


def csp(origins: Iterable[str]) -> str:
    """Return the Content-Security-Policy of a page the LMS frames."""
    ancestors = " ".join(["'self'", *origins])
    return ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"frame-ancestors {ancestors}; base-uri 'none'; object-src 'none'")
