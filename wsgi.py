"""The WSGI entry point: `gunicorn wsgi:app` (the only module-level app)."""

from quizsvc.app import serving_app

app = serving_app()
