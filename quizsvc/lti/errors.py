"""LTI errors: each carries the HTTP status the tool answers with."""

from __future__ import annotations

from quizsvc.errors import QuizError


class LtiError(QuizError):
    """A launch, login or deep-linking message we refuse."""

    status = 400


class LaunchRefused(LtiError):
    """An id_token that fails verification: bad signature, claims, nonce, state or deployment."""

    status = 401


class PlatformError(LtiError):
    """The platform answered an AGS or token request with an error or not at all."""

    status = 502

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None,
                 http_status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.http_status = http_status
