"""A local LMS that also speaks LTI Dynamic Registration: its OpenID configuration and its
client registration endpoint, which checks the tool's registration request as an LMS would."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from tests.lti.platform import LocalPlatform

TOOL_CONF = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONF = "https://purl.imsglobal.org/spec/lti-platform-configuration"


@dataclass
class RegisteringPlatform(LocalPlatform):
    """`registration_token` is what the LMS hands the tool; requests must carry it."""

    issuer: str = "https://lms2.test"
    client_id: str = ""  # assigned by the registration
    registration_token: str = "lms-registration-token-1"
    registrations: list[dict[str, Any]] = field(default_factory=list)
    refuse_registration: bool = False
    config_issuer: str | None = None  # to make the configuration claim another issuer
    _clients: Any = field(default_factory=lambda: itertools.count(1001))

    @property
    def openid_configuration_url(self) -> str:
        return self.url("/.well-known/openid-configuration")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        req = Request(environ)
        if req.method == "GET" and req.path == "/.well-known/openid-configuration":
            return self._openid(req)(environ, start_response)
        if req.method == "POST" and req.path == "/register":
            return self._register(req)(environ, start_response)
        return super().__call__(environ, start_response)

    def _bearer_ok(self, req: Request) -> bool:
        return req.headers.get("Authorization") == f"Bearer {self.registration_token}"

    def _openid(self, req: Request) -> Response:
        if not self._bearer_ok(req):
            return self._json({"error": "unauthorized"}, 401)
        return self._json({
            "issuer": self.config_issuer or self.issuer,
            "authorization_endpoint": self.url("/auth"),
            "token_endpoint": self.url("/token"),
            "jwks_uri": self.url("/jwks"),
            "registration_endpoint": self.url("/register"),
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid"],
            "response_types_supported": ["id_token"],
            PLATFORM_CONF: {"product_family_code": "local-lms", "version": "1.0",
                            "messages_supported": [{"type": "LtiResourceLinkRequest"},
                                                   {"type": "LtiDeepLinkingRequest"}]},
        })

    def _register(self, req: Request) -> Response:
        if not self._bearer_ok(req):
            return self._json({"error": "unauthorized"}, 401)
        if self.refuse_registration:
            return self._json({"error": "invalid_client_metadata"}, 400)
        body = json.loads(req.get_data(as_text=True))
        problems = [name for name in ("initiate_login_uri", "redirect_uris", "jwks_uri",
                                      "client_name", "scope", TOOL_CONF) if not body.get(name)]
        if body.get("token_endpoint_auth_method") != "private_key_jwt":
            problems.append("token_endpoint_auth_method")
        if sorted(body.get("grant_types", [])) != ["client_credentials", "implicit"]:
            problems.append("grant_types")
        if problems:
            return self._json({"error": "invalid_client_metadata", "problems": problems}, 400)
        self.registrations.append(body)
        self.client_id = f"client-{next(self._clients)}"
        self.redirect_uris = tuple(body["redirect_uris"])
        self.tool_jwks_url = body["jwks_uri"]
        return self._json({**body, "client_id": self.client_id,
                           TOOL_CONF: {**body[TOOL_CONF], "deployment_id": self.deployment_id}})
