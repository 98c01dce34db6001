"""Deep Linking: an instructor picks a bank in the LMS; we answer with a signed content item.

The content item carries the bank as a custom parameter signed with our secret
(`<bank id>.<mac>`), so that a later launch of the link maps to that bank, and a
teacher typing custom parameters by hand cannot point a link at someone else's bank.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from quizsvc.lti import claims, keys
from quizsvc.lti.errors import LtiError
from quizsvc.store.lti import LtiPlatform

PICKER_MAX_AGE = 3600  # seconds an instructor may take to pick (or build and pick) a bank


def _mac(secret: str, platform_id: int, bank_id: int) -> str:
    msg = f"lti-bank:{platform_id}:{bank_id}".encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()[:24]


def bank_ref(secret: str, platform_id: int, bank_id: int) -> str:
    """Return the signed reference to `bank_id` for links of this platform."""
    return f"{bank_id}.{_mac(secret, platform_id, bank_id)}"


def parse_bank_ref(secret: str, platform_id: int, ref: object) -> int | None:
    """Return the bank id of a valid reference, else None."""
    if not isinstance(ref, str) or "." not in ref:
        return None
    head, mac = ref.split(".", 1)
    if not head.isdigit() or not hmac.compare_digest(mac, _mac(secret, platform_id, int(head))):
        return None
    return int(head)


@dataclass(frozen=True)
class PickerContext:
    """What the bank picker form must carry from the deep linking request to its answer."""

    platform_id: int
    deployment_id: str
    user_id: int
    return_url: str
    data: str | None
    accept_multiple: bool
    course_id: int | None = None  # the course of the LTI context: picked banks go there
    origins: tuple[str, ...] = ()  # who may frame the picker's pages (quizsvc/lti/frame.py)

    def to_dict(self) -> dict[str, Any]:
        return {"p": self.platform_id, "d": self.deployment_id, "u": self.user_id,
                "r": self.return_url, "x": self.data, "m": self.accept_multiple,
                "c": self.course_id, "o": list(self.origins)}


def picker_token(secret: str, ctx: PickerContext) -> str:
    """Return `ctx` signed and timestamped, for the picker form."""
    return URLSafeTimedSerializer(secret, salt="quizsvc-lti-deep-link").dumps(ctx.to_dict())


def read_picker_token(secret: str, token: str, max_age: int = PICKER_MAX_AGE) -> PickerContext:
    """Return the PickerContext of a token we issued, or raise LtiError."""
    try:
        d = URLSafeTimedSerializer(secret, salt="quizsvc-lti-deep-link").loads(token, max_age=max_age)
    except BadSignature:
        raise LtiError("the bank picker has expired or was altered: open it again from the course",
                       status=403) from None
    return PickerContext(platform_id=d["p"], deployment_id=d["d"], user_id=d["u"],
                         return_url=d["r"], data=d["x"], accept_multiple=d["m"],
                         course_id=d.get("c"), origins=tuple(d.get("o") or ()))


def content_item(*, title: str, url: str, ref: str, score_maximum: float, bank_id: int,
                 text: str = "") -> dict[str, Any]:
    """Return an ltiResourceLink content item for a bank, with its gradebook line item."""
    item: dict[str, Any] = {
        "type": "ltiResourceLink", "title": title, "url": url,
        "custom": {claims.CUSTOM_BANK: ref},
        "lineItem": {"scoreMaximum": score_maximum, "label": title,
                     "resourceId": f"quizsvc-bank-{bank_id}", "tag": "quizsvc"},
    }
    if text:
        item["text"] = text
    return item


def response_jwt(session: Session, platform: LtiPlatform, ctx: PickerContext,
                 items: list[dict[str, Any]], message: str | None = None) -> str:
    """Return the LtiDeepLinkingResponse JWT, signed with our key, for the platform to verify."""
    body: dict[str, Any] = {
        "iss": platform.client_id, "aud": platform.issuer, "azp": platform.client_id,
        claims.DEPLOYMENT_ID: ctx.deployment_id,
        claims.MESSAGE_TYPE: claims.DEEP_LINKING_RESPONSE,
        claims.VERSION: claims.LTI_VERSION,
        claims.DL_CONTENT_ITEMS: items,
        "nonce": secrets.token_urlsafe(16),
    }
    if ctx.data is not None:
        body[claims.DL_DATA] = ctx.data  # echoed unchanged, as the spec requires
    if message:
        body[claims.DL_MSG] = message
    return keys.sign(session, body, lifetime=600)
