"""quizsvc: parametric CNN practice problems, graded by a NumPy solver.

The problem engine (`quizsvc.families`) imports no web or database code; the
Flask application is built on demand by `create_app`.
"""

from __future__ import annotations

from typing import Any


def create_app(config: dict[str, Any] | None = None):  # noqa: ANN201 - Flask is imported lazily
    """Build the Flask application (see `quizsvc.app`)."""
    from quizsvc.app import create_app as _create_app

    return _create_app(config)
