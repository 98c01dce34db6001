"""Users, tokens, rosters and progress."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from quizsvc.schemas.common import PageArgs, PageMeta
from quizsvc.store.models import ROLES


class UserCreate(Schema):
    role = fields.String(load_default="student", validate=validate.OneOf(ROLES))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))
    sis_user_id = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=100))
    token = fields.Boolean(load_default=False, metadata={
        "description": "Also issue an API token, returned once in `token` (audited)."})
    claim_code = fields.Boolean(load_default=False, metadata={
        "description": "Also issue a one-time claim code, returned once in `claim_code`."})
    course_id = fields.Integer(load_default=None, allow_none=True,
                               validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "Enrol the new student in this course (one you staff). Default: the "
                       "one course you teach. Admins creating staff accounts may omit it."})


class UserOut(Schema):
    id = fields.Integer()
    role = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    sis_user_id = fields.String(allow_none=True)
    lti_issuer = fields.String(allow_none=True)
    lti_subject = fields.String(allow_none=True)
    active = fields.Boolean()
    claimed = fields.Boolean(metadata={
        "description": "false: provisioned by staff and not yet claimed by its owner."})
    created_at = fields.DateTime()
    token = fields.String(metadata={"description": "Shown once, when just issued."})
    claim_code = fields.String(metadata={"description": "Shown once, when just issued."})


class RosterArgs(Schema):
    tokens = fields.Boolean(load_default=False, metadata={
        "description": "Issue a token for each new student, returned once."})
    claim_codes = fields.Boolean(load_default=False, metadata={
        "description": "Issue a claim code for each new student, returned once."})
    course_id = fields.Integer(load_default=None, allow_none=True,
                               validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "The course to enrol them in (default: the one course you teach)."})


class RosterRowOut(Schema):
    created = fields.Boolean(metadata={"description": "A new account."})
    enrolled = fields.Boolean(metadata={"description": "Newly enrolled in the course."})
    user = fields.Nested(UserOut)
    token = fields.String(allow_none=True)
    claim_code = fields.String(allow_none=True)


class RosterOut(Schema):
    course_id = fields.Integer()
    created = fields.Integer()
    existing = fields.Integer()
    rows = fields.List(fields.Nested(RosterRowOut))


class UserListArgs(PageArgs):
    role = fields.String(load_default=None, validate=validate.OneOf(ROLES))
    course_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1),
                               metadata={"description": "Only the members of this course."})


class UserPage(PageMeta):
    items = fields.List(fields.Nested(UserOut))


class ClaimIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = fields.String(load_default="", validate=validate.Length(max=100),
                         metadata={"description": "A name for the new token."})


class ClaimOut(Schema):
    user = fields.Nested(UserOut)
    token = fields.String(metadata={"description": "Your own API token, shown once; every "
                                                   "token someone else issued for you is revoked."})


class ClaimCodeOut(Schema):
    user_id = fields.Integer()
    claim_code = fields.String(metadata={"description": "Shown once."})
    expires_at = fields.DateTime()


class TokenCreate(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=100))


class TokenInfo(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()
    hint = fields.String(metadata={"description": "The token's first characters."})
    issued_by_id = fields.Integer(allow_none=True, metadata={
        "description": "Who issued it, when not its owner."})
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
