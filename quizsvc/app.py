"""The application factory."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, request

from quizsvc.config import Config
from quizsvc.extensions import Api, db
from quizsvc.services.errors import ServiceUnavailable

API_PREFIX = "/api/v1"
# Paths that answer even when the schema is behind: liveness and the docs.
_NO_SCHEMA_CHECK = ("/healthz", f"{API_PREFIX}/openapi.json", f"{API_PREFIX}/docs")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the app: settings from `QUIZSVC_*` variables, then `config` overrides."""
    app = Flask("quizsvc", instance_relative_config=True, static_folder=None)
    app.config.from_mapping(Config.load(app.instance_path, config))
    app.config.update(
        API_TITLE="quizsvc",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        # Swagger UI's files come from the swagger-ui-bundle package, served by us: no CDN.
        OPENAPI_SWAGGER_UI_URL=f"{API_PREFIX}/docs/assets/",
    )
    app.json.sort_keys = False  # keep each schema's field order (id first, key material last)

    from quizsvc.store import load_models

    load_models()
    db.init_app(app)
    api = Api(app, spec_kwargs=_spec_kwargs())

    from quizsvc import audit
    from quizsvc.web import bounds, limits, outage, security
    from quizsvc.api import register_blueprints
    from quizsvc.api.errors import register_error_handlers

    bounds.register_converters(app)  # id and path segment bounds, before any route exists
    register_blueprints(api, app)
    register_error_handlers(app)
    for install in (bounds.install, outage.install, security.install, audit.install,
                    limits.install):
        install(app)  # hardening: docs/reliability.md
    _install_schema_check(app)
    from quizsvc.web import site

    site.install(app)  # the browser pages: after the JSON error handlers, which it wraps
    return app


def _spec_kwargs() -> dict[str, Any]:
    return {
        "info": {"description": "Parametric practice problems on CNN fundamentals, graded by a "
                                "NumPy solver. Authenticate with `Authorization: Bearer <token>`."},
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    }


def _install_schema_check(app: Flask) -> None:
    """Refuse requests (503) while the database schema is behind the migrations.

    Checked on the first requests until it passes once; then never again in
    this process, so it costs nothing in steady state.
    """
    if not app.config["SCHEMA_CHECK"]:
        return
    state = {"ok": False}
    lock = threading.Lock()

    @app.before_request
    def _check_schema() -> None:
        if state["ok"] or request.path.startswith(_NO_SCHEMA_CHECK):
            return
        from quizsvc.store.migrate import schema_status

        with lock:
            if state["ok"]:
                return
            status = schema_status(db.engine)
            if not status.ok:
                app.logger.error("refusing to serve: %s", status.message)
                raise ServiceUnavailable(status.message,
                                         errors={"schema": {"current": sorted(status.current),
                                                            "head": sorted(status.heads)}})
            state["ok"] = True
