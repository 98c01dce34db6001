"""The LTI admin and instructor API: platform registrations, links, passbacks and retries."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from quizsvc.api.auth import auth_required, current_user
from quizsvc.extensions import db
from quizsvc.lti import claims, manage, outbox, registry, runtime
from quizsvc.schemas.common import PageArgs, PageMeta, page_of, page_schema, page_slice
from quizsvc.store.lti import OUTBOX_STATUSES, LtiPlatform

blp = Blueprint("lti_admin", __name__, url_prefix="/api/v1/lti",
                description="LTI 1.3: platform registrations (admins), links and grade passbacks.")


class PlatformCreate(Schema):
    issuer = fields.String(required=True, validate=validate.Length(min=1, max=500))
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=500))
    auth_login_url = fields.String(required=True, metadata={
        "description": "The platform's OIDC authorisation endpoint."})
    auth_token_url = fields.String(required=True, metadata={
        "description": "The platform's OAuth2 token endpoint (for AGS)."})
    auth_audience = fields.String(load_default=None, allow_none=True, metadata={
        "description": "The `aud` of our client assertions, if not the token URL."})
    jwks_url = fields.String(load_default=None, allow_none=True)
    jwks = fields.Dict(load_default=None, allow_none=True, metadata={
        "description": "The platform's key set, if it publishes no JWKS URL."})
    deployment_ids = fields.List(fields.String(validate=validate.Length(min=1, max=255)),
                                 load_default=list)
    name = fields.String(load_default="", validate=validate.Length(max=200))


class PlatformOut(Schema):
    id = fields.Integer()
    name = fields.String()
    issuer = fields.String()
    client_id = fields.String()
    auth_login_url = fields.String()
    auth_token_url = fields.String()
    auth_audience = fields.String(allow_none=True)
    jwks_url = fields.String(allow_none=True)
    has_jwks = fields.Boolean()
    deployment_ids = fields.List(fields.String())
    auto_accept_deployments = fields.Boolean(metadata={
        "description": "Whether a launch from a new deployment id is accepted and remembered."})
    registered_by = fields.String(metadata={"description": "`manual` or `dynamic`."})
    created_at = fields.String()


class DeploymentIn(Schema):
    deployment_id = fields.String(required=True, validate=validate.Length(min=1, max=255))


class ToolOut(Schema):
    login_url = fields.String(metadata={"description": "OIDC login initiation URL"})
    launch_url = fields.String(metadata={"description": "Redirect / target link URI"})
    deep_linking_url = fields.String()
    jwks_url = fields.String()
    scopes = fields.List(fields.String())


class LinkOut(Schema):
    id = fields.Integer()
    platform_id = fields.Integer()
    deployment_id = fields.String()
    resource_link_id = fields.String()
    context_id = fields.String(allow_none=True)
    context_title = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    bank_id = fields.Integer(allow_none=True)
    lineitem_url = fields.String(allow_none=True)
    lineitems_url = fields.String(allow_none=True)
    passback_policy = fields.String()


class LinkUpdate(Schema):
    bank_id = fields.Integer(load_default=None, allow_none=True)
    passback_policy = fields.String(load_default=None, allow_none=True,
                                    validate=validate.OneOf(manage.POLICIES))


class PassbackOut(Schema):
    id = fields.Integer()
    link_id = fields.Integer()
    user_id = fields.Integer()
    attempt_id = fields.Integer(allow_none=True)
    lti_subject = fields.String()
    score_given = fields.Float()
    score_maximum = fields.Float()
    activity_progress = fields.String()
    grading_progress = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_try_at = fields.DateTime()
    last_error = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class PassbackArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(OUTBOX_STATUSES))
    link_id = fields.Integer(load_default=None)


class PassbackPage(PageMeta):
    items = fields.List(fields.Nested(PassbackOut))


class RetryIn(Schema):
    ids = fields.List(fields.Integer(), load_default=None, allow_none=True, metadata={
        "description": "The failed passbacks to retry; all you may see when absent."})
    send = fields.Boolean(load_default=False, metadata={
        "description": "Also try to send them now, instead of leaving them to the worker."})


class RetryOut(Schema):
    requeued = fields.List(fields.Integer())
    sent = fields.Integer()
    retried = fields.Integer()
    failed = fields.Integer()


@blp.route("/tool")
@auth_required("instructor")
@blp.response(200, ToolOut)
def tool() -> dict[str, Any]:
    """Show the URLs and scopes to enter when registering quizsvc in an LMS."""
    from quizsvc.lti.views import tool_url

    return {"login_url": tool_url("lti.login"), "launch_url": tool_url("lti.launch"),
            "deep_linking_url": tool_url("lti.launch"), "jwks_url": tool_url("lti.jwks"),
            "scopes": list(claims.TOOL_SCOPES)}


@blp.route("/platforms", methods=["POST"])
@auth_required("admin")
@blp.arguments(PlatformCreate)
@blp.response(201, PlatformOut)
def create_platform(args: dict) -> dict:
    """Register a platform: its issuer, our client id there, its endpoints and deployments."""
    platform = registry.register_platform(db.session, **args)
    db.session.commit()
    return registry.describe(platform)


@blp.route("/platforms")
@auth_required("admin")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(PlatformOut, "PlatformPage"))
def list_platforms(args: dict) -> dict:
    """List the registered platforms."""
    return page_slice([registry.describe(p) for p in registry.list_platforms(db.session)], args)


@blp.route("/platforms/<int:platform_id>")
@auth_required("admin")
@blp.response(200, PlatformOut)
def show_platform(platform_id: int) -> dict:
    """Show one platform registration."""
    return registry.describe(registry.get_platform(db.session, platform_id))


@blp.route("/platforms/<int:platform_id>", methods=["DELETE"])
@auth_required("admin")
@blp.response(204)
def delete_platform(platform_id: int) -> None:
    """Remove a registration, with its links and their passbacks."""
    registry.remove_platform(db.session, registry.get_platform(db.session, platform_id))
    db.session.commit()


@blp.route("/platforms/<int:platform_id>/deployments", methods=["POST"])
@auth_required("admin")
@blp.arguments(DeploymentIn)
@blp.response(201, PlatformOut)
def add_deployment(args: dict, platform_id: int) -> dict:
    """Allow launches from one more deployment of this platform."""
    platform = registry.get_platform(db.session, platform_id)
    registry.add_deployment(db.session, platform, args["deployment_id"])
    db.session.commit()
    return registry.describe(platform)


@blp.route("/platforms/<int:platform_id>/deployments/<deployment_id>", methods=["DELETE"])
@auth_required("admin")
@blp.response(200, PlatformOut)
def remove_deployment(platform_id: int, deployment_id: str) -> dict:
    """Refuse launches from this deployment from now on."""
    platform: LtiPlatform = registry.get_platform(db.session, platform_id)
    registry.remove_deployment(db.session, platform, deployment_id)
    db.session.commit()
    return registry.describe(platform)


@blp.route("/links")
@auth_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(LinkOut, "LinkPage"))
def list_links(args: dict) -> dict:
    """List the LTI links of the courses you staff."""
    return page_slice(manage.list_links(db.session, current_user()), args)


@blp.route("/links/<int:link_id>", methods=["PUT"])
@auth_required()
@blp.arguments(LinkUpdate)
@blp.response(200, LinkOut)
def update_link(args: dict, link_id: int) -> object:
    """Map a link to a bank of its course, or set when its scores are sent (its instructors)."""
    link = manage.update_link(db.session, current_user(), link_id, **args)
    db.session.commit()
    return link


@blp.route("/passbacks")
@auth_required()
@blp.arguments(PassbackArgs, location="query")
@blp.response(200, PassbackPage)
def list_passbacks(args: dict) -> dict:
    """List grade passbacks (newest first), e.g. `?status=failed` or `?status=pending`."""
    rows, total = manage.list_passbacks(db.session, current_user(), status=args["status"],
                                        link_id=args["link_id"], page=args["page"],
                                        page_size=args["page_size"])
    return page_of(rows, total, args)


def _retry(ids: list[int] | None, send: bool) -> dict:
    requeued = manage.retry_passbacks(db.session, current_user(), ids)
    db.session.commit()
    out = {"requeued": requeued, "sent": 0, "retried": 0, "failed": 0}
    if send and requeued:
        rt = runtime.runtime()
        report = outbox.deliver(db.sessionmaker, http=rt.http, tokens=rt.tokens,
                                policy=runtime.retry_policy(rt), timeout=rt.settings["HTTP_TIMEOUT"],
                                ids=requeued)
        out.update(sent=report.sent, retried=report.retried, failed=report.failed)
    return out


@blp.route("/passbacks/retry", methods=["POST"])
@auth_required()
@blp.arguments(RetryIn)
@blp.response(200, RetryOut)
def retry_passbacks(args: dict) -> dict:
    """Queue failed passbacks again (all of yours, or `ids`); `send: true` tries them at once."""
    return _retry(args["ids"], args["send"])


@blp.route("/passbacks/<int:passback_id>/retry", methods=["POST"])
@auth_required()
@blp.response(200, RetryOut)
def retry_passback(passback_id: int) -> dict:
    """Queue one failed passback again and try to send it now."""
    return _retry([passback_id], request.args.get("send", "true") != "false")
