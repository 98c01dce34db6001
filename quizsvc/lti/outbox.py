"""The grade outbox: scores written with the attempt, sent by a worker, retried with backoff.

A row is written in the same transaction as the attempt, so a score exists iff
the attempt does. The worker claims a due row with a conditional UPDATE (a lease),
commits, posts the score with no transaction open, and records the outcome.
Each score carries the student's whole bank score, so when a newer row exists
for the same link and student an older unsent one is `superseded`, never sent
after it: the gradebook only ever moves forward.

Delivery is exactly once while workers run normally. A worker killed between the
platform's 200 and its own commit leaves the lease to expire, and the row is
sent again with the same `timestamp` and value, which AGS treats as the same score.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

import requests
from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session, aliased

from quizsvc.lti import keys
from quizsvc.lti.ags import AgsClient, PlatformRef, Score, TokenCache
from quizsvc.lti.errors import PlatformError
from quizsvc.store.lti import LtiGradeOutbox, LtiResourceLink
from quizsvc.store.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a score the platform did not take."""

    max_attempts: int = 10
    base: float = 30.0  # seconds before the first retry
    cap: float = 6 * 3600.0
    lease: float = 120.0  # seconds a worker owns a row while sending it

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after `attempts` failures: doubling, capped, with +-20% jitter."""
        backoff = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        backoff *= random.uniform(0.8, 1.2)
        return max(backoff, retry_after or 0.0)


@dataclass
class RunReport:
    """What one pass of the worker did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    superseded: int = 0


def enqueue(session: Session, *, link: LtiResourceLink, user_id: int, subject: str,
            score_given: float, score_maximum: float, activity_progress: str,
            grading_progress: str, attempt_id: int | None = None,
            now: dt.datetime | None = None) -> LtiGradeOutbox:
    """Add a pending score for (link, user) and supersede the older ones not yet sent."""
    now = now or utcnow()
    session.execute(
        update(LtiGradeOutbox)
        .where(LtiGradeOutbox.link_id == link.id, LtiGradeOutbox.user_id == user_id,
               LtiGradeOutbox.status.in_(("pending", "failed")),
               # A row a worker is sending right now finishes as sent; leave it alone.
               (LtiGradeOutbox.locked_until.is_(None)) | (LtiGradeOutbox.locked_until < now))
        .values(status="superseded", locked_until=None)
        .execution_options(synchronize_session=False))
    row = LtiGradeOutbox(link_id=link.id, user_id=user_id, attempt_id=attempt_id,
                         lti_subject=subject, score_given=score_given, score_maximum=score_maximum,
                         activity_progress=activity_progress, grading_progress=grading_progress,
                         scored_at=now, status="pending", attempts=0, next_try_at=now,
                         created_at=now)
    session.add(row)
    session.flush()
    return row


def _claim(session: Session, row_id: int, now: dt.datetime, lease: float) -> bool:
    """Take the lease on a due row; False if another worker has it or an older row is in flight."""
    other = aliased(LtiGradeOutbox)
    in_flight = exists().where(and_(
        other.link_id == LtiGradeOutbox.link_id, other.user_id == LtiGradeOutbox.user_id,
        other.id != LtiGradeOutbox.id, other.status == "pending", other.locked_until >= now))
    result = session.execute(
        update(LtiGradeOutbox)
        .where(LtiGradeOutbox.id == row_id, LtiGradeOutbox.status == "pending",
               LtiGradeOutbox.next_try_at <= now,
               (LtiGradeOutbox.locked_until.is_(None)) | (LtiGradeOutbox.locked_until < now),
               ~in_flight)
        .values(locked_until=now + dt.timedelta(seconds=lease), last_try_at=now,
                attempts=LtiGradeOutbox.attempts + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


@dataclass(frozen=True)
class _Job:
    """A claimed row and what sending it needs, read before the session closes."""

    row_id: int
    attempts: int
    score: Score
    link_id: int
    lineitem_url: str | None
    lineitems_url: str | None
    resource_link_id: str
    label: str
    resource_id: str
    platform: PlatformRef


def _load_job(session: Session, row: LtiGradeOutbox) -> _Job:
    link = row.link
    p = link.platform
    return _Job(
        row_id=row.id, attempts=row.attempts, link_id=link.id, lineitem_url=link.lineitem_url,
        lineitems_url=link.lineitems_url, resource_link_id=link.resource_link_id,
        label=link.title or "quizsvc", resource_id=f"quizsvc-bank-{link.bank_id}",
        platform=PlatformRef(p.id, p.client_id, p.auth_token_url, p.auth_audience),
        score=Score(user_id=row.lti_subject, score_given=row.score_given,
                    score_maximum=row.score_maximum, activity_progress=row.activity_progress,
                    grading_progress=row.grading_progress,
                    timestamp=row.scored_at.isoformat(timespec="milliseconds")))


def _send(job: _Job, client: AgsClient) -> str:
    """Post the job's score; return the line item URL used."""
    lineitem = job.lineitem_url
    if not lineitem:
        if not job.lineitems_url:
            raise PlatformError("the link has no line item and the platform offered no line "
                                "items endpoint (is AGS enabled for this tool?)", retryable=False)
        lineitem = client.find_or_create_lineitem(
            job.lineitems_url, job.resource_link_id, label=job.label,
            score_maximum=job.score.score_maximum, resource_id=job.resource_id)
    client.post_score(lineitem, job.score)
    return lineitem


def deliver(session_factory: Callable[[], Session], *, http: requests.Session,
            tokens: TokenCache, policy: RetryPolicy = RetryPolicy(), timeout: float = 10.0,
            now: dt.datetime | None = None, limit: int = 100,
            ids: list[int] | None = None) -> RunReport:
    """Send every due pending score (or only `ids`) once; return what happened."""
    now = now or utcnow()
    report = RunReport()
    with session_factory() as session:
        query = select(LtiGradeOutbox.id).where(
            LtiGradeOutbox.status == "pending", LtiGradeOutbox.next_try_at <= now)
        if ids is not None:
            query = query.where(LtiGradeOutbox.id.in_(ids))
        due = list(session.scalars(query.order_by(LtiGradeOutbox.id).limit(limit)))
        sign = keys.signer(session) if due else None
        session.commit()
    for row_id in due:
        with session_factory() as session:
            if not _claim(session, row_id, now, policy.lease):
                session.rollback()
                continue
            row = session.get(LtiGradeOutbox, row_id)
            assert row is not None
            newer = session.scalars(select(LtiGradeOutbox.id).where(
                LtiGradeOutbox.link_id == row.link_id, LtiGradeOutbox.user_id == row.user_id,
                LtiGradeOutbox.id > row.id, LtiGradeOutbox.status == "pending").limit(1)).first()
            if newer is not None:
                row.status, row.locked_until = "superseded", None
                session.commit()
                report.superseded += 1
                continue
            job = _load_job(session, row)
            session.commit()  # the lease is visible to other workers; no transaction stays open
        assert sign is not None
        error: PlatformError | None = None
        lineitem = None
        try:
            lineitem = _send(job, AgsClient(sign, job.platform, tokens, http, timeout))
        except PlatformError as exc:
            error = exc
        with session_factory() as session:
            row = session.get(LtiGradeOutbox, job.row_id)
            assert row is not None
            row.locked_until = None
            if error is None:
                row.status, row.sent_at = "sent", utcnow()
                if lineitem != job.lineitem_url:
                    session.execute(update(LtiResourceLink)
                                    .where(LtiResourceLink.id == job.link_id)
                                    .values(lineitem_url=lineitem))
                report.sent += 1
            else:
                row.last_error = error.message[:2000]
                if error.retryable and job.attempts < policy.max_attempts:
                    row.next_try_at = now + dt.timedelta(
                        seconds=policy.delay(job.attempts, error.retry_after))
                    report.retried += 1
                else:
                    row.status = "failed"
                    report.failed += 1
                log.warning("LTI passback %s failed (attempt %s): %s", job.row_id, job.attempts,
                            error.message)
            session.commit()
    return report


def retry(session: Session, ids: list[int] | None = None, *, link_ids: list[int] | None = None,
          now: dt.datetime | None = None) -> int:
    """Put failed rows (all, or `ids`, within `link_ids`) back in the queue, due now."""
    now = now or utcnow()
    query = update(LtiGradeOutbox).where(LtiGradeOutbox.status == "failed")
    if ids is not None:
        query = query.where(LtiGradeOutbox.id.in_(ids))
    if link_ids is not None:
        query = query.where(LtiGradeOutbox.link_id.in_(link_ids))
    result = session.execute(query.values(status="pending", attempts=0, next_try_at=now,
                                          locked_until=None)
                             .execution_options(synchronize_session=False))
    return result.rowcount
