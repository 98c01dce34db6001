"""Users, tokens, rosters and progress."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from quizsvc.store.models import ROLES


class UserCreate(Schema):
    role = fields.String(load_default="student", validate=validate.OneOf(ROLES))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))
    sis_user_id = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=100))
    token = fields.Boolean(load_default=False, metadata={
        "description": "Also issue an API token, returned once in `token`."})


class UserOut(Schema):
    id = fields.Integer()
    role = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    sis_user_id = fields.String(allow_none=True)
    lti_issuer = fields.String(allow_none=True)
    lti_subject = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()
    token = fields.String(metadata={"description": "Shown once, when just issued."})


class RosterArgs(Schema):
    tokens = fields.Boolean(load_default=False, metadata={
        "description": "Issue a token for each new student, returned once."})


class RosterRowOut(Schema):
    created = fields.Boolean()
    user = fields.Nested(UserOut)
    token = fields.String(allow_none=True)


class RosterOut(Schema):
    created = fields.Integer()
    existing = fields.Integer()
    rows = fields.List(fields.Nested(RosterRowOut))


class UserListArgs(Schema):
    role = fields.String(load_default=None, validate=validate.OneOf(ROLES))


class TokenCreate(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=100))


class TokenInfo(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()
    hint = fields.String(metadata={"description": "The token's first characters."})
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class TokenOut(TokenInfo):
    token = fields.String(metadata={"description": "Shown once: store it now."})


class FamilyProgressOut(Schema):
    family = fields.String()
    attempts = fields.Integer()
    correct = fields.Integer()
    accuracy = fields.Float(metadata={"description": "Correct attempts / attempts."})
    problems = fields.Integer()
    solved = fields.Integer()
    mastery = fields.Float(metadata={
        "description": "0..1: Beta(1,1) posterior mean of recency-weighted scores (x0.8 per "
                       "older attempt)."})
    top_misconception = fields.String(allow_none=True)
    top_misconception_count = fields.Integer()
    misconceptions = fields.Dict(keys=fields.String(), values=fields.Integer())
    last_attempt_at = fields.DateTime(allow_none=True)


class ProgressOut(Schema):
    user_id = fields.Integer()
    families = fields.List(fields.Nested(FamilyProgressOut))
