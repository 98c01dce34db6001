"""Courses, join codes, enrolments, and a course's results and analytics."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from quizsvc.schemas.common import PageArgs, PageMeta
from quizsvc.schemas.users import UserOut
from quizsvc.store.courses import COURSE_ROLES

ID = validate.Range(min=1, max=2**31 - 1)


class CourseCreate(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    term = fields.String(load_default="", validate=validate.Length(max=100),
                         metadata={"description": "e.g. Spring 2027"})
    code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50),
                         metadata={"description": "The course's catalogue code, e.g. CS 231N."})
    join_code = fields.Boolean(load_default=True, metadata={
        "description": "Make a join code now (staff can rotate or disable it later)."})


class CourseUpdate(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    term = fields.String(validate=validate.Length(max=100))
    code = fields.String(allow_none=True, validate=validate.Length(max=50))
    archived = fields.Boolean(metadata={
        "description": "Archive: the course takes no new members or banks; all stays readable."})


class CourseOut(Schema):
    id = fields.Integer()
    title = fields.String()
    term = fields.String()
    code = fields.String(allow_none=True)
    archived = fields.Boolean()
    created_at = fields.DateTime()
    your_role = fields.String(allow_none=True, metadata={
        "description": "student, ta or instructor; null for an admin who is not enrolled."})
    students = fields.Integer()
    tas = fields.Integer()
    instructors = fields.Integer()
    lti = fields.Boolean(metadata={"description": "The course is an LMS context (LTI)."})
    join_code = fields.String(allow_none=True, metadata={
        "description": "Staff only; null when joining is disabled."})


class CourseListArgs(PageArgs):
    archived = fields.Boolean(load_default=None, allow_none=True)


class CoursePage(PageMeta):
    items = fields.List(fields.Nested(CourseOut))


class JoinIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": "The course's join code (case, spaces and "
                                                  "dashes do not matter)."})


class JoinCodeOut(Schema):
    course_id = fields.Integer()
    join_code = fields.String(allow_none=True)


class EnrollmentOut(Schema):
    course_id = fields.Integer()
    user_id = fields.Integer()
    role = fields.String()
    created_at = fields.DateTime()
    user = fields.Nested(UserOut)
    created = fields.Boolean(metadata={"description": "The account was made by this request."})
    claim_code = fields.String(metadata={"description": "Shown once: hand it to the student, "
                                                        "who claims the account with it."})


class EnrollmentIn(Schema):
    user_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320),
                          metadata={"description": "An existing account is enrolled; a new "
                                                   "email makes a student account."})
    role = fields.String(load_default="student", validate=validate.OneOf(COURSE_ROLES))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    sis_user_id = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=100))
    claim_code = fields.Boolean(load_default=False, metadata={
        "description": "For a new account: return a one-time claim code for the student."})

    @validates_schema
    def _someone(self, data: dict, **_kwargs: object) -> None:
        if not data.get("user_id") and not data.get("email"):
            raise ValidationError("give user_id or email", "email")


class EnrollmentListArgs(PageArgs):
    role = fields.String(load_default=None, validate=validate.OneOf(COURSE_ROLES))


class EnrollmentPage(PageMeta):
    items = fields.List(fields.Nested(EnrollmentOut))


class CourseRosterArgs(Schema):
    tokens = fields.Boolean(load_default=False, metadata={
        "description": "Issue an API token for each new account, returned once."})
    claim_codes = fields.Boolean(load_default=False, metadata={
        "description": "Issue a claim code for each new account, returned once."})


class BankScoreOut(Schema):
    bank_id = fields.Integer()
    score = fields.Float()
    max_score = fields.Float()
    percent = fields.Float()
    attempts = fields.Integer()


class CourseResultOut(Schema):
    user_id = fields.Integer()
    name = fields.String()
    email = fields.String(allow_none=True)
    sis_user_id = fields.String(allow_none=True)
    banks = fields.List(fields.Nested(BankScoreOut), metadata={
        "description": "The banks assigned to the student, by bank id."})
    score = fields.Float()
    max_score = fields.Float()
    percent = fields.Float()


class CourseResultPage(PageMeta):
    items = fields.List(fields.Nested(CourseResultOut))


class BankStatsOut(Schema):
    bank_id = fields.Integer()
    title = fields.String()
    assigned = fields.Integer()
    students_attempted = fields.Integer()
    attempts = fields.Integer()
    mean_percent = fields.Float(allow_none=True, metadata={
        "description": "Mean bank percent over the assigned students."})
    misconceptions = fields.Dict(keys=fields.String(), values=fields.Integer())


class CourseAnalyticsOut(Schema):
    course_id = fields.Integer()
    students = fields.Integer()
    banks = fields.List(fields.Nested(BankStatsOut))
