"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from quizsvc.extensions import db
from quizsvc.services.errors import ServiceUnavailable

blp = Blueprint("health", __name__, url_prefix="/", description="Liveness and readiness probes.")


class HealthOut(Schema):
    status = fields.String(metadata={"example": "ok"})


class ReadyOut(HealthOut):
    database = fields.String(metadata={"description": "sqlite or postgresql"})
    schema = fields.List(fields.String(), metadata={"description": "Migration revisions."})


@blp.route("/healthz")
@blp.doc(security=[])
@blp.response(200, HealthOut)
def healthz() -> dict:
    """Say that the process is up (it checks nothing else)."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.doc(security=[])
@blp.response(200, ReadyOut)
def readyz() -> dict:
    """Say whether the service can answer: the database is reachable and migrated."""
    from quizsvc.store.migrate import schema_status

    try:
        db.session.execute(text("SELECT 1"))
        status = schema_status(db.engine)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        from quizsvc.store.diagnose import explain

        raise ServiceUnavailable(explain(exc, str(db.engine.url))) from None
    if not status.ok:
        raise ServiceUnavailable(status.message)
    return {"status": "ready", "database": db.engine.dialect.name,
            "schema": sorted(status.current)}
