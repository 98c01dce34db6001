"""LMS exports of a bank (Moodle XML, Canvas QTI, GIFT, JSON) and its grades as CSV."""

from __future__ import annotations

from flask import Response, current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from quizsvc.api.auth import auth_required, current_user
from quizsvc.exporters import FORMATS, STYLES, export
from quizsvc.exporters.banks import MAX_POOL, POOL, bank_attempts_csv, export_problems, grades_csv
from quizsvc.extensions import db
from quizsvc.services import banks

blp = Blueprint("exports", __name__, url_prefix="/api/v1/banks",
                description="Take a bank to an LMS, and its grades out of quizsvc.")


class ExportArgs(Schema):
    format = fields.String(required=True, validate=validate.OneOf(FORMATS),
                           metadata={"description": "moodle, qti12 (Canvas zip), gift or json"})
    style = fields.String(load_default="typed", validate=validate.OneOf(STYLES),
                          metadata={"description": "choice: multiple choice over the catalogued "
                                                   "mistakes wherever one gives a distractor"})
    pool = fields.Integer(load_default=POOL, validate=validate.Range(1, MAX_POOL),
                          metadata={"description": "variants exported per problem a student "
                                                   "gets (items without fixed seeds)"})
    pick = fields.Integer(load_default=None, validate=validate.Range(0, 10_000),
                          metadata={"description": "QTI: questions drawn per family and level "
                                                   "(default: the bank's counts; 0: all)"})


def _file(data: bytes | str, media_type: str, filename: str, **headers: str) -> Response:
    response = Response(data, mimetype=media_type.split(";")[0], headers=headers)
    if "charset" in media_type or isinstance(data, str):
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blp.route("/<int:bank_id>/export")
@auth_required()
@blp.arguments(ExportArgs, location="query")
@blp.response(200, description="The exported file; `X-Quizsvc-Items` items, "
                               "`X-Quizsvc-Left-Out` left out (listed in the file)")
def export_bank(args: dict, bank_id: int) -> Response:
    """Export a bank for an LMS (the instructors of its course)."""
    bank = banks.get_bank(db.session, current_user(), bank_id, manage=True)
    pool = export_problems(bank, current_app.config["SECRET_KEY"], args["pool"])
    pick = pool.picks if args["pick"] is None else (args["pick"] or None)
    result = export(pool.problems, args["format"], title=bank.title, style=args["style"], pick=pick)
    return _file(result.data, result.media_type, f"bank-{bank.id}-{result.filename}",
                 **{"X-Quizsvc-Items": str(result.count),
                    "X-Quizsvc-Left-Out": str(len(result.skipped))})


@blp.route("/<int:bank_id>/grades.csv")
@auth_required()
@blp.response(200, description="Canvas gradebook CSV: Student, ID, SIS User ID, SIS Login ID, "
                               "Section, `Title (id)`", content_type="text/csv")
def bank_grades(bank_id: int) -> Response:
    """Download the bank's grades as a CSV Canvas imports into its gradebook (course staff)."""
    bank = banks.get_bank(db.session, current_user(), bank_id, staff=True)
    return _file(grades_csv(db.session, bank), "text/csv", f"bank-{bank.id}-grades.csv")


@blp.route("/<int:bank_id>/attempts.csv")
@auth_required()
@blp.response(200, description="One line per attempt", content_type="text/csv")
def bank_attempts(bank_id: int) -> Response:
    """Download every attempt at the bank's problems as CSV (course staff)."""
    bank = banks.get_bank(db.session, current_user(), bank_id, staff=True)
    return _file(bank_attempts_csv(db.session, bank), "text/csv", f"bank-{bank.id}-attempts.csv")
