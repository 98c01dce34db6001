"""Domain errors: each carries the HTTP status the API answers with.

This module imports nothing from Flask so that the problem engine can raise
these errors and the service can translate them into its one JSON error shape.
"""

from __future__ import annotations

from typing import Any


class QuizError(Exception):
    """Base of every error a user can cause; `status` is its HTTP status."""

    status: int = 400

    def __init__(self, message: str, *, errors: dict[str, Any] | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        if status is not None:
            self.status = status


class ParamError(QuizError):
    """Problem parameters that are impossible, unknown or out of bounds."""

    status = 422


class TooLargeError(ParamError):
    """Parameters that would build an oversized problem."""

    status = 413


class AnswerError(QuizError):
    """An answer that cannot be read at all (not merely a wrong one)."""

    status = 422


class NotFoundError(QuizError):
    """A named thing (family, problem, bank ...) that does not exist."""

    status = 404
