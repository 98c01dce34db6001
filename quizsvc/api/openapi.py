"""The OpenAPI document, finished: every error status, example bodies, enums, download types.

flask-smorest builds the document from the views' schemas and docstrings; this
adds what it cannot know from them, in one place:

- the error statuses each operation can answer with, each with our one error
  shape (`Error`), worked out from what the route does: a token (401, 429),
  a role above student or an id in the path (403), an id (404), a JSON body
  (400, 413, 415, 422), query arguments (422), the database (503), and the
  conflicts named in `CONFLICTS`;
- a working example for every JSON request body (`EXAMPLES`, by schema name;
  tests/api/test_openapi.py sends them);
- enums for every field that names a family, level, role, export format or
  key policy, wherever the schema itself gives none;
- the media types of the downloads (`DOWNLOADS`);
- a description for operations whose docstring is a summary only (`DESCRIPTIONS`): what a
  newcomer needs beyond the summary (who may call it, what comes back, what to do next).
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask
from werkzeug.http import HTTP_STATUS_CODES

ERROR_SCHEMA = {"type": "object", "required": ["code", "status", "message", "errors"],
                "properties": {
                    "code": {"type": "integer", "description": "The HTTP status."},
                    "status": {"type": "string", "description": "Its reason phrase."},
                    "message": {"type": "string", "description": "What is wrong, and what to do."},
                    "errors": {"type": "object", "additionalProperties": True,
                               "description": "Details: the fields in error and why."}}}

WHY = {
    400: "The body is not valid JSON (the parser's message and position), or nests too deeply.",
    401: "No API token, or one that is not valid: send `Authorization: Bearer <token>`.",
    403: "Your role or ownership does not allow this.",
    404: "No such item, or not one you may see.",
    409: "The request clashes with the current state.",
    413: "The body, or what it asks to build, is too large.",
    415: "The body is not JSON: send it with `Content-Type: application/json`.",
    422: "The request is not valid: `errors` names each field and why.",
    429: "Too many requests for this token: wait as `Retry-After` says.",
    503: "The database is unavailable or behind the code; `Retry-After` when it is an outage.",
}

# Conflicts (409) by endpoint: what clashes.
CONFLICTS = {
    "users.create_user": "A user with this email exists.",
    "problems.create_attempt": "No attempts left, the Idempotency-Key was used for another "
                               "problem, or the problem's bank is archived or has a newer "
                               "version of its items.",
    "banks.assign_bank": "The bank is archived: unarchive it (in the browser) to assign it.",
    "lti_admin.create_platform": "This issuer and client id are registered already.",
    "lti_admin.retry_passback": "Only failed passbacks can be retried.",
}
TOO_LARGE = ("users.import_roster", "banks.assign_bank")  # 413 without a JSON body

# Downloads: endpoint -> {media type: description}.
DOWNLOADS = {
    "exports.export_bank": {
        "application/xml": "format=moodle: Moodle XML.",
        "application/zip": "format=qti12: a Canvas QTI 1.2 package; format=pdf with split: "
                           "one PDF per student.",
        "text/plain": "format=gift: GIFT text (UTF-8).",
        "application/json": "format=json: the quizsvc bank file.",
        "application/pdf": "format=pdf: a worksheet, exam or answer key (mode).",
    },
    "exports.paper_key": {"application/pdf": "The paper's answer key with worked solutions."},
    "exports.bank_grades": {"text/csv": "One row per student, for an LMS gradebook."},
    "exports.bank_attempts": {"text/csv": "One row per attempt."},
}

# A working request body per schema (flask-smorest names components after their class).
EXAMPLES: dict[str, dict[str, Any]] = {
    "ProblemCreate": {"family": "conv_output_shape", "level": "easy", "seed": 3},
    "AttemptCreate": {"answer": "6, 22, 22"},  # the key of the ProblemCreate example
    "PreviewIn": {"answer": "6, 22 22"},
    "CopyIn": {"course_id": 1},
    "ClaimIn": {"code": "K7QM-2XPD-9WRT", "name": "laptop"},
    "CourseCreate": {"title": "CNN fundamentals", "term": "Spring 2027", "code": "CS 231N"},
    "CourseUpdate": {"term": "Fall 2027"},
    "JoinIn": {"code": "QX4T-7NPA"},
    "EnrollmentIn": {"email": "grace@example.edu", "name": "Grace Hopper", "role": "student"},
    "CheckIn": {"family": "conv_output_shape",
                "params": {"in_channels": 3, "out_channels": 8, "in_size": [32, 32],
                           "kernel_size": 3, "stride": 1, "padding": 1},
                "answer": "8, 32, 32"},
    "BankCreate": {"title": "Week 3: convolution shapes", "max_attempts": 3,
                   "show_key": "after_last_attempt",
                   "items": [{"family": "conv_output_shape", "level": "easy", "count": 2},
                             {"family": "same_padding", "level": "medium", "seeds": [4, 9]}]},
    "AssignIn": {"emails": ["ada@example.edu"]},
    "UserCreate": {"role": "student", "name": "Ada Lovelace", "email": "ada@example.edu",
                   "token": True},
    "TokenCreate": {"name": "laptop"},
    "PlatformCreate": {"issuer": "https://canvas.instructure.com", "client_id": "10000000000001",
                       "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
                       "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
                       "jwks_url": "https://sso.canvaslms.com/api/lti/security/jwks",
                       "deployment_ids": ["1:abc123"], "name": "Canvas"},
    "PlatformPatch": {"name": "Canvas (production)"},
    "DeploymentIn": {"deployment_id": "2:def456"},
    "LinkUpdate": {"bank_id": 1, "passback_policy": "attempt"},
    "RetryIn": {"ids": [1], "send": False},
    "RegistrationIn": {"note": "Moodle (staging)", "ttl_hours": 24},
}


DESCRIPTIONS = {
    "exports.export_formats": "The registry of export formats (`quizsvc/exporters/registry.py`): "
                              "each format's name (the `format` of an export), description, "
                              "media type and file extension.",
    "exports.paper_key": "The answer key of one printed paper, from the version code on its "
                         "cover, footer and QR code: the PDF with the key filled in and the "
                         "worked solutions. A mistyped, forged or outdated code is refused; "
                         "staff of the bank's course only.",
    "health.healthz": "Liveness: answers 200 while the process runs; checks nothing else, "
                      "needs no token and is never rate-limited.",
    "health.readyz": "Readiness: 200 when the database answers and its schema is at the latest "
                     "migration; otherwise 503 saying in one line what is wrong (no such "
                     "database, no server, `quizsvc db upgrade` needed).",
    "families.list_families": "Every problem family in teaching order, with its version, topic, "
                              "levels and catalogued misconceptions. Any signed-in user.",
    "families.show_family": "One family, with the example problem of seed 0 at its first level. "
                            "Staff also get that example's key; students never see its seed "
                            "or parameters. Names are read without regard to case; an unknown "
                            "name answers 404 with the closest family.",
    "problems.show_problem": "The problem for its student, its bank's owner or an admin. The "
                             "key, worked solution, seed and parameters appear only when the "
                             "problem's policy allows (`key_visible`).",
    "problems.create_attempt": "Grades an answer (text for a one-blank problem, else one entry "
                               "per blank) and records it: score, per-blank feedback and the "
                               "misconception it shows; the key when the policy allows. An "
                               "unreadable answer is a 422 and costs no attempt. The same "
                               "`Idempotency-Key` returns the first attempt again.",
    "problems.list_problem_attempts": "The attempts at one problem, newest first, paginated; "
                                      "for whoever may see the problem.",
    "me.me": "The account the token belongs to.",
    "me.my_attempts": "Your attempts at every problem, newest first, paginated.",
    "me.my_progress": "Per family: attempts, correct answers, accuracy, mastery (posterior mean "
                      "of a Beta(1, 1) prior, older attempts weighing less) and your most "
                      "frequent misconception.",
    "banks.create_bank": "Instructors. A bank's items each give every assigned student `count` "
                         "variants of a family and level (their own seeds), or the fixed "
                         "`seeds` (the same for everyone); `max_attempts` and `show_key` set "
                         "the attempt policy.",
    "banks.list_banks": "Instructors see their banks, admins every bank, students the banks "
                        "assigned to them (without fixed seeds).",
    "banks.show_bank": "Staff get the bank and how many students have it; an assigned student "
                       "gets their own problems, with keys as the policy allows.",
    "banks.assign_bank": "Instructors. Assigns the bank to students by id or email and issues "
                         "each their variants; students who had it already are listed apart.",
    "banks.bank_results": "Instructors. Each assigned student's best score per problem, summed "
                          "and per item.",
    "banks.bank_analytics": "Instructors. Per item: attempts, fraction correct, first-attempt "
                            "accuracy, discrimination (corrected point-biserial and 27% "
                            "upper-lower) and misconception counts.",
    "exports.export_bank": "Instructors. The bank as an LMS file: `format` moodle (XML), qti12 "
                           "(a Canvas zip), gift (text) or json (our bank file); `pool` "
                           "variants per problem; `style=choice` for multiple choice over the "
                           "catalogued mistakes.",
    "exports.bank_grades": "Instructors. A CSV gradebook: one row per student, for an LMS "
                           "import.",
    "exports.bank_attempts": "Instructors. A CSV of every attempt at the bank's problems.",
    "users.create_user": "Instructors create students (admins anyone). `token: true` also "
                         "issues an API token, shown once in `token`. An email already in use "
                         "is a 409.",
    "users.list_users": "Instructors see students, admins everyone; `role` filters.",
    "users.import_roster": "Instructors. A CSV body (`Content-Type: text/csv`) with a header "
                           "line: email (required), name, sis_user_id. Existing emails are "
                           "matched, not duplicated; all rows or none are imported, and an "
                           "empty or unreadable roster is a 422 saying why.",
    "users.show_user": "Yourself, or someone you manage.",
    "users.create_token": "A new API token for yourself or someone you manage; its text is "
                          "shown once, in this answer.",
    "users.list_tokens": "The tokens of yourself or someone you manage, without their text.",
    "users.revoke_token": "Revokes a token at once; requests with it then get 401.",
    "audit.list_events": "Admins see every event, instructors their own: bank changes, "
                         "exports, grade passbacks and LTI actions, newest first, paginated.",
    "lti_admin.tool": "The URLs and the public key set to register quizsvc as an LTI 1.3 "
                             "tool in Canvas or Moodle.",
    "lti_admin.create_platform": "Admins. Registers an LMS (issuer, client id, its endpoints); "
                                 "the same issuer and client id twice is a 409.",
    "lti_admin.list_platforms": "Admins. The registered LMS platforms.",
    "lti_admin.show_platform": "Admins. One platform with its deployments.",
    "lti_admin.delete_platform": "Admins. Removes a platform; its launches stop working.",
    "lti_registrations.update_platform": "Admins. Changes a platform's endpoints or name.",
    "lti_admin.add_deployment": "Admins. Accepts a deployment id of a platform.",
    "lti_admin.remove_deployment": "Admins. Stops accepting a deployment id.",
    "lti_admin.list_links": "Instructors. The LMS resource links of your banks.",
    "lti_admin.update_link": "Instructors. Points an LMS link at one of your banks.",
    "lti_admin.list_passbacks": "Instructors. Grade passbacks to the LMS and their state, "
                                "paginated.",
    "lti_admin.retry_passbacks": "Instructors. Queues failed passbacks again.",
    "lti_admin.retry_passback": "Instructors. Queues one failed passback again; others are 409.",
    "lti_registrations.create_registration": "Admins. Starts a dynamic registration with an LMS.",
    "lti_registrations.list_registrations": "Admins. Dynamic registrations and their state.",
    "banks.copy_bank": "Instructors of both courses. A new bank with the same items and "
                       "policy in the course named; no students, no attempts.",
    "users.create_claim_code": "Staff of the student's course. A one-time code (shown once) the "
                               "student claims their account with (`POST /users/claim`); an "
                               "older unused code stops working.",
    "courses.create_course": "Instructors and admins. You become its instructor; `join_code: "
                             "false` makes none (students are then enrolled by staff or a "
                             "roster).",
    "courses.list_courses": "The courses you are a member of, each with your role; admins see "
                            "every course. Paginated.",
    "courses.join_course": "Students. Joins the course whose join code this is; codes are read "
                           "without regard to case, spaces or dashes.",
    "courses.show_course": "Members. The course, your role in it, and for staff its join code.",
    "courses.update_course": "Its instructors. Change title, term or catalogue code, or archive "
                             "it: an archived course takes no new members or banks.",
    "courses.rotate_join_code": "Staff. A new join code; the old one stops working at once.",
    "courses.disable_join_code": "Staff. Nobody can join by code until a new one is made.",
    "courses.list_enrollments": "Staff. The course's members and their roles, paginated.",
    "courses.enroll": "Staff enrol students (instructors also TAs and instructors) by id or "
                      "email; a new email makes a student account.",
    "courses.unenroll": "Staff remove students; instructors remove staff (not the last "
                        "instructor).",
    "courses.import_roster": "Staff. As `POST /users/roster`, into this course: a CSV body, "
                             "existing accounts enrolled, new ones created.",
    "courses.list_course_banks": "Staff see every bank of the course; a student the banks "
                                 "assigned to them.",
    "courses.create_course_bank": "Its instructors. As `POST /banks` with this course.",
    "courses.course_results_view": "Staff. Each student's score on each bank of the course.",
    "courses.course_analytics": "Staff. Per bank: students assigned and active, attempts, mean "
                                "score and the most frequent mistakes.",
    "lti_registrations.overview": "Admins. Platforms, links and passbacks at a glance.",
}


def enums() -> dict[str, list[str]]:
    """Return the allowed values of the fields that name a family, level, role, format or policy."""
    from quizsvc import families
    from quizsvc.exporters import STYLES, names
    from quizsvc.families.base import LEVELS
    from quizsvc.store.models import ROLES, SHOW_KEY

    return {"family": families.names(), "level": list(LEVELS), "role": list(ROLES),
            "format": list(names()), "style": list(STYLES), "show_key": list(SHOW_KEY)}


def _error(status: int, why: str | None = None) -> dict[str, Any]:
    return {"description": f"{HTTP_STATUS_CODES[status]}: {why or WHY[status]}",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _file_schema(media: str) -> dict[str, Any]:
    """Return the schema of a downloaded file: a JSON document, text, or bytes."""
    if media == "application/json":
        return {"type": "object", "additionalProperties": True}
    if media.startswith("text/") or media == "application/xml":
        return {"type": "string"}
    return {"type": "string", "format": "binary"}


def _endpoints(app: Flask) -> dict[tuple[str, str], str]:
    """Return {(OpenAPI path, method): endpoint} for every rule of the app."""
    import re

    out = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            out[(path, method.lower())] = rule.endpoint
    return out


def _role(view: Any) -> str | None:  # noqa: ANN401 - a view function
    """Return the role `auth_required` asks of `view` (None without authentication)."""
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        role = getattr(view, "_auth_role", None)
        if role is not None:
            return role
        for cell in getattr(view, "__closure__", None) or ():
            value = cell.cell_contents
            if isinstance(value, str) and value in ("student", "instructor", "admin"):
                return value
        view = getattr(view, "__wrapped__", None)
    return None


def statuses(op: dict[str, Any], endpoint: str, view: Any,  # noqa: ANN401 - a view function
             path_params: list[dict[str, Any]] = ()) -> dict[int, str | None]:
    """Return the error statuses an operation can answer with (status -> reason or None)."""
    out: dict[int, str | None] = {}
    secured = op.get("security") != []
    params = [*path_params, *op.get("parameters", [])]
    body = op.get("requestBody", {}).get("content", {})
    if secured:
        out.update({401: None, 429: None, 503: None})
        role = _role(view)
        # Course-scoped: a role above student, an id in the path, a body or a course to act in.
        if role in ("instructor", "admin") or body or any(
                p.get("in") == "path" or p.get("name") == "course_id" for p in params):
            out[403] = None
    elif endpoint == "health.readyz":
        out[503] = None
    if any(p.get("in") == "path" for p in params):
        out[404] = None
    if any(p.get("in") == "query" for p in params):
        out[422] = None
    if "application/json" in body:
        out.update({400: None, 413: None, 415: None, 422: None})
    elif body:
        out.update({413: None, 415: "The body is not of the media type shown.", 422: None})
    if endpoint in CONFLICTS:
        out[409] = CONFLICTS[endpoint]
    if endpoint in TOO_LARGE:
        out[413] = None
    return out


def finish(doc: dict[str, Any], app: Flask) -> dict[str, Any]:
    """Return the document with errors, examples, enums and download types filled in."""
    doc = copy.deepcopy(doc)
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    components.setdefault("responses", {})["DEFAULT_ERROR"] = _error(500, "Unexpected: logged "
                                                                          "on our side.")
    components["responses"]["UNPROCESSABLE_ENTITY"] = _error(422)
    allowed = enums()
    from quizsvc.store.courses import COURSE_ROLES

    for schema_name, schema in schemas.items():
        for name, prop in schema.get("properties", {}).items():
            target = prop.get("items", prop) if prop.get("type") == "array" else prop
            if name.rstrip("s") in allowed and "enum" not in target and "$ref" not in target \
                    and target.get("type", "string") == "string":
                # An enrolment's role is a course role (student, ta, instructor).
                course_role = name == "role" and schema_name.startswith("Enrollment")
                target["enum"] = list(COURSE_ROLES) if course_role else allowed[name.rstrip("s")]
    for ops in doc.get("paths", {}).values():  # query and path parameters too
        for op in ops.values():
            for param in op.get("parameters", []) if isinstance(op, dict) else []:
                schema = param.get("schema", {})
                if param.get("name", "").rstrip("s") in allowed and "enum" not in schema \
                        and "$ref" not in schema and schema.get("type") == "string":
                    schema["enum"] = allowed[param["name"].rstrip("s")]
    endpoints = _endpoints(app)
    for path, ops in doc.get("paths", {}).items():
        for method, op in ops.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            endpoint = endpoints.get((path, method), "")
            view = app.view_functions.get(endpoint)
            if not op.get("description") and endpoint in DESCRIPTIONS:
                op["description"] = DESCRIPTIONS[endpoint]
            responses = op.setdefault("responses", {})
            for status, why in statuses(op, endpoint, view, ops.get("parameters", [])).items():
                responses[str(status)] = _error(status, why)
            for media in op.get("requestBody", {}).get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                name = ref.rsplit("/", 1)[-1]
                if name in EXAMPLES and "example" not in media:
                    media["example"] = EXAMPLES[name]
            if endpoint in DOWNLOADS:
                ok = next(s for s in responses if s.startswith("2"))
                responses[ok] = {"description": "The file, as an attachment.",
                                 "content": {media: {"schema": _file_schema(media), "x-when": why}
                                             for media, why in DOWNLOADS[endpoint].items()}}
    return doc
