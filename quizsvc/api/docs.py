"""Swagger UI's files, served from the swagger-ui-bundle package (no CDN needed).

flask-smorest serves the page at /api/v1/docs and loads its scripts from
OPENAPI_SWAGGER_UI_URL, which points here.
"""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory
from flask.typing import ResponseReturnValue

blp = Blueprint("docs_assets", __name__, url_prefix="/api/v1/docs/assets")


@blp.route("/<path:filename>")
def asset(filename: str) -> ResponseReturnValue:
    """Send one Swagger UI file."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        abort(404, description="the swagger-ui-bundle package is not installed")
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
