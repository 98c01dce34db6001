"""The REST API: one blueprint module per resource, registered by the factory.

To add a resource, write `quizsvc/api/<name>.py` with a flask-smorest
`blp = Blueprint(...)` (its url_prefix under /api/v1) and add one line below.
"""

from __future__ import annotations

import importlib

from flask import Flask
from flask_smorest import Api

BLUEPRINT_MODULES: list[str] = [
    "quizsvc.api.health",
    "quizsvc.api.docs",
    "quizsvc.api.families",
    "quizsvc.api.problems",
    "quizsvc.api.me",
    "quizsvc.api.check",
    "quizsvc.api.banks",
    "quizsvc.api.exports",
    "quizsvc.api.users",
    "quizsvc.api.audit",  # audit log of instructor actions (quizsvc/audit.py)
    "quizsvc.api.courses",  # courses, join codes, enrolments (services/courses.py, access.py)
    "quizsvc.lti.api",  # LTI admin/instructor API (/api/v1/lti)
    "quizsvc.lti.views",  # LTI tool endpoints (/lti)
    "quizsvc.lti.registration",  # LTI Dynamic Registration pages (/lti/register)
    "quizsvc.lti.admin_api",  # LTI administration API (/api/v1/lti/registrations, overview)
    "quizsvc.web.components",  # the problem component's template, filters and /static files
]


def register_blueprints(api: Api, app: Flask) -> None:
    """Register every blueprint of `BLUEPRINT_MODULES` (plain Flask ones on the app)."""
    from flask_smorest import Blueprint as SmorestBlueprint

    for name in BLUEPRINT_MODULES:
        blp = importlib.import_module(name).blp
        if isinstance(blp, SmorestBlueprint):
            api.register_blueprint(blp)
        else:
            app.register_blueprint(blp)
