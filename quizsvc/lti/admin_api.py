"""The LTI administrator's API: Dynamic Registration URLs, platform settings, the overview."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from quizsvc.api.auth import auth_required, current_user
from quizsvc.extensions import db
from quizsvc.lti import dynreg, registry
from quizsvc.lti.api import PlatformOut
from quizsvc.schemas.common import PageArgs, page_of, page_schema, page_slice
from quizsvc.store.lti import LtiRegistrationToken

blp = Blueprint("lti_registrations", __name__, url_prefix="/api/v1/lti",
                description="LTI 1.3 administration: Dynamic Registration and deployments.")


class RegistrationIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=200), metadata={
        "description": "What the URL is for, e.g. the LMS it goes to.", "example": "Canvas prod"})
    ttl_hours = fields.Float(load_default=dynreg.DEFAULT_TTL_HOURS,
                             validate=validate.Range(min=0.02, max=24 * 30), metadata={
                                 "description": "How long the URL can be used."})


class RegistrationOut(Schema):
    id = fields.Integer()
    url = fields.String(metadata={"description": "Paste this into the LMS (shown once)."})
    note = fields.String()
    expires_at = fields.DateTime()


class ApprovalOut(Schema):
    id = fields.Integer()
    note = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    used_at = fields.DateTime(allow_none=True)
    platform_id = fields.Integer(allow_none=True)


class PlatformPatch(Schema):
    auto_accept_deployments = fields.Boolean(metadata={
        "description": "Accept (and remember) launches from deployment ids not seen before."})
    name = fields.String(validate=validate.Length(min=1, max=200))


class DeploymentState(Schema):
    deployment_id = fields.String()
    source = fields.String(metadata={"description": "`admin`, `registration` or `first_launch`."})
    created_at = fields.String()
    last_launch_at = fields.String(allow_none=True)


class PlatformState(PlatformOut):
    deployments = fields.List(fields.Nested(DeploymentState))
    last_launch_at = fields.String(allow_none=True)
    passbacks = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Grade passbacks by status: pending, sent, failed, superseded."})
    last_passback_sent_at = fields.String(allow_none=True)
    last_passback_error = fields.String(allow_none=True)


@blp.route("/registrations", methods=["POST"])
@auth_required("admin")
@blp.arguments(RegistrationIn)
@blp.response(201, RegistrationOut)
def create_registration(args: dict) -> dict[str, Any]:
    """Make a one-time LTI Dynamic Registration URL for an LMS administrator to paste."""
    from quizsvc.lti.views import tool_base

    row, text = dynreg.issue_token(db.session, created_by_id=current_user().id,
                                   note=args["note"], ttl_hours=args["ttl_hours"])
    db.session.commit()
    return {"id": row.id, "url": dynreg.registration_url(tool_base(), text), "note": row.note,
            "expires_at": row.expires_at}


@blp.route("/registrations")
@auth_required("admin")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(ApprovalOut, "ApprovalPage"))
def list_registrations(args: dict) -> dict:
    """List the registration URLs made, used or not, newest first (their text is never shown
    again)."""
    size = args["page_size"]
    rows = db.session.scalars(select(LtiRegistrationToken).order_by(LtiRegistrationToken.id.desc())
                              .offset((args["page"] - 1) * size).limit(size))
    total = db.session.scalar(select(func.count()).select_from(LtiRegistrationToken))
    return page_of(list(rows), total, args)


@blp.route("/platforms/<int:platform_id>", methods=["PATCH"])
@auth_required("admin")
@blp.arguments(PlatformPatch)
@blp.response(200, PlatformOut)
def update_platform(args: dict, platform_id: int) -> dict[str, Any]:
    """Rename a registration, or let its new deployments in on their first launch."""
    platform = registry.get_platform(db.session, platform_id)
    if "auto_accept_deployments" in args:
        registry.set_auto_accept(db.session, platform, args["auto_accept_deployments"])
    if "name" in args:
        platform.name = args["name"]
    db.session.commit()
    return registry.describe(platform)


@blp.route("/overview")
@auth_required("admin")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(PlatformState, "PlatformStatePage"))
def overview(args: dict) -> dict:
    """Every registration with its deployments' last launches and its passbacks' state."""
    return page_slice(registry.overview(db.session), args)
