"""The database layer: models, engine and migrations.

`load_models()` imports every module of this package, so that tables other
engineers define beside `models.py` (for example `lti.py`) are part of
`Base.metadata` for the app, the tests and Alembic alike.
"""

from __future__ import annotations

import importlib
import pkgutil

from quizsvc.store.base import Base

# Modules here that define no tables, or must not be imported for their tables.
_NOT_MODELS = {"base", "types", "engine", "migrate"}


def load_models() -> None:
    """Import every model module of `quizsvc.store` (idempotent)."""
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _NOT_MODELS and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


__all__ = ["Base", "load_models"]
