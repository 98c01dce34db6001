"""The browser site: page blueprints, sessions, CSRF, HTML error pages, page headers."""

from __future__ import annotations

from flask import Flask, Response, request

from quizsvc.web import auth, errorpages

# Pages load only our own files; the math is inline MathML and the chart an <img>.
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
            "object-src 'none'")


def install(app: Flask) -> None:
    """Register the pages; call after the API's error handlers and the middleware."""
    from quizsvc.web import (  # noqa: F401 - progress and the staff pages add routes to pages
        accounts,
        admin_pages,
        bank_analytics,
        bank_changes,
        bank_pages,
        course_pages,
        pages,
        passback_pages,
        progress,
    )

    auth.install(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(admin_pages.bp)
    errorpages.install(app)

    @app.context_processor
    def _viewer() -> dict[str, object]:
        from quizsvc.services.accounts import is_guest

        user = auth.viewer()
        return {"viewer": user, "viewer_is_guest": bool(user and is_guest(user))}

    @app.after_request
    def _page_headers(response: Response) -> Response:
        if response.mimetype == "text/html" and not request.path.startswith(errorpages.NOT_PAGES):
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
            response.headers.setdefault("X-Frame-Options", "DENY")
            # Pages show keys once allowed and the signed-in user: never cache them.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
