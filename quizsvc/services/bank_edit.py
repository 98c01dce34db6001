"""Changes to a bank after it is built: policy, items (versions), archive, unassign, delete.

The policy is copied onto each problem when it is issued; an edit copies the
new policy onto the problems already issued, so every student of the bank
plays by the same rules.

The items (family, level, count, seeds) change freely until the first attempt:
the problems issued so far are withdrawn and issued again from the new items.
After it, a change to the items is either a new version of the bank, or, the
instructor's choice, a copy (a new bank in the same course; this one stays as
it was). A new version keeps the old items in `bank_versions` and the answered
problems as they were (each problem knows its `bank_version`), so the old
results stay readable; students then get the new version's problems, and the
bank's score (results, grades, passback) is the new version's. Answers to an
earlier version are refused from then on.

An archived bank is out of students' lists and read-only: no answers, no
edits, no assignments, until it is unarchived. A bank can be deleted only while
nobody has answered it.
"""

from __future__ import annotations

from typing import Iterable, Literal

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from quizsvc.errors import ParamError
from quizsvc.services.banks import ItemSpec, can_manage, check_items, create_bank
from quizsvc.services.errors import ConflictError, PermissionDenied
from quizsvc.services.policy import Policy
from quizsvc.store.audit import log
from quizsvc.store.models import Attempt, Bank, BankAssignment, BankItem, BankVersion, Problem, User


def answered(session: Session, bank: Bank) -> bool:
    """Has anyone answered a problem of `bank`?"""
    return session.scalar(select(Attempt.id).join(Problem, Problem.id == Attempt.problem_id)
                          .where(Problem.bank_id == bank.id).limit(1)) is not None


def update_bank(session: Session, actor: User, bank: Bank, title: str, description: str,
                policy: Policy) -> Bank:
    """Change a bank's title, description and attempt policy (its course's instructors)."""
    _check_editable(session, actor, bank)
    title = (title or "").strip()
    if not title:
        raise ParamError("a bank needs a title", errors={"title": "empty"})
    bank.title, bank.description = title[:200], description or ""
    bank.max_attempts, bank.show_key = policy.max_attempts, policy.show_key
    for problem in session.scalars(select(Problem).where(Problem.bank_id == bank.id)):
        problem.max_attempts, problem.show_key = policy.max_attempts, policy.show_key
    log(session, actor, "bank.update", "bank", bank.id, {"title": bank.title},
        course_id=bank.course_id)
    session.flush()
    return bank


def delete_bank(session: Session, actor: User, bank: Bank) -> None:
    """Delete a bank nobody has answered (its course's instructors)."""
    if not can_manage(session, actor, bank):
        raise PermissionDenied("only the instructors of the bank's course can delete it")
    if answered(session, bank):
        raise ConflictError("students have answered this bank, so it cannot be deleted "
                            "(their attempts would go with it)")
    log(session, actor, "bank.delete", "bank", bank.id, {"title": bank.title},
        course_id=bank.course_id)
    session.execute(delete(Problem).where(Problem.bank_id == bank.id))
    session.delete(bank)
    session.flush()


def _check_editable(session: Session, actor: User, bank: Bank) -> None:
    if not can_manage(session, actor, bank):
        raise PermissionDenied("only the instructors of the bank's course can edit it")
    if bank.archived:
        raise ConflictError("this bank is archived, so it is read-only: unarchive it first")


def specs(items: Iterable[BankItem]) -> list[ItemSpec]:
    """Return the specs of a bank's items, as `create_bank` takes them."""
    return [ItemSpec(i.family, i.level, i.count, tuple(i.seeds) if i.seeds else None)
            for i in items]


def _normal(items: list[ItemSpec]) -> list[ItemSpec]:
    return [ItemSpec(i.family, i.level, len(i.seeds) if i.seeds else i.count, i.seeds)
            for i in items]


Outcome = Literal["unchanged", "in_place", "version", "copy"]


def what_change_does(session: Session, bank: Bank) -> Literal["in_place", "version"]:
    """Say what a change to the items would do now: change them in place, or need a version."""
    return "version" if answered(session, bank) else "in_place"


def change_items(session: Session, actor: User, bank: Bank, items: list[ItemSpec], *,
                 mode: Literal["version", "copy"] = "version") -> tuple[Outcome, Bank]:
    """Change `bank`'s items; return what happened and the bank that has the new items.

    Before the first attempt the items change in place. After it, `mode`
    "version" makes the next version of `bank`, "copy" a new bank in the same
    course with the new items (no students), leaving `bank` as it was.
    """
    _check_editable(session, actor, bank)
    check_items(items)
    if _normal(items) == specs(bank.items):
        return "unchanged", bank
    if mode not in ("version", "copy"):
        raise ParamError("choose a new version or a copy", errors={"mode": "unknown"})
    if not answered(session, bank):
        session.execute(delete(Problem).where(Problem.bank_id == bank.id))
        _replace_items(bank, items)
        log(session, actor, "bank.items", "bank", bank.id, {"version": bank.version},
            course_id=bank.course_id)
        session.flush()
        return "in_place", bank
    if mode == "copy":
        copy = create_bank(session, actor, f"{bank.title} (copy)", items,
                           Policy(bank.max_attempts, bank.show_key), bank.description,
                           bank.course)
        log(session, actor, "bank.copy", "bank", copy.id, {"from_bank": bank.id,
                                                           "changed_items": True},
            course_id=bank.course_id)
        return "copy", copy
    session.add(BankVersion(bank_id=bank.id, version=bank.version, items=[
        {"position": i.position, "family": i.family, "level": i.level, "count": i.count,
         "seeds": list(i.seeds) if i.seeds else None} for i in bank.items]))
    # Problems of the old version nobody answered are withdrawn; answered ones stay.
    session.execute(delete(Problem).where(
        Problem.bank_id == bank.id, Problem.bank_version == bank.version,
        ~exists().where(Attempt.problem_id == Problem.id)))
    bank.version += 1
    _replace_items(bank, items)
    log(session, actor, "bank.version", "bank", bank.id, {"version": bank.version},
        course_id=bank.course_id)
    session.flush()
    return "version", bank


def _replace_items(bank: Bank, items: list[ItemSpec]) -> None:
    bank.items.clear()
    # Flushing the removals first frees the (bank, position) slots for the new rows.
    Session.object_session(bank).flush()
    bank.items.extend(BankItem(position=i, family=it.family, level=it.level,
                               count=len(it.seeds) if it.seeds else it.count,
                               seeds=list(it.seeds) if it.seeds else None)
                      for i, it in enumerate(items))


def versions(session: Session, bank: Bank) -> list[BankVersion]:
    """Return the earlier versions of `bank`, newest first."""
    return list(session.scalars(select(BankVersion).where(BankVersion.bank_id == bank.id)
                                .order_by(BankVersion.version.desc())))


def set_archived(session: Session, actor: User, bank: Bank, archived: bool) -> None:
    """Archive `bank` (out of students' lists, read-only) or bring it back."""
    if not can_manage(session, actor, bank):
        raise PermissionDenied("only the instructors of the bank's course can archive it")
    bank.archived = archived
    log(session, actor, "bank.archive" if archived else "bank.unarchive", "bank", bank.id,
        {"title": bank.title}, course_id=bank.course_id)
    session.flush()


def unassign(session: Session, actor: User, bank: Bank, users: list[User] | None) -> int:
    """Take `bank` from `users` (None: the whole course, now and later); return how many.

    Their unanswered problems are withdrawn; answered ones, and so their
    results, stay readable by the staff.
    """
    _check_editable(session, actor, bank)
    query = select(BankAssignment).where(BankAssignment.bank_id == bank.id)
    if users is None:
        bank.whole_course = False
    else:
        query = query.where(BankAssignment.user_id.in_([u.id for u in users]))
    gone = list(session.scalars(query))
    ids = [a.user_id for a in gone]
    for assignment in gone:
        session.delete(assignment)
    if ids:
        session.execute(delete(Problem).where(
            Problem.bank_id == bank.id, Problem.owner_id.in_(ids),
            ~exists().where(Attempt.problem_id == Problem.id)))
    log(session, actor, "bank.unassign", "bank", bank.id,
        {"users": ids, "whole_course": users is None}, course_id=bank.course_id)
    session.flush()
    return len(ids)
