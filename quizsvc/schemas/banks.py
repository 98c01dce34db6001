"""Question banks, their assignment, results and item analysis."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema, ValidationError

from quizsvc.families.rng import SEED_MAX, SEED_MIN
from quizsvc.schemas.common import PageArgs, PageMeta
from quizsvc.schemas.names import FamilyName, LevelName
from quizsvc.schemas.problems import ProblemOut
from quizsvc.store.models import SHOW_KEY


class ItemIn(Schema):
    family = FamilyName(required=True, metadata={"example": "conv_output_shape"})
    level = LevelName(load_default="easy")
    count = fields.Integer(load_default=1, validate=validate.Range(min=1, max=50),
                           metadata={"description": "Problems of this item per student, each "
                                                    "a different variant."})
    seeds = fields.List(fields.Integer(validate=validate.Range(min=SEED_MIN, max=SEED_MAX)),
                        load_default=None, allow_none=True,
                        validate=validate.Length(min=1, max=50),
                        metadata={"description": "Fixed variants, the same for every student "
                                                 "(instead of count)."})

    @validates_schema(pass_original=True)
    def _count_agrees_with_seeds(self, data: dict, original: object, **_kwargs: object) -> None:
        given = original if isinstance(original, dict) else {}
        seeds = data.get("seeds")
        if seeds and "count" in given and data.get("count") != len(seeds):
            raise ValidationError(f"count is {data.get('count')} but {len(seeds)} seed(s) are "
                                  "given: send seeds (one problem per seed, the same for every "
                                  "student) or count (that many random variants), not both",
                                  "count")


class BankCreate(Schema):
    course_id = fields.Integer(load_default=None, allow_none=True,
                               validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "The course it belongs to (one you teach). Default: the one course you "
                       "teach (a first one is made for you if you teach none)."})
    whole_course = fields.Boolean(load_default=False, metadata={
        "description": "Assign it to every student of the course, now and later."})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=10_000))
    items = fields.List(fields.Nested(ItemIn), required=True,
                        validate=validate.Length(min=1, max=200))
    max_attempts = fields.Integer(load_default=3, allow_none=True,
                                  validate=validate.Range(min=1, max=1000),
                                  metadata={"description": "Per problem; null: unlimited."})
    show_key = fields.String(load_default="after_last_attempt", validate=validate.OneOf(SHOW_KEY),
                             metadata={"description": "When students see keys and solutions."})

    @validates_schema
    def _count_or_seeds(self, data: dict, **_kwargs: object) -> None:
        if data.get("show_key") == "after_last_attempt" and data.get("max_attempts") is None:
            raise ValidationError("with unlimited attempts there is no last attempt: choose "
                                  "another show_key or set max_attempts", "show_key")


class ItemOut(Schema):
    position = fields.Integer()
    family = fields.String()
    level = fields.String()
    count = fields.Integer()
    seeds = fields.List(fields.Integer(), allow_none=True)


class BankSummary(Schema):
    id = fields.Integer()
    course_id = fields.Integer()
    owner_id = fields.Integer()
    whole_course = fields.Boolean(metadata={"description": "Assigned to the whole course."})
    title = fields.String()
    description = fields.String()
    max_attempts = fields.Integer(allow_none=True)
    show_key = fields.String()
    created_at = fields.DateTime()
    items = fields.List(fields.Nested(ItemOut))
    size = fields.Integer(metadata={"description": "Problems per student."})
    version = fields.Integer(metadata={
        "description": "Its items' version: a change to the items after the first attempt (on "
                       "the bank's items page) makes the next one; attempts keep the version "
                       "they answered."})
    archived = fields.Boolean(metadata={
        "description": "Archived: hidden from students' lists, takes no answers or changes."})


class BankOut(BankSummary):
    assigned = fields.Integer(metadata={"description": "Students assigned (owner only)."})
    problems = fields.List(fields.Nested(ProblemOut),
                           metadata={"description": "Your problems (an assigned student)."})


class AssignIn(Schema):
    user_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
                           load_default=list, validate=validate.Length(max=2000),
                           metadata={"description": "Students of the bank's course."})
    emails = fields.List(fields.String(validate=validate.Length(max=320)), load_default=list,
                         validate=validate.Length(max=2000))
    whole_course = fields.Boolean(load_default=False, metadata={
        "description": "Every student of the course, now and later (their variants are issued "
                       "when they open the bank)."})

    @validates_schema
    def _someone(self, data: dict, **_kwargs: object) -> None:
        if not data["user_ids"] and not data["emails"] and not data["whole_course"]:
            raise ValidationError("give user_ids, emails or whole_course: true", "user_ids")


class CopyIn(Schema):
    course_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1),
                               metadata={"description": "A course you teach."})


class BankListArgs(PageArgs):
    course_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


class BankPage(PageMeta):
    items = fields.List(fields.Nested(BankSummary))


class UnassignOut(Schema):
    unassigned = fields.Integer(metadata={
        "description": "How many students lost the bank (their unanswered problems are "
                       "withdrawn; answered ones and their results stay)."})


class AssignOut(Schema):
    assigned = fields.List(fields.Integer(), metadata={"description": "Newly assigned user ids."})
    already = fields.List(fields.Integer(), metadata={"description": "Were assigned before."})


class StudentResultOut(Schema):
    user_id = fields.Integer()
    name = fields.String()
    email = fields.String(allow_none=True)
    sis_user_id = fields.String(allow_none=True)
    score = fields.Float(metadata={"description": "Sum over problems of the best score."})
    max_score = fields.Float()
    percent = fields.Float()
    attempts = fields.Integer()
    solved = fields.Integer()
    items = fields.List(fields.Float(), metadata={"description": "Item scores, in bank order."})
    last_attempt_at = fields.DateTime(allow_none=True)


class ItemStatsOut(Schema):
    item_index = fields.Integer()
    family = fields.String()
    level = fields.String()
    attempts = fields.Integer()
    students = fields.Integer()
    fraction_correct = fields.Float(allow_none=True)
    first_attempt_correct = fields.Float(allow_none=True)
    mean_score = fields.Float(allow_none=True)
    discrimination = fields.Float(allow_none=True, metadata={
        "description": "Corrected point-biserial r (item vs rest of the bank)."})
    upper_lower = fields.Float(allow_none=True, metadata={
        "description": "Upper-lower 27% discrimination index D."})
    misconceptions = fields.Dict(keys=fields.String(), values=fields.Integer())
