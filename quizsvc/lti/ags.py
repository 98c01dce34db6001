"""Assignment and Grade Services client: an OAuth2 token by signed client assertion, scores, line items."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests

from quizsvc.lti import claims, keys
from quizsvc.lti.errors import PlatformError


@dataclass(frozen=True)
class PlatformRef:
    """What the AGS client needs of a platform registration, detached from the database."""

    id: int
    client_id: str
    auth_token_url: str
    auth_audience: str | None = None


@dataclass(frozen=True)
class Score:
    """One AGS score message (the body of POST {lineitem}/scores)."""

    user_id: str
    score_given: float
    score_maximum: float
    activity_progress: str  # Initialized, Started, InProgress, Submitted, Completed
    grading_progress: str  # FullyGraded, Pending, PendingManual, Failed, NotReady
    timestamp: str  # ISO 8601 with offset and sub-second precision

    def to_json(self) -> dict[str, Any]:
        return {"userId": self.user_id, "scoreGiven": self.score_given,
                "scoreMaximum": self.score_maximum, "activityProgress": self.activity_progress,
                "gradingProgress": self.grading_progress, "timestamp": self.timestamp}


def scores_url(lineitem_url: str) -> str:
    """Return the scores endpoint of a line item, keeping its query (Moodle puts ids there)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _check(resp: requests.Response, what: str) -> None:
    """Raise PlatformError for an error answer; 4xx other than 408/429 will not heal by waiting."""
    if resp.ok:
        return
    retryable = resp.status_code >= 500 or resp.status_code in (401, 408, 429)
    body = resp.text[:300].replace("\n", " ")
    raise PlatformError(f"{what}: HTTP {resp.status_code} {body}", retryable=retryable,
                        retry_after=_retry_after(resp), http_status=resp.status_code)


class TokenCache:
    """Per-process cache of access tokens, keyed by platform and scopes."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[int, str], tuple[float, str]] = {}
        self._lock = threading.Lock()

    def drop(self, platform: PlatformRef, scopes: tuple[str, ...]) -> None:
        with self._lock:
            self._tokens.pop((platform.id, " ".join(sorted(scopes))), None)

    def get(self, sign: keys.Signer, platform: PlatformRef, scopes: tuple[str, ...],
            http: requests.Session, timeout: float) -> str:
        """Return a cached token, or ask the platform's token endpoint for a new one."""
        key = (platform.id, " ".join(sorted(scopes)))
        with self._lock:
            expires, token = self._tokens.get(key, (0.0, ""))
        if time.monotonic() < expires:
            return token
        assertion = sign({"iss": platform.client_id, "sub": platform.client_id,
                          "aud": platform.auth_audience or platform.auth_token_url}, 300)
        form = {"grant_type": "client_credentials",
                "client_assertion_type": claims.CLIENT_ASSERTION_TYPE,
                "client_assertion": assertion, "scope": key[1]}
        try:
            resp = http.post(platform.auth_token_url, data=form, timeout=timeout,
                             headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise PlatformError(f"token endpoint unreachable: {exc}") from None
        _check(resp, "token request refused")
        try:
            body = resp.json()
            token = body["access_token"]
            lifetime = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise PlatformError("token endpoint answered without an access_token") from None
        with self._lock:
            # Renew a minute early so that a token never expires between check and use.
            self._tokens[key] = (time.monotonic() + max(0.0, lifetime - 60), token)
        return token


class AgsClient:
    """Talk to one platform's AGS endpoints with a bearer token from `tokens`."""

    def __init__(self, sign: keys.Signer, platform: PlatformRef, tokens: TokenCache,
                 http: requests.Session, timeout: float = 10.0) -> None:
        self.sign, self.platform, self.tokens = sign, platform, tokens
        self.http, self.timeout = http, timeout

    def _request(self, method: str, url: str, scopes: tuple[str, ...], what: str,
                 **kwargs: Any) -> requests.Response:
        for attempt in (1, 2):
            token = self.tokens.get(self.sign, self.platform, scopes, self.http, self.timeout)
            headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
            try:
                resp = self.http.request(method, url, headers=headers, timeout=self.timeout,
                                         **kwargs)
            except requests.RequestException as exc:
                raise PlatformError(f"{what}: platform unreachable: {exc}") from None
            if resp.status_code == 401 and attempt == 1:
                # A token the platform revoked or forgot: get a fresh one, once.
                self.tokens.drop(self.platform, scopes)
                kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
                continue
            _check(resp, what)
            return resp
        raise AssertionError("unreachable")

    def post_score(self, lineitem_url: str, score: Score) -> None:
        """POST `score` to the line item's scores endpoint."""
        self._request("POST", scores_url(lineitem_url), (claims.SCOPE_SCORE,), "score refused",
                      json=score.to_json(), headers={"Content-Type": claims.SCORE_MEDIA_TYPE})

    def find_or_create_lineitem(self, lineitems_url: str, resource_link_id: str,
                                label: str, score_maximum: float, resource_id: str) -> str:
        """Return the URL of the line item of this resource link, creating it if there is none."""
        scopes = (claims.SCOPE_LINEITEM,)
        sep = "&" if urlsplit(lineitems_url).query else "?"
        query = urlencode({"resource_link_id": resource_link_id})
        resp = self._request("GET", f"{lineitems_url}{sep}{query}", scopes, "line items refused",
                             headers={"Accept": claims.LINEITEM_CONTAINER_MEDIA_TYPE})
        try:
            items = resp.json()
        except ValueError:
            raise PlatformError("line items: the answer is not JSON") from None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("resourceLinkId") == resource_link_id and item.get("id"):
                return str(item["id"])
        body = {"scoreMaximum": score_maximum, "label": label, "resourceId": resource_id,
                "resourceLinkId": resource_link_id, "tag": "quizsvc"}
        resp = self._request("POST", lineitems_url, scopes, "line item creation refused",
                             json=body, headers={"Content-Type": claims.LINEITEM_MEDIA_TYPE,
                                                 "Accept": claims.LINEITEM_MEDIA_TYPE})
        try:
            return str(resp.json()["id"])
        except (ValueError, KeyError, TypeError):
            raise PlatformError("line item creation: no id in the answer") from None
