"""What a verified launch creates or updates: the user, the course, the link, their relations.

An LTI context (platform + context id) is one quizsvc course, created on its
first launch; the launching user is enrolled in it with the role their LTI
roles give in that context (the LMS is the authority on its own course). A
link's bank belongs to the link's course: a signed bank reference to a bank of
another course (an LMS course copy) is copied into this course when one of
that bank's instructors launches it, and ignored otherwise.
"""

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
from quizsvc.lti.roles import course_role, merge_role
from quizsvc.services import access
from quizsvc.store.courses import Course, Enrollment
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
        # The LMS vouches for this identity: the account is its owner's from the start.
        return User(role=launch.role, name=launch.name[:200], email=email,
                    lti_issuer=issuer, lti_subject=launch.subject, claimed_at=utcnow())

    user = _get_or_create(session, find, make)
    if not user.active:
        raise LtiError("this quizsvc account is deactivated", status=403)
    user.role = merge_role(user.role, launch.role)
    if launch.name and not user.name:
        user.name = launch.name[:200]
    return user


def course_for_launch(session: Session, launch: Launch) -> Course | None:
    """Return the course of the launch's context, creating it on first launch (None: no context)."""
    context_id = str(launch.context.get("id") or "")[:255]
    if not context_id:
        return None
    platform_id = launch.platform.id

    def find() -> Course | None:
        return session.scalars(select(Course).where(Course.lti_platform_id == platform_id,
                                                    Course.lti_context_id == context_id)).first()

    def make() -> Course:
        title = str(launch.context.get("title") or launch.context.get("label")
                    or f"LMS course {context_id}")
        label = launch.context.get("label")
        return Course(title=title[:200], term="", code=str(label)[:50] if label else None,
                      lti_platform_id=platform_id, lti_context_id=context_id)

    return _get_or_create(session, find, make)


def enroll_for_launch(session: Session, course: Course, user: User, launch: Launch) -> Enrollment:
    """Enrol `user` in `course` with the role the launch gives, or update it to that role."""
    from quizsvc.services.courses import enroll

    role = course_role(launch.roles)
    existing = session.scalars(select(Enrollment).where(Enrollment.course_id == course.id,
                                                        Enrollment.user_id == user.id)).first()
    if existing is not None:
        existing.role = role  # the LMS's word on its own course, up or down
        return existing
    return enroll(session, user, course, user, role, trusted=True).enrollment


def link_for_launch(session: Session, launch: Launch, secret: str, user: User | None = None,
                    course: Course | None = None) -> LtiResourceLink:
    """Return the resource link of a launch, updated from its claims (title, AGS endpoints, bank).

    `course`: the launch's course (its bank must be of it); `user`: who launches.
    """
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
    if course is not None:
        link.course_id = course.id
    ags = launch.ags
    if ags:
        # The platform's latest word on where scores go wins.
        link.lineitems_url = ags.get("lineitems") or link.lineitems_url
        link.lineitem_url = ags.get("lineitem") or link.lineitem_url
        link.scopes = " ".join(s for s in ags.get("scope", []) if isinstance(s, str))
    bank_id = parse_bank_ref(secret, launch.platform.id, launch.custom.get(claims.CUSTOM_BANK))
    bank = session.get(Bank, bank_id) if bank_id is not None else None
    if bank is not None:
        _map_bank(session, link, bank, course, user)
    session.flush()
    return link


def _map_bank(session: Session, link: LtiResourceLink, bank: Bank, course: Course | None,
              user: User | None) -> None:
    """Point `link` at `bank` if it is of the link's course, or at a copy of it made for it."""
    if course is None or bank.course_id == course.id:
        link.bank_id = bank.id
        if course is None:
            link.course_id = bank.course_id
        return
    current = session.get(Bank, link.bank_id) if link.bank_id is not None else None
    if current is not None and current.course_id == course.id:
        return  # mapped in this course already (perhaps to the copy made below)
    if user is not None and access.teaches(session, user, bank.course_id) \
            and access.teaches(session, user, course):
        from quizsvc.services.banks import copy_bank

        link.bank_id = copy_bank(session, user, bank, course.id).id


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
