"""LTI 1.3 tables: platforms, deployments, resource links, login states, keys, grade outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizsvc.store.base import Base
from quizsvc.store.types import UTCDateTime, utcnow


class LtiPlatform(Base):
    """An LMS registration: who issues launches and where its OAuth2 endpoints are.

    One issuer can hold many registrations (every Canvas cloud instance uses the
    issuer ``https://canvas.instructure.com``), told apart by `client_id`.
    """

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(500))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    # The `aud` of our client assertion when the platform wants something else than its token URL.
    auth_audience: Mapped[str | None] = mapped_column(String(1000), default=None)
    jwks_url: Mapped[str | None] = mapped_column(String(1000), default=None)
    jwks_json: Mapped[str | None] = mapped_column(Text, default=None)  # a fixed key set instead
    # Accept a launch from a deployment id not seen before (Canvas makes one per install) and
    # remember it; off unless an admin turns it on.
    auto_accept_deployments: Mapped[bool] = mapped_column(Boolean, default=False)
    # "manual" (an admin entered it) or "dynamic" (LTI Dynamic Registration).
    registered_by: Mapped[str] = mapped_column(String(16), default="manual")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="LtiDeployment.id")


class LtiDeployment(Base):
    """A deployment id the platform may launch with; any other is refused."""

    __tablename__ = "lti_deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    # "admin", "registration" (Dynamic Registration) or "first_launch" (auto-accepted).
    source: Mapped[str] = mapped_column(String(16), default="admin")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_launch_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")


class LtiRegistrationToken(Base):
    """An admin's one-time approval of one LTI Dynamic Registration (stored as its SHA-256).

    The admin hands the registration URL carrying the token to the LMS administrator; the
    first registration that completes with it uses it up (a conditional UPDATE), so it
    cannot register a second platform, and nobody can register a platform unasked.
    """

    __tablename__ = "lti_registration_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="SET NULL"), default=None)


class LtiResourceLink(Base):
    """A link placed in a course, mapped to one bank, with its gradebook line item."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id", "resource_link_id"),
                      Index("ix_lti_resource_links_bank", "bank_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str | None] = mapped_column(String(255), default=None)
    context_title: Mapped[str | None] = mapped_column(String(500), default=None)
    # The course of its LTI context (quizsvc/lti/provision.py); its bank belongs to that course.
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), default=None, index=True)
    title: Mapped[str | None] = mapped_column(String(500), default=None)
    bank_id: Mapped[int | None] = mapped_column(
        ForeignKey("banks.id", ondelete="SET NULL"), default=None)
    # From the AGS endpoint claim of the latest launch.
    lineitems_url: Mapped[str | None] = mapped_column(String(1000), default=None)
    lineitem_url: Mapped[str | None] = mapped_column(String(1000), default=None)
    scopes: Mapped[str] = mapped_column(Text, default="")  # space-separated
    # "attempt": send the bank score after every graded attempt; "completion": once all items are done.
    passback_policy: Mapped[str] = mapped_column(String(20), default="attempt")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    platform: Mapped[LtiPlatform] = relationship()


class LtiLinkUser(Base):
    """A user who launched a resource link, under the LMS subject to report scores for."""

    __tablename__ = "lti_link_users"
    __table_args__ = (UniqueConstraint("link_id", "user_id"),
                      Index("ix_lti_link_users_user", "user_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("lti_resource_links.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lti_subject: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # the role of the latest launch in this course
    last_launch_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    link: Mapped[LtiResourceLink] = relationship()


class LtiNonce(Base):
    """A login initiation: its state and nonce, each usable for one launch before it expires."""

    __tablename__ = "lti_nonces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(100), unique=True)
    nonce: Mapped[str] = mapped_column(String(100), unique=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    target_link_uri: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class LtiToolKey(Base):
    """Our RSA signing key, generated on first use; every key stays in the JWKS."""

    __tablename__ = "lti_tool_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


OUTBOX_STATUSES = ("pending", "sent", "failed", "superseded")


class LtiGradeOutbox(Base):
    """A score to post to a line item, written in the attempt's transaction.

    `pending` rows are sent by the worker; `sent` and `failed` are final until an
    instructor retries; `superseded` rows were replaced by a newer score for the
    same student and link before they went out (each score carries the whole bank).
    """

    __tablename__ = "lti_grade_outbox"
    __table_args__ = (Index("ix_lti_grade_outbox_due", "status", "next_try_at"),
                      Index("ix_lti_grade_outbox_target", "link_id", "user_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("lti_resource_links.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), default=None)
    lti_subject: Mapped[str] = mapped_column(String(255))
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    activity_progress: Mapped[str] = mapped_column(String(20))
    grading_progress: Mapped[str] = mapped_column(String(20))
    scored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)  # AGS timestamp
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_try_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    link: Mapped[LtiResourceLink] = relationship()
