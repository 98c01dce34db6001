"""What a verified launch creates or updates: the user, the resource link, their relation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quizsvc.lti import claims
from quizsvc.lti.deep_linking import parse_bank_ref
from quizsvc.lti.errors import LtiError
from quizsvc.lti.launch import Launch
from quizsvc.lti.roles import merge_role
from quizsvc.store.lti import LtiLinkUser, LtiResourceLink
from quizsvc.store.models import Bank, User
from quizsvc.store.types import utcnow

T = TypeVar("T")


def _get_or_create(session: Session, find: Callable[[], T | None], make: Callable[[], T]) -> T:
    """Return `find()`, or insert `make()`; if a concurrent launch inserted first, find again."""
    found = find()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            obj = make()
            session.add(obj)
        return obj
    except IntegrityError:
        found = find()
        if found is None:
            raise
        return found


def user_for_launch(session: Session, launch: Launch) -> User:
    """Return the quizsvc user of this LMS identity, creating it on first launch.

    The LMS's email is kept only if no other account has it: an email asserted
    by an LMS is not proof of owning an existing quizsvc account.
    """
    issuer = launch.platform.issuer

    def find() -> User | None:
        return session.scalars(select(User).where(User.lti_issuer == issuer,
                                                  User.lti_subject == launch.subject)).first()

    def make() -> User:
        email = (launch.email or "").strip().lower() or None
        if email and session.scalar(select(User.id).where(User.email == email)) is not None:
            email = None
        return User(role=launch.role, name=launch.name[:200], email=email,
                    lti_issuer=issuer, lti_subject=launch.subject)

    user = _get_or_create(session, find, make)
    if not user.active:
        raise LtiError("this quizsvc account is deactivated", status=403)
    user.role = merge_role(user.role, launch.role)
    if launch.name and not user.name:
        user.name = launch.name[:200]
    return user


def link_for_launch(session: Session, launch: Launch, secret: str) -> LtiResourceLink:
    """Return the resource link of a launch, updated from its claims (title, AGS endpoints, bank)."""
    rl_id = str(launch.resource_link["id"])
    key = (launch.platform.id, launch.deployment_id, rl_id)

    def find() -> LtiResourceLink | None:
        return session.scalars(select(LtiResourceLink).where(
            LtiResourceLink.platform_id == key[0], LtiResourceLink.deployment_id == key[1],
            LtiResourceLink.resource_link_id == key[2])).first()

    def make() -> LtiResourceLink:
        return LtiResourceLink(platform_id=key[0], deployment_id=key[1], resource_link_id=key[2])

    link = _get_or_create(session, find, make)
    link.title = launch.resource_link.get("title") or link.title
    link.context_id = launch.context.get("id") or link.context_id
    link.context_title = launch.context.get("title") or link.context_title
    ags = launch.ags
    if ags:
        # The platform's latest word on where scores go wins.
        link.lineitems_url = ags.get("lineitems") or link.lineitems_url
        link.lineitem_url = ags.get("lineitem") or link.lineitem_url
        link.scopes = " ".join(s for s in ags.get("scope", []) if isinstance(s, str))
    bank_id = parse_bank_ref(secret, launch.platform.id, launch.custom.get(claims.CUSTOM_BANK))
    if bank_id is not None and session.get(Bank, bank_id) is not None:
        link.bank_id = bank_id
    session.flush()
    return link


def record_link_user(session: Session, link: LtiResourceLink, user: User,
                     launch: Launch) -> LtiLinkUser:
    """Remember that `user` reached `link`, so that their scores go to its line item."""
    def find() -> LtiLinkUser | None:
        return session.scalars(select(LtiLinkUser).where(
            LtiLinkUser.link_id == link.id, LtiLinkUser.user_id == user.id)).first()

    def make() -> LtiLinkUser:
        return LtiLinkUser(link_id=link.id, user_id=user.id, lti_subject=launch.subject,
                           role=launch.role)

    row = _get_or_create(session, find, make)
    row.lti_subject, row.role, row.last_launch_at = launch.subject, launch.role, utcnow()
    return row
