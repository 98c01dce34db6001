"""The application factory."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, request

from quizsvc.config import Config
from quizsvc.extensions import Api, db
from quizsvc.services.errors import ServiceUnavailable

API_PREFIX = "/api/v1"
# Paths that answer even when the schema is behind: the probes (readiness says why) and the docs.
_NO_SCHEMA_CHECK = ("/healthz", "/readyz", f"{API_PREFIX}/openapi.json", f"{API_PREFIX}/docs")


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

    from quizsvc.web import audit, bounds, json_body, limits, outage, security
    from quizsvc.api import register_blueprints
    from quizsvc.api.errors import register_error_handlers

    bounds.register_converters(app)  # id and path segment bounds, before any route exists
    register_blueprints(api, app)
    register_error_handlers(app)
    for install in (bounds.install, outage.install, security.install, audit.install,
                    limits.install, json_body.install):
        install(app)  # hardening: docs/reliability.md
    _install_schema_check(app)
    from quizsvc.web import site

    site.install(app)  # the browser pages: after the JSON error handlers, which it wraps
    return app


GC_GEN0_THRESHOLD = 7_000


def serving_app() -> Flask:
    """The app as gunicorn serves it (`make serve`, wsgi.py): `create_app()`, then
    `gc.freeze()`.

    Freezing moves every object made while starting (modules, the families, the
    ORM's mappings, about 170,000 of them) out of the collector's reach. Without it
    each full collection walked them all and stopped the worker for 65-120 ms, a few
    times a minute under load: the tail of the attempt benchmark's latency. Nothing
    made at startup is garbage, and what requests make is collected as before.

    The youngest generation's threshold goes from 700 to `GC_GEN0_THRESHOLD`
    allocations: a full collection comes after a hundred young ones, and the
    requests' own long-lived objects (the rate limiter's moving-window entries, one
    per hit for a minute, the render caches) made one every few seconds, each 20-33 ms.
    """
    import gc

    app = create_app()
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, older, oldest)
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
