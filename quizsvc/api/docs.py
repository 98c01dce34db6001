"""Swagger UI's files, served from the swagger-ui-bundle package (no CDN needed).

flask-smorest serves the page at /api/v1/docs and loads its scripts from
OPENAPI_SWAGGER_UI_URL, which points here.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, send_from_directory
from flask.typing import ResponseReturnValue

blp = Blueprint("docs_assets", __name__)
# Where people guess the documentation is: each sends them to the Swagger UI page (or the
# document), instead of a 404.
_TO_DOCS = ("/docs", "/api", "/api/", "/api/docs", "/api/v1", "/api/v1/", "/swagger")
_TO_SPEC = ("/openapi.json", "/api/openapi.json", "/swagger.json")


def _send_to(target: str):  # noqa: ANN202 - a view function
    return lambda: redirect(target, code=302)


for _n, _path in enumerate(_TO_DOCS):
    blp.add_url_rule(_path, f"to_docs_{_n}", _send_to("/api/v1/docs"), strict_slashes=False)
for _n, _path in enumerate(_TO_SPEC):
    blp.add_url_rule(_path, f"to_spec_{_n}", _send_to("/api/v1/openapi.json"))


@blp.route("/api/v1/docs/assets/<path:filename>")
def asset(filename: str) -> ResponseReturnValue:
    """Send one Swagger UI file."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        abort(404, description="the swagger-ui-bundle package is not installed")
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
