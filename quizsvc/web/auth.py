"""Browser sessions: Flask-Login over our users, guests, CSRF and sign-in throttling.

The session is Flask's signed cookie (HttpOnly, SameSite=Lax). It names the
user by id and a fingerprint of their password hash, so changing a password
ends every other session. A visitor without an account becomes a guest the
first time they ask for a problem (rate-limited per address). CSRF (Flask-WTF)
is checked on every form of the page blueprints only: the JSON API
authenticates with bearer tokens, never cookies, so it needs none.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import Flask, current_app, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user
from flask_wtf.csrf import CSRFProtect
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from quizsvc.extensions import db
from quizsvc.services import accounts
from quizsvc.services.errors import QuizError
from quizsvc.store.models import User

login_manager = LoginManager()
csrf = CSRFProtect()


class TooManyTries(QuizError):
    """A page action refused by a rate limit (sign-in, new guests)."""

    status = 429


class WebUser(UserMixin):
    """What Flask-Login holds: one of our users."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{_fingerprint(self.user)}"

    @property
    def is_active(self) -> bool:
        return bool(self.user.active)


def _fingerprint(user: User) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    material = (user.password_hash or f"guest:{user.created_at}").encode()
    return hmac.new(secret, material, hashlib.sha256).hexdigest()[:16]


@login_manager.user_loader
def _load(user_id: str) -> WebUser | None:
    ident, _, fingerprint = user_id.partition(":")
    if not ident.isdigit() or len(ident) > 18:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or not accounts.guest_alive(user):
        return None
    if not hmac.compare_digest(fingerprint, _fingerprint(user)):
        return None  # the password changed since this session began
    return WebUser(user)


def viewer() -> User | None:
    """Return the signed-in user or guest of this request, if any."""
    return current_user.user if current_user.is_authenticated else None


def guest_ttl() -> timedelta:
    return timedelta(days=current_app.config["GUEST_TTL_DAYS"])


def student() -> User:
    """Return this request's user, making the visitor a guest if they have no session."""
    user = viewer()
    if user is not None:
        accounts.touch_guest(user, guest_ttl())
        return user
    throttle("guest", current_app.config["GUEST_RATE"], "new guest sessions from your address")
    user = accounts.create_guest(db.session, guest_ttl(), current_app.config["GUEST_MAX"])
    db.session.commit()
    start_session(user, permanent=True)
    return user


def start_session(user: User, *, permanent: bool = False) -> None:
    """Sign `user` in on a fresh session (no fixation: the old session's contents go)."""
    flashes = session.get("_flashes")
    session.clear()
    if flashes:
        session["_flashes"] = flashes
    session.permanent = permanent
    login_user(WebUser(user), remember=False, fresh=True)


def throttle(name: str, rate: str, what: str, key: str | None = None) -> None:
    """Count one hit of `name` for the client address (or `key`); 429 past `rate`."""
    state = current_app.extensions.get("quizsvc.page_limits")
    if state is None:
        return
    limiter, enabled = state
    if not enabled:
        return
    who = key or (request.remote_addr or "unknown")
    who = hashlib.sha256(who.encode()).hexdigest()[:24]  # no emails or addresses in Redis
    for limit in parse_many(rate):
        if not limiter.hit(limit, "pages", name, who):
            raise TooManyTries(f"Too many {what}: the limit is {limit}. Wait a little and "
                               "try again.", errors={"limit": str(limit)})


def install(app: Flask) -> None:
    """Bind Flask-Login, CSRF (checked only where a page blueprint asks) and page limits."""
    from quizsvc.web.limits import storage_uri

    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # the page blueprints call protect()
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=app.config["GUEST_TTL_DAYS"])
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    enabled = bool(app.config.get("RATELIMIT_ENABLED", True))
    storage = storage_from_string(storage_uri(app.config))
    app.extensions["quizsvc.page_limits"] = (MovingWindowRateLimiter(storage), enabled)
