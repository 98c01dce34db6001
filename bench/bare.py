"""The baseline: a bare Flask app, served with the same gunicorn settings as quizsvc.

``gunicorn bench.bare:app``. Its one endpoint reads a small JSON body and
answers with a small JSON body, as our grading endpoint does, with no
database, no auth and no grading: what Flask and gunicorn cost on their own.
"""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/bare")
def bare():
    """Echo the size of the posted JSON body."""
    body = request.get_json(silent=True) or {}
    return jsonify(ok=True, fields=len(body))


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
