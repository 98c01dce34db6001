"""The platforms' public keys: fetched from their JWKS URL, cached, refetched for a new kid."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import jwt
import requests

from quizsvc.lti.errors import LaunchRefused
from quizsvc.store.lti import LtiPlatform

MAX_AGE = 3600.0  # seconds a fetched key set is trusted
MIN_REFETCH = 30.0  # an unknown kid triggers a refetch at most this often per URL


def _index(jwks: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    out: dict[str, jwt.PyJWK] = {}
    for data in jwks.get("keys", []):
        if data.get("kty") != "RSA" or data.get("use", "sig") != "sig" or "kid" not in data:
            continue
        out[data["kid"]] = jwt.PyJWK(data, algorithm="RS256")
    return out


class KeySetCache:
    """Per-process cache of platform key sets, keyed by JWKS URL."""

    def __init__(self) -> None:
        self._sets: dict[str, tuple[float, dict[str, jwt.PyJWK]]] = {}
        self._lock = threading.Lock()

    def _fetch(self, url: str, http: requests.Session, timeout: float) -> dict[str, jwt.PyJWK]:
        try:
            resp = http.get(url, timeout=timeout, headers={"Accept": "application/json"})
            resp.raise_for_status()
            keys = _index(resp.json())
        except (requests.RequestException, ValueError) as exc:
            raise LaunchRefused(f"cannot read the platform's key set at {url}: {exc}") from None
        with self._lock:
            self._sets[url] = (time.monotonic(), keys)
        return keys

    def key(self, platform: LtiPlatform, kid: str, http: requests.Session,
            timeout: float) -> jwt.PyJWK:
        """Return the platform's key `kid`, or refuse the launch."""
        if platform.jwks_json:
            keys = _index(json.loads(platform.jwks_json))
        else:
            if not platform.jwks_url:
                raise LaunchRefused("the platform has neither a JWKS URL nor a key set")
            fetched_at, keys = self._sets.get(platform.jwks_url, (0.0, {}))
            age = time.monotonic() - fetched_at
            # Platforms rotate keys: a kid we have not seen is worth one refetch, not one per request.
            if age > MAX_AGE or (kid not in keys and age > MIN_REFETCH):
                keys = self._fetch(platform.jwks_url, http, timeout)
        if kid not in keys:
            raise LaunchRefused(f"the platform's key set has no key {kid!r}")
        return keys[kid]
