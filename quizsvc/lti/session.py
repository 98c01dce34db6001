"""What a launched browser gets: a short-lived API token and the data its page starts from.

The service authenticates API calls with bearer tokens, not cookies, which suits
an LMS iframe (third-party cookies are often blocked there): a student's landing
page holds the token in its forms and calls the JSON API with it for previews.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from quizsvc.lti import runtime
from quizsvc.services.users import issue_token
from quizsvc.store.lti import LtiResourceLink
from quizsvc.store.models import Bank, User
from quizsvc.store.types import utcnow


def issue_launch_token(session: Session, user: User) -> str:
    """Return a new API token for `user` that expires after LTI_LAUNCH_TOKEN_TTL seconds."""
    token, text = issue_token(session, user, "lti launch")
    ttl = runtime.runtime().settings["LAUNCH_TOKEN_TTL"]
    token.expires_at = utcnow() + dt.timedelta(seconds=ttl)
    return text


def landing_bootstrap(*, user: User, role: str, link: LtiResourceLink, bank: Bank | None,
                      token: str | None, api_base: str) -> dict[str, Any]:
    """Return the JSON the landing page embeds for its script (and for tests to read).

    Only a student's page has a token (its answer forms and preview use it); staff
    pages have none (their forms carry the frame session, quizsvc/lti/frame.py).
    """
    return {"api": api_base, "token": token or None, "user": {"id": user.id, "name": user.name,
                                                      "role": user.role, "launch_role": role},
            "link": {"id": link.id, "title": link.title, "context": link.context_title},
            "bank": None if bank is None else {"id": bank.id, "title": bank.title}}
