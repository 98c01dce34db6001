"""The audit log: staff read their own actions and those about their courses; admins all."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, or_, select

from quizsvc.api.auth import auth_required, current_user
from quizsvc.extensions import db
from quizsvc.services import access
from quizsvc.schemas.common import PageArgs, PageMeta, page_of
from quizsvc.store.audit import AuditEvent

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit",
                description="Who changed banks, exported them and sent grades, and when.")


class AuditArgs(PageArgs):
    action = fields.String(load_default=None, validate=validate.Length(max=64),
                           metadata={"description": "e.g. bank.create, bank.export, "
                                                    "grade.passback"})
    target_type = fields.String(load_default=None, validate=validate.Length(max=32))
    target_id = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**31 - 1))
    course_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


class AuditEventOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True, metadata={"description": "null: the system"})
    actor_role = fields.String(allow_none=True)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.Integer(allow_none=True)
    details = fields.Dict()
    address = fields.String(allow_none=True)
    course_id = fields.Integer(allow_none=True, metadata={"description": "The course it is about."})


class AuditPage(PageMeta):
    items = fields.List(fields.Nested(AuditEventOut))


@blp.route("")
@auth_required()
@blp.arguments(AuditArgs, location="query")
@blp.response(200, AuditPage)
def list_events(args: dict) -> dict:
    """List audit events, newest first: your own actions and those about courses you staff."""
    user = current_user()
    where = []
    if user.role != "admin":
        where.append(or_(AuditEvent.actor_id == user.id,
                         AuditEvent.course_id.in_(access.course_ids(user))))
    for name in ("action", "target_type", "target_id", "course_id"):
        if args[name] is not None:
            where.append(getattr(AuditEvent, name) == args[name])
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    rows = db.session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.id.desc())
                              .limit(args["page_size"])
                              .offset((args["page"] - 1) * args["page_size"]))
    return page_of(list(rows), total, args)
