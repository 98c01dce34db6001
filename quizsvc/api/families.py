"""Problem families: what can be practised."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from quizsvc.api.auth import auth_required, current_user
from quizsvc.render import render_markdown
from quizsvc.schemas.common import PageArgs, page_schema, page_slice
from quizsvc.services.practice import available_families, get_family
from quizsvc.services.policy import STAFF

blp = Blueprint("families", __name__, url_prefix="/api/v1/families",
                description="Problem families: topic, levels, answer spec, an example.")


class MisconceptionOut(Schema):
    code = fields.String()
    title = fields.String()
    explanation = fields.String()


class FamilySummary(Schema):
    name = fields.String()
    version = fields.Integer()
    topic = fields.String()
    levels = fields.List(fields.String())
    misconceptions = fields.List(fields.Nested(MisconceptionOut))


class FamilyOut(FamilySummary):
    example = fields.Dict(metadata={"description": "Seed 0 at the first level, with prompt_html; "
                                                   "the key (and solution_html) only for "
                                                   "instructors."})


@blp.route("")
@auth_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(FamilySummary, "FamilyPage"))
def list_families(args: dict) -> dict:
    """List every family, in teaching order."""
    return page_slice([f.describe() for f in available_families()], args)


@blp.route("/<name>")
@auth_required()
@blp.response(200, FamilyOut)
def show_family(name: str) -> dict:
    """Show a family with an example problem and its answer spec."""
    family = get_family(name)
    example = family.generate(0, family.levels[0])
    out = family.describe()
    staff = current_user().role in STAFF
    out["example"] = example.to_dict(include_key=staff)
    out["example"]["prompt_html"] = str(render_markdown(example.prompt))
    if staff:
        out["example"]["solution_html"] = str(render_markdown(example.solution))
    if not staff:  # seed and parameters are key material (a bank may use this very seed)
        out["example"].pop("seed", None)
        out["example"].pop("params", None)
    return out
