"""The audit log of instructor actions: bank changes, exports, grade passbacks.

Rows are written in the same transaction as what they record, so there is
never a change without its row nor a row without its change:

- bank changes (a bank created, changed or deleted; its items; students
  assigned) and grade passbacks (an outbox row reaching ``sent``) are seen by a
  SQLAlchemy ``after_flush`` listener on every session, whoever made the change
  (a view, the CLI, the passback worker);
- exports and the instructor's LTI actions write no rows of their own: their
  views are wrapped so that a successful answer records its row and commits.

The actor is the request's authenticated user (told by the web layer,
`quizsvc/web/audit.py`, which also wraps the audited views); outside a request
(the passback worker, the CLI), `session.info["audit_actor_id"]` if set, else
the system (None). This module imports nothing from Flask.
"""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from quizsvc.store.audit import AuditEvent
from quizsvc.store.lti import LtiGradeOutbox
from quizsvc.store.models import Bank, BankAssignment, BankItem
from quizsvc.store.types import utcnow

Actor = tuple[int | None, str | None, str | None]  # user id, role, client address
# Who acts in the current request, if there is one (set by quizsvc.web.audit.install).
_request_actor: Callable[[], Actor | None] | None = None


def set_request_actor(source: Callable[[], Actor | None]) -> None:
    """Tell the log how to find the current request's actor (None outside a request)."""
    global _request_actor
    _request_actor = source


def _actor(session: Session | None = None) -> Actor:
    """Return (user id, role, client address) of whoever acts now."""
    if _request_actor is not None and (actor := _request_actor()) is not None:
        return actor
    if session is not None and session.info.get("audit_actor_id") is not None:
        return session.info["audit_actor_id"], session.info.get("audit_actor_role"), None
    return None, None, None


def event_row(action: str, target_type: str, target_id: int | None,
              details: dict[str, Any] | None = None, *,
              session: Session | None = None) -> dict[str, Any]:
    """Return the values of one audit row, with the current actor."""
    actor_id, role, address = _actor(session)
    return {"at": utcnow(), "actor_id": actor_id, "actor_role": role, "action": action,
            "target_type": target_type, "target_id": target_id, "details": details or {},
            "address": address}


def record(session: Session, action: str, target_type: str, target_id: int | None,
           details: dict[str, Any] | None = None) -> None:
    """Add an audit row to `session`'s transaction (committed with it)."""
    session.execute(insert(AuditEvent), [event_row(action, target_type, target_id, details,
                                                   session=session)])


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


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    """Insert the audit rows of this flush through the flush's own connection."""
    rows = _changes(session)
    if rows:
        session.connection().execute(insert(AuditEvent), rows)
