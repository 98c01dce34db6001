"""A local LTI 1.3 platform for the tests: an LMS in miniature, served in process.

It has its own RSA key and serves, as a WSGI app:
  GET  /jwks                         its public keys
  GET  /auth                         the OIDC authorisation endpoint: mints an id_token
  POST /token                        OAuth2 client credentials with a JWT client assertion
  GET|POST /lineitems                AGS line item container
  POST /lineitems/<n>/scores         AGS scores (records them; can be made to fail)
  POST /deep_link_return             verifies a LtiDeepLinkingResponse with the tool's JWKS
Requests reach it, and the tool, through `WsgiTransport`, a `requests` adapter
that calls WSGI apps directly: no socket is opened.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

C = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


class WsgiTransport(BaseAdapter):
    """A `requests` adapter that hands each request to a WSGI app, by host."""

    def __init__(self, apps: dict[str, Any]) -> None:
        super().__init__()
        self.apps = apps  # "https://host" -> WSGI callable
        self.down: set[str] = set()  # hosts that refuse connections

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in self.down or origin not in self.apps:
            raise requests.ConnectionError(f"connection refused: {origin}")
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        wresp = Client(self.apps[origin]).open(
            parts.path or "/", base_url=origin, query_string=parts.query, method=request.method,
            headers=dict(request.headers), data=body or b"")
        resp = requests.Response()
        resp.status_code = wresp.status_code
        resp.headers = CaseInsensitiveDict(dict(wresp.headers))
        resp._content = wresp.get_data()
        resp.url = request.url
        resp.request = request
        resp.encoding = "utf-8"
        return resp

    def close(self) -> None:
        pass


def new_key() -> tuple[Any, str]:
    """Return an RSA private key and a fresh kid."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), uuid.uuid4().hex


def jwk_of(private: Any, kid: str) -> dict[str, Any]:
    jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk.update(kid=kid, alg="RS256", use="sig")
    return jwk


@dataclass
class LocalPlatform:
    """The platform's registration of the tool, its keys, and everything it received."""

    tool_origin: str
    tool_jwks_url: str
    issuer: str = "https://lms.test"
    client_id: str = "quizsvc-client-1"
    deployment_id: str = "deployment-1"
    redirect_uris: tuple[str, ...] = ()
    key: Any = None
    kid: str = ""
    http: requests.Session | None = None  # the platform's own client (to read the tool's JWKS)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: list[dict[str, Any]] = field(default_factory=list)
    score_requests: list[int] = field(default_factory=list)  # status of every score POST
    lineitems: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, set[str]] = field(default_factory=dict)
    token_requests: int = 0
    jwks_requests: int = 0
    deep_link_responses: list[dict[str, Any]] = field(default_factory=list)
    score_status: int = 200  # set to 503 to make the score endpoint fail
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        if self.key is None:
            self.key, self.kid = new_key()

    # -- what a test uses -------------------------------------------------------------

    def rotate_key(self) -> None:
        """Replace our signing key (its kid changes), as platforms do from time to time."""
        self.key, self.kid = new_key()

    def url(self, path: str) -> str:
        return self.issuer + path

    def login_params(self, claims: dict[str, Any], target_link_uri: str) -> dict[str, str]:
        """Return the login initiation parameters of a launch whose id_token will carry `claims`."""
        hint = secrets.token_urlsafe(8)
        self.messages[hint] = claims
        return {"iss": self.issuer, "login_hint": claims.get("sub", "anon"),
                "target_link_uri": target_link_uri, "lti_message_hint": hint,
                "client_id": self.client_id, "lti_deployment_id": self.deployment_id}

    def resource_link_claims(self, *, sub: str, roles: list[str], link_id: str,
                             target_link_uri: str, custom: dict[str, str] | None = None,
                             lineitem: str | None = None, name: str = "") -> dict[str, Any]:
        """Return the claims of an LtiResourceLinkRequest with the AGS endpoint claim."""
        ags: dict[str, Any] = {"scope": [AGS + "scope/lineitem", AGS + "scope/score",
                                         AGS + "scope/result.readonly"],
                               "lineitems": self.url("/lineitems")}
        if lineitem:
            ags["lineitem"] = lineitem
        claims = {
            "sub": sub, "name": name or f"User {sub}", "email": f"{sub}@lms.test",
            C + "message_type": "LtiResourceLinkRequest", C + "version": "1.3.0",
            C + "deployment_id": self.deployment_id, C + "target_link_uri": target_link_uri,
            C + "resource_link": {"id": link_id, "title": "CNN practice"},
            C + "roles": roles, C + "context": {"id": "course-1", "title": "Deep Learning 101"},
            AGS + "claim/endpoint": ags,
        }
        if custom:
            claims[C + "custom"] = custom
        return claims

    def deep_linking_claims(self, *, sub: str, roles: list[str],
                            target_link_uri: str) -> dict[str, Any]:
        return {
            "sub": sub, "name": f"User {sub}",
            C + "message_type": "LtiDeepLinkingRequest", C + "version": "1.3.0",
            C + "deployment_id": self.deployment_id, C + "target_link_uri": target_link_uri,
            C + "roles": roles, C + "context": {"id": "course-1", "title": "Deep Learning 101"},
            DL + "deep_linking_settings": {
                "deep_link_return_url": self.url("/deep_link_return"),
                "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets":
                ["iframe", "window"], "accept_multiple": False, "data": "opaque-123"},
        }

    def mint(self, claims: dict[str, Any], *, nonce: str, key: Any = None, kid: str | None = None,
             lifetime: int = 300, iat: int | None = None, aud: Any = None) -> str:
        """Return an id_token for `claims`, signed with our key unless another is given."""
        now = int(time.time()) if iat is None else iat
        body = {"iss": self.issuer, "aud": self.client_id if aud is None else aud,
                "iat": now, "exp": now + lifetime, "nonce": nonce, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256",
                          headers={"kid": kid or self.kid})

    # -- the WSGI app -----------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        req = Request(environ)
        routes = {("GET", "/jwks"): self._jwks, ("GET", "/auth"): self._auth,
                  ("POST", "/token"): self._token, ("POST", "/deep_link_return"): self._dl_return}
        handler = routes.get((req.method, req.path))
        if handler is None and req.path.startswith("/lineitems"):
            handler = self._lineitems
        resp = handler(req) if handler else Response("not found", status=404)
        return resp(environ, start_response)

    def _json(self, data: Any, status: int = 200, mimetype: str = "application/json") -> Response:
        return Response(json.dumps(data), status=status, mimetype=mimetype)

    def _jwks(self, req: Request) -> Response:
        self.jwks_requests += 1
        return self._json({"keys": [jwk_of(self.key, self.kid)]})

    def _auth(self, req: Request) -> Response:
        """Check the authentication request as a platform must, then post the id_token back."""
        a = req.args
        problems = []
        if a.get("scope") != "openid" or a.get("response_type") != "id_token":
            problems.append("scope/response_type")
        if a.get("response_mode") != "form_post" or a.get("prompt") != "none":
            problems.append("response_mode/prompt")
        if a.get("client_id") != self.client_id:
            problems.append("client_id")
        if self.redirect_uris and a.get("redirect_uri") not in self.redirect_uris:
            problems.append("redirect_uri")
        claims = self.messages.get(a.get("lti_message_hint", ""))
        if claims is None or not a.get("nonce") or not a.get("state"):
            problems.append("hint/nonce/state")
        if problems:
            return self._json({"error": "invalid_request", "problems": problems}, 400)
        token = self.mint(claims, nonce=a["nonce"])
        return self._json({"action": a["redirect_uri"], "id_token": token, "state": a["state"]})

    def _verify_tool_jwt(self, token: str, audience: str) -> dict[str, Any]:
        """Verify a JWT the tool signed, with the key set the tool publishes."""
        assert self.http is not None
        kid = jwt.get_unverified_header(token)["kid"]
        jwks = self.http.get(self.tool_jwks_url, timeout=5).json()
        key = next(k for k in jwks["keys"] if k["kid"] == kid)
        return jwt.decode(token, jwt.PyJWK(key), algorithms=["RS256"], audience=audience,
                          options={"require": ["exp", "iat", "iss", "aud"]})

    def _token(self, req: Request) -> Response:
        self.token_requests += 1
        f = req.form
        if (f.get("grant_type") != "client_credentials" or f.get("client_assertion_type")
                != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"):
            return self._json({"error": "unsupported_grant_type"}, 400)
        try:
            body = self._verify_tool_jwt(f.get("client_assertion", ""), self.url("/token"))
        except (jwt.PyJWTError, StopIteration, KeyError) as exc:
            return self._json({"error": "invalid_client", "detail": str(exc)}, 401)
        if body.get("iss") != self.client_id or body.get("sub") != self.client_id or not body.get("jti"):
            return self._json({"error": "invalid_client"}, 401)
        token = secrets.token_urlsafe(16)
        self.tokens[token] = set(f.get("scope", "").split())
        return self._json({"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                           "scope": f.get("scope", "")})

    def _authorised(self, req: Request, scope: str) -> bool:
        auth = req.headers.get("Authorization", "")
        return auth.startswith("Bearer ") and scope in self.tokens.get(auth[7:], set())

    def _lineitems(self, req: Request) -> Response:
        path = req.path.rstrip("/")
        if path.endswith("/scores") and req.method == "POST":
            return self._score(req, path[: -len("/scores")])
        if not self._authorised(req, AGS + "scope/lineitem"):
            return self._json({"error": "unauthorized"}, 401)
        if path == "/lineitems" and req.method == "GET":
            rl = req.args.get("resource_link_id")
            items = [i for i in self.lineitems.values() if rl is None or i.get("resourceLinkId") == rl]
            return self._json(items, mimetype="application/vnd.ims.lis.v2.lineitemcontainer+json")
        if path == "/lineitems" and req.method == "POST":
            item = dict(req.get_json(force=True))
            item["id"] = self.url(f"/lineitems/{next(self._ids)}")
            self.lineitems[item["id"]] = item
            return self._json(item, 201, mimetype="application/vnd.ims.lis.v2.lineitem+json")
        return self._json({"error": "not found"}, 404)

    def add_lineitem(self, **fields: Any) -> str:
        """Create a line item (as deep linking does in a real LMS) and return its URL."""
        item = dict(fields, id=self.url(f"/lineitems/{next(self._ids)}"))
        self.lineitems[item["id"]] = item
        return item["id"]

    def _score(self, req: Request, lineitem_path: str) -> Response:
        if self.score_status != 200:
            self.score_requests.append(self.score_status)
            return self._json({"error": "unavailable"}, self.score_status)
        if not self._authorised(req, AGS + "scope/score"):
            self.score_requests.append(401)
            return self._json({"error": "unauthorized"}, 401)
        lineitem = self.url(lineitem_path)
        problems = []
        if req.mimetype != SCORE_TYPE:
            problems.append(f"content type {req.mimetype}")
        if lineitem not in self.lineitems:
            problems.append("unknown line item")
        body = req.get_json(force=True, silent=True) or {}
        for name in ("userId", "scoreGiven", "scoreMaximum", "activityProgress",
                     "gradingProgress", "timestamp"):
            if name not in body:
                problems.append(f"missing {name}")
        if problems:
            self.score_requests.append(400)
            return self._json({"error": "bad score", "problems": problems}, 400)
        self.score_requests.append(200)
        self.scores.append({"lineitem": lineitem, **body})
        return Response(status=204)

    def _dl_return(self, req: Request) -> Response:
        try:
            body = self._verify_tool_jwt(req.form.get("JWT", ""), self.issuer)
        except (jwt.PyJWTError, StopIteration, KeyError) as exc:
            return self._json({"error": "bad deep linking response", "detail": str(exc)}, 400)
        if (body.get("iss") != self.client_id
                or body.get(C + "message_type") != "LtiDeepLinkingResponse"
                or body.get(C + "version") != "1.3.0"
                or body.get(C + "deployment_id") != self.deployment_id):
            return self._json({"error": "bad deep linking claims"}, 400)
        self.deep_link_responses.append(body)
        # Like a real LMS: create the line item each content item asks for.
        for item in body.get(DL + "content_items", []):
            if "lineItem" in item:
                self.add_lineitem(**item["lineItem"], resourceLinkId=f"rl-{len(self.lineitems) + 1}")
        return self._json({"ok": True})
