"""The audit log of instructor actions: bank changes, exports, grade passbacks.

Rows are written in the same transaction as what they record, so there is
never a change without its row nor a row without its change:

- bank changes (a bank created, changed or deleted; its items; students
  assigned) and grade passbacks (an outbox row reaching ``sent``) are seen by a
  SQLAlchemy ``after_flush`` listener on every session, whoever made the change
  (a view, the CLI, the passback worker);
- exports and the instructor's LTI actions write no rows of their own: their
  views are wrapped so that a successful answer records its row and commits.

The actor is the request's authenticated user; outside a request (the passback
worker, the CLI), `session.info["audit_actor_id"]` if set, else the system (None).
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from quizsvc.store.audit import AuditEvent
from quizsvc.store.lti import LtiGradeOutbox, LtiResourceLink
from quizsvc.store.models import Bank, BankAssignment, BankItem
from quizsvc.store.types import utcnow

# Views whose successful answer is an action worth recording: endpoint -> (action, target type).
AUDITED_VIEWS: dict[str, tuple[str, str]] = {
    "exports.export_bank": ("bank.export", "bank"),
    "exports.bank_grades": ("bank.export_grades", "bank"),
    "exports.bank_attempts": ("bank.export_attempts", "bank"),
    "lti_admin.update_link": ("lti.link_update", "lti_link"),
    "lti_admin.retry_passbacks": ("grade.passback_retry", "lti_passbacks"),
    "lti_admin.retry_passback": ("grade.passback_retry", "lti_passback"),
}
_QUERY_DETAILS = ("format", "style", "pool", "pick")


def _actor(session: Session | None = None) -> tuple[int | None, str | None, str | None]:
    """Return (user id, role, client address) of whoever acts now."""
    if has_request_context():
        user = g.get("user")
        if user is not None:
            return user.id, user.role, request.remote_addr
        return None, None, request.remote_addr
    if session is not None and session.info.get("audit_actor_id") is not None:
        return session.info["audit_actor_id"], session.info.get("audit_actor_role"), None
    return None, None, None


def event_row(action: str, target_type: str, target_id: int | None,
              details: dict[str, Any] | None = None, *,
              session: Session | None = None, course_id: int | None = None) -> dict[str, Any]:
    """Return the values of one audit row, with the current actor."""
    actor_id, role, address = _actor(session)
    return {"at": utcnow(), "actor_id": actor_id, "actor_role": role, "action": action,
            "target_type": target_type, "target_id": target_id, "details": details or {},
            "address": address, "course_id": course_id}


def record(session: Session, action: str, target_type: str, target_id: int | None,
           details: dict[str, Any] | None = None, *, course_id: int | None = None) -> None:
    """Add an audit row to `session`'s transaction (committed with it)."""
    if course_id is None and target_type == "bank" and target_id is not None:
        course_id = session.scalar(select(Bank.course_id).where(Bank.id == target_id))
    session.execute(insert(AuditEvent), [event_row(action, target_type, target_id, details,
                                                   session=session, course_id=course_id)])


def _courses_of_banks(session: Session, bank_ids: set[int]) -> dict[int, int]:
    """Return bank id -> course id, read through the flush's own connection."""
    if not bank_ids:
        return {}
    return dict(session.connection().execute(
        select(Bank.id, Bank.course_id).where(Bank.id.in_(bank_ids))).all())


def _changes(session: Session) -> list[dict[str, Any]]:
    """Return the audit rows for what this flush wrote."""
    rows: list[dict[str, Any]] = []
    # Only column attributes are read here: loading a relationship inside a flush could query.
    new_banks = {o.id for o in session.new if isinstance(o, Bank)}
    assigned: dict[int, list[int]] = {}
    for obj in session.new:
        if isinstance(obj, Bank):
            rows.append(event_row("bank.create", "bank", obj.id, {
                "title": obj.title, "max_attempts": obj.max_attempts, "show_key": obj.show_key},
                session=session))
        elif isinstance(obj, BankItem) and obj.bank_id not in new_banks:
            rows.append(event_row("bank.update", "bank", obj.bank_id,
                                  {"item_added": obj.position}, session=session))
        elif isinstance(obj, BankAssignment):
            assigned.setdefault(obj.bank_id, []).append(obj.user_id)
    for bank_id, user_ids in assigned.items():
        rows.append(event_row("bank.assign", "bank", bank_id, {"user_ids": sorted(user_ids)},
                              session=session))
    for obj in session.dirty:
        if isinstance(obj, (Bank, BankItem)) and session.is_modified(obj, include_collections=False):
            changed = sorted(a.key for a in inspect(obj).attrs if a.history.has_changes())
            bank_id = obj.id if isinstance(obj, Bank) else obj.bank_id
            rows.append(event_row("bank.update", "bank", bank_id, {"changed": changed},
                                  session=session))
        elif isinstance(obj, LtiGradeOutbox):
            added = inspect(obj).attrs.status.history.added
            final = {"sent": "grade.passback", "failed": "grade.passback_failed"}
            for status in set(added) & set(final):
                rows.append(event_row(final[status], "lti_passback", obj.id, {
                    "link_id": obj.link_id, "user_id": obj.user_id, "attempt_id": obj.attempt_id,
                    "score_given": obj.score_given, "score_maximum": obj.score_maximum},
                    session=session))
    for obj in session.deleted:
        if isinstance(obj, Bank):
            rows.append(event_row("bank.delete", "bank", obj.id, {"title": obj.title},
                                  session=session))
    return rows


def _add_courses(session: Session, rows: list[dict[str, Any]]) -> None:
    """Fill in the course of each bank and passback row (its course's staff read it)."""
    banks = _courses_of_banks(session, {r["target_id"] for r in rows
                                        if r["target_type"] == "bank" and r["target_id"]})
    links = {r["details"].get("link_id") for r in rows if r["target_type"] == "lti_passback"}
    link_courses = dict(session.connection().execute(
        select(LtiResourceLink.id, LtiResourceLink.course_id)
        .where(LtiResourceLink.id.in_(links))).all()) if links else {}
    for r in rows:
        if r["target_type"] == "bank":
            r["course_id"] = banks.get(r["target_id"])
        elif r["target_type"] == "lti_passback":
            r["course_id"] = link_courses.get(r["details"].get("link_id"))


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    """Give the rows the services log (`store.audit.log`) the request's client address."""
    if has_request_context():
        for obj in session.new:
            if isinstance(obj, AuditEvent) and obj.address is None:
                obj.address = request.remote_addr


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    """Insert the audit rows of this flush through the flush's own connection."""
    rows = _changes(session)
    if rows:
        _add_courses(session, rows)
        session.connection().execute(insert(AuditEvent), rows)


def audited(view: Callable[..., Any], action: str, target_type: str) -> Callable[..., Any]:
    """Wrap `view` so that a successful answer records `action` and commits."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from quizsvc.extensions import db

        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code < 400 and g.get("user") is not None:
            target = next((v for k, v in kwargs.items() if k.endswith("_id")), None)
            details = {k: request.args[k] for k in _QUERY_DETAILS if k in request.args}
            details.update({k: v for k, v in kwargs.items() if k.endswith("_id")})
            if request.is_json and isinstance(request.get_json(silent=True), dict):
                details["request"] = {k: v for k, v in request.get_json().items()
                                      if isinstance(v, (int, str, bool, list)) or v is None}
            details["status"] = response.status_code
            record(db.session, action, target_type, target, details)
            db.session.commit()
        return response
    return wrapper


def install(app: Flask) -> None:
    """Record the audited views' actions (the flush listener is always on)."""
    for endpoint, (action, target_type) in AUDITED_VIEWS.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = audited(view, action, target_type)
