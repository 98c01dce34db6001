"""Problems, attempts and the stateless checker."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from quizsvc.families.rng import SEED_MAX, SEED_MIN
from quizsvc.schemas.common import PageMeta
from quizsvc.schemas.names import FamilyName, LevelName


class ProblemCreate(Schema):
    family = FamilyName(required=True, metadata={"example": "conv_output_shape"})
    level = LevelName(load_default="easy", metadata={"example": "easy"})
    seed = fields.Integer(load_default=None, allow_none=True,
                          validate=validate.Range(min=SEED_MIN, max=SEED_MAX),
                          metadata={"description": "Omit for a random variant."})


class Policy(Schema):
    max_attempts = fields.Integer(allow_none=True)
    show_key = fields.String()


class ProblemOut(Schema):
    """A problem; `seed`, `params`, `answer` and `solution` only when `key_visible`."""

    id = fields.Integer()
    family = fields.String()
    version = fields.Integer()
    level = fields.String()
    topic = fields.String()
    prompt = fields.String(metadata={"description": "Markdown, math as $...$"})
    prompt_html = fields.String(metadata={
        "description": "The prompt as sanitised HTML, math as MathML (no script needed)."})
    answer_spec = fields.List(fields.Dict(), metadata={"description": "The blanks to fill in."})
    owner_id = fields.Integer()
    bank_id = fields.Integer(allow_none=True)
    item_index = fields.Integer(allow_none=True)
    policy = fields.Nested(Policy)
    attempts_used = fields.Integer()
    attempts_left = fields.Integer(allow_none=True, metadata={"description": "null: unlimited"})
    solved = fields.Boolean()
    created_at = fields.DateTime()
    key_visible = fields.Boolean()
    figures = fields.List(fields.Dict(), metadata={
        "description": "Figures drawn from the parameters, each {name, svg, alt, part}: the "
                       "prompt's always, the worked solution's (part \"solution\") only when "
                       "`key_visible`."})
    seed = fields.Integer()
    params = fields.Dict()
    answer = fields.Dict()
    solution = fields.String()
    solution_html = fields.String(metadata={
        "description": "The worked solution as sanitised HTML + MathML; only when `key_visible`."})


class AttemptCreate(Schema):
    answer = fields.Raw(required=True, metadata={
        "description": "Text for a one-blank problem, else an object with one entry per blank.",
        "example": {"shape": "16, 32, 32"}})


class FieldResult(Schema):
    name = fields.String()
    score = fields.Float()
    correct = fields.Boolean()
    feedback = fields.String()
    given = fields.Raw(allow_none=True)
    expected = fields.Raw(metadata={"description": "Only when the key is visible."})


class Misconception(Schema):
    code = fields.String()
    title = fields.String()
    explanation = fields.String()


class AttemptOut(Schema):
    """A graded attempt; `answer`, `solution` and `expected` only when `key_visible`."""

    id = fields.Integer()
    problem_id = fields.Integer()
    user_id = fields.Integer()
    family = fields.String()
    seq = fields.Integer(metadata={"description": "1 for the first attempt at this problem."})
    answer_given = fields.Raw()
    score = fields.Float()
    correct = fields.Boolean()
    feedback = fields.String()
    fields_ = fields.List(fields.Nested(FieldResult), data_key="fields", attribute="fields")
    misconception = fields.Nested(Misconception, allow_none=True)
    alternatives = fields.List(fields.String())
    created_at = fields.DateTime()
    attempts_used = fields.Integer()
    attempts_left = fields.Integer(allow_none=True)
    key_visible = fields.Boolean()
    answer = fields.Dict()
    solution = fields.String()
    solution_html = fields.String(metadata={
        "description": "The worked solution as sanitised HTML + MathML; only when `key_visible`."})


class AttemptPage(PageMeta):
    items = fields.List(fields.Nested(AttemptOut))


class CheckIn(Schema):
    family = FamilyName(required=True, metadata={"example": "conv_output_shape"})
    params = fields.Dict(required=True)
    answer = fields.Raw(required=True)


class CheckOut(Schema):
    family = fields.String()
    params = fields.Dict(metadata={"description": "The parameters, validated and canonical."})
    key = fields.Dict()
    score = fields.Float()
    correct = fields.Boolean()
    feedback = fields.String()
    fields_ = fields.List(fields.Nested(FieldResult), data_key="fields", attribute="fields")
    misconception = fields.String(allow_none=True)
    misconception_title = fields.String(allow_none=True)
    misconception_explanation = fields.String(allow_none=True)
    alternatives = fields.List(fields.String())


class PreviewIn(Schema):
    answer = fields.Raw(required=True, metadata={
        "description": "What an attempt would send: an object with one entry per blank "
                       "(or text for a one-blank problem); blanks may be missing.",
        "example": {"shape": "16, 32 32"}})


class FieldPreview(Schema):
    name = fields.String()
    kind = fields.String()
    state = fields.String(metadata={"description": "read, blank or unreadable"})
    message = fields.String(metadata={"description": "How it was read, or why it could not be."})
    value = fields.Raw(allow_none=True, metadata={"description": "The value as read (JSON)."})
    text = fields.String(metadata={"description": "The value as read, written out."})
    size = fields.String(metadata={"description": "rows x columns, for matrices and vectors"})
    html = fields.String(metadata={"description": "The value as read, as HTML + MathML."})


class PreviewOut(Schema):
    """How an answer reads; nothing about whether it is right."""

    fields_ = fields.List(fields.Nested(FieldPreview), data_key="fields", attribute="fields")
    unknown = fields.List(fields.String(), metadata={"description": "Fields the problem lacks."})
    readable = fields.Boolean(metadata={"description": "Every answered field could be read."})
