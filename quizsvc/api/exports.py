"""Exports of a bank in every registered format (Moodle XML, Canvas QTI, GIFT, JSON, ...) and its grades."""

from __future__ import annotations

from flask import Response, current_app
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from quizsvc import exporters
from quizsvc.api.auth import auth_required, current_user
from quizsvc.exporters import STYLES, ExportResult, export
from quizsvc.extensions import db
from quizsvc.exporters.pdf import MODES
from quizsvc.schemas.common import PageArgs, page_schema, page_slice
from quizsvc.services import banks, papers
from quizsvc.services.exports import (MAX_POOL, POOL, bank_attempts_csv, export_problems,
                                      grades_csv)

blp = Blueprint("exports", __name__, url_prefix="/api/v1/banks",
                description="Take a bank to an LMS, and its grades out of quizsvc.")


def _registered(name: str) -> None:
    """Accept the formats registered when the request comes (the registry may grow)."""
    if name not in exporters.names():
        raise ValidationError(f"Must be one of: {', '.join(exporters.names())}.")


class FormatSchema(Schema):
    name = fields.String(metadata={"description": "the value of `format`"})
    label = fields.String()
    media_type = fields.String()
    extension = fields.String()
    description = fields.String()


class ExportArgs(Schema):
    format = fields.String(required=True, validate=_registered,
                           metadata={"description": "a registered format (GET "
                                                    "/api/v1/banks/export-formats): moodle, "
                                                    "qti12 (Canvas zip), gift, json, ..."})
    style = fields.String(load_default="typed", validate=validate.OneOf(STYLES),
                          metadata={"description": "choice: multiple choice over the catalogued "
                                                   "mistakes wherever one gives a distractor"})
    pool = fields.Integer(load_default=POOL, validate=validate.Range(1, MAX_POOL),
                          metadata={"description": "variants exported per problem a student "
                                                   "gets (items without fixed seeds)"})
    pick = fields.Integer(load_default=None, validate=validate.Range(0, 10_000),
                          metadata={"description": "QTI: questions drawn per family and level "
                                                   "(default: the bank's counts; 0: all)"})
    mode = fields.String(load_default="worksheet", validate=validate.OneOf(MODES),
                         metadata={"description": "pdf: worksheet, exam (a version per assigned "
                                                  "student), key (the worksheet's) or exam-key"})
    split = fields.Boolean(load_default=False,
                           metadata={"description": "pdf exam: one PDF per student, in a zip"})


def _file(data: bytes | str, media_type: str, filename: str, **headers: str) -> Response:
    response = Response(data, mimetype=media_type.split(";")[0], headers=headers)
    if "charset" in media_type or isinstance(data, str):
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blp.route("/export-formats")
@auth_required("instructor")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(FormatSchema, "FormatPage"))
def export_formats(args: dict) -> dict:
    """List the export formats a bank can be written in."""
    return page_slice([f.to_dict() for f in exporters.formats()], args)


@blp.route("/<int:bank_id>/export")
@auth_required()
@blp.arguments(ExportArgs, location="query")
@blp.response(200, description="The exported file; `X-Quizsvc-Items` items, "
                               "`X-Quizsvc-Left-Out` left out (listed in the file)")
def export_bank(args: dict, bank_id: int) -> Response:
    """Export a bank for an LMS (the instructors of its course)."""
    bank = banks.get_bank(db.session, current_user(), bank_id, manage=True)
    secret = current_app.config["SECRET_KEY"]
    if args["format"] == "pdf":
        printed = papers.bank_papers(db.session, bank, secret, args["mode"])
        result = export([p for paper in printed for p in paper.problems], "pdf", title=bank.title,
                        mode=args["mode"], papers=[p.as_tuple() for p in printed],
                        extra={"split": args["split"]})
        return _send(result, f"bank-{bank.id}-{result.filename}")
    pool = export_problems(bank, secret, args["pool"])
    pick = pool.picks if args["pick"] is None else (args["pick"] or None)
    result = export(pool.problems, args["format"], title=bank.title, style=args["style"], pick=pick,
                    policy=pool.policy)
    return _send(result, f"bank-{bank.id}-{result.filename}")


@blp.route("/papers/<string:code>/key")
@auth_required("instructor")
@blp.response(200, description="The answer key (PDF) of the printed paper with this version code",
              content_type="application/pdf")
def paper_key(code: str) -> Response:
    """Turn a printed paper's version code (its QR code) back into its answer key (PDF)."""
    bank_id, _ = papers.parse_code(code)
    banks.get_bank(db.session, current_user(), bank_id, manage=True)  # 404, or 403 if not theirs
    bank, paper = papers.resolve(db.session, code, current_app.config["SECRET_KEY"])
    result = export(paper.problems, "pdf", title=bank.title, mode="key", papers=[paper.as_tuple()])
    return _send(result, f"key-{paper.code}.pdf")


def _send(result: ExportResult, filename: str) -> Response:
    return _file(result.data, result.media_type, filename,
                 **{"X-Quizsvc-Items": str(result.count),
                    "X-Quizsvc-Left-Out": str(len(result.skipped)),
                    "X-Quizsvc-Notes": str(len(result.notes))})


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
