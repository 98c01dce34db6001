"""Service errors: `QuizError` subclasses for what the engine has no word for."""

from __future__ import annotations

from quizsvc.errors import AnswerError, NotFoundError, ParamError, QuizError


class AuthenticationError(QuizError):
    """No credentials, or credentials we do not accept."""

    status = 401


class PermissionDenied(QuizError):
    """An authenticated user asking for something their role or ownership forbids."""

    status = 403


class ConflictError(QuizError):
    """A request that clashes with the current state (duplicate, no attempts left ...)."""

    status = 409


class ServiceUnavailable(QuizError):
    """The service cannot answer now (database down, schema behind)."""

    status = 503


__all__ = ["QuizError", "AnswerError", "NotFoundError", "ParamError", "AuthenticationError",
           "PermissionDenied", "ConflictError", "ServiceUnavailable"]
