"""Bearer-token authentication and the role check every route makes."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask import g, request

from quizsvc.extensions import db
from quizsvc.services.errors import AuthenticationError, PermissionDenied
from quizsvc.services.users import user_for_token
from quizsvc.store.models import User

F = TypeVar("F", bound=Callable[..., Any])

# Each role may do what the roles before it may do.
_RANK = {"student": 0, "instructor": 1, "admin": 2}


def bearer_token() -> str | None:
    """Return the token of an `Authorization: Bearer <token>` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        return None
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must be `Bearer <token>`")
    return token.strip()


def current_user() -> User:
    """Return the authenticated user of this request (after `auth_required`)."""
    return g.user


def auth_required(role: str = "student", *, problem_arg: str | None = None) -> Callable[[F], F]:
    """Require a valid token of a user whose role is at least `role`.

    `problem_arg`: the URL argument naming a problem the view reads; the token's
    statement reads it too (one round trip fewer), the view still checks access.
    """
    if role not in _RANK:
        raise ValueError(f"unknown role {role!r}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = user_for_token(db.session, bearer_token(),
                                  kwargs.get(problem_arg) if problem_arg else None)
            if _RANK[user.role] < _RANK[role]:
                raise PermissionDenied(f"this needs the {role} role; you are a {user.role}")
            g.user = user
            return view(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorator
