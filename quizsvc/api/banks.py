"""Question banks: a course's instructors create and assign them; students answer their variants.

A bank belongs to one course. Its instructors manage it; its TAs see it with
its keys, its results and analytics; its assigned students see their own
problems. To anyone else a bank does not exist (404).
"""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import func, select

from quizsvc.api.auth import auth_required, current_user
from quizsvc.extensions import db
from quizsvc.schemas.banks import (
    AssignIn, AssignOut, BankCreate, BankListArgs, BankOut, BankPage, CopyIn, ItemStatsOut,
    StudentResultOut, UnassignOut,
)
from quizsvc.schemas.common import PageArgs, page_of, page_schema, page_slice
from quizsvc.services import analytics, bank_edit, banks
from quizsvc.services.practice import problem_view
from quizsvc.services.policy import Policy
from quizsvc.store.models import Bank, BankAssignment

blp = Blueprint("banks", __name__, url_prefix="/api/v1/banks",
                description="Question banks, their students, results and item analysis.")


def bank_view(bank: Bank, *, problems: list | None = None, assigned: int | None = None,
              seeds: bool = True) -> dict:
    out = {c: getattr(bank, c) for c in ("id", "course_id", "owner_id", "whole_course", "title",
                                          "description", "max_attempts", "show_key", "created_at",
                                          "items", "version", "archived")}
    out["size"] = sum(item.count for item in bank.items)
    if not seeds:  # fixed seeds are key material: `quizsvc generate` rebuilds a key from one
        out["items"] = [{"position": i.position, "family": i.family, "level": i.level,
                         "count": i.count} for i in bank.items]
    if problems is not None:
        out["problems"] = problems
    if assigned is not None:
        out["assigned"] = assigned
    return out


def _assigned_count(bank: Bank) -> int:
    return db.session.scalar(select(func.count()).select_from(BankAssignment)
                             .where(BankAssignment.bank_id == bank.id)) or 0


def create_bank_from(args: dict) -> dict:
    """Create a bank from validated `BankCreate` arguments; commit; return its view."""
    user = current_user()
    items = [banks.ItemSpec(i["family"], i["level"], i["count"],
                            tuple(i["seeds"]) if i["seeds"] else None) for i in args["items"]]
    course = banks.course_for_bank(db.session, user, args["course_id"])
    bank = banks.create_bank(db.session, user, args["title"], items,
                             Policy(args["max_attempts"], args["show_key"]), args["description"],
                             course, whole_course=args["whole_course"])
    db.session.commit()
    return bank_view(bank, assigned=_assigned_count(bank))


def bank_page(args: dict, course_id: int | None = None) -> dict:
    """One page of the banks the caller may see (seeds only for the staff of each)."""
    user = current_user()
    rows, total = banks.list_banks(db.session, user, course_id=course_id, page=args["page"],
                                   page_size=args["page_size"])
    return page_of([bank_view(b, seeds=banks.sees_keys(db.session, user, b)) for b in rows],
                   total, args)


@blp.route("", methods=["POST"])
@auth_required()
@blp.arguments(BankCreate)
@blp.response(201, BankOut)
def create_bank(args: dict) -> dict:
    """Create a bank in a course you teach: items (family, level, count or seeds), a policy."""
    return create_bank_from(args)


@blp.route("")
@auth_required()
@blp.arguments(BankListArgs, location="query")
@blp.response(200, BankPage)
def list_banks(args: dict) -> dict:
    """List the banks of the courses you staff, and those assigned to you (an admin: all)."""
    return bank_page(args, args["course_id"])


@blp.route("/<int:bank_id>")
@auth_required()
@blp.response(200, BankOut)
def show_bank(bank_id: int) -> dict:
    """Show a bank; an assigned student also gets their problems (keys as the policy allows)."""
    user = current_user()
    bank = banks.get_bank(db.session, user, bank_id)
    if banks.sees_keys(db.session, user, bank):
        return bank_view(bank, assigned=_assigned_count(bank))
    problems = banks.student_problems(db.session, bank, user, current_app.config["SECRET_KEY"])
    db.session.commit()  # the variants issued on this first visit
    return bank_view(bank, problems=[problem_view(p, user) for p in problems], seeds=False)


@blp.route("/<int:bank_id>/assign", methods=["POST"])
@auth_required()
@blp.arguments(AssignIn)
@blp.response(200, AssignOut)
def assign_bank(args: dict, bank_id: int) -> dict:
    """Assign the bank to students of its course (by id or email) or to the whole course."""
    bank = banks.get_bank(db.session, current_user(), bank_id, manage=True)
    new_ids: list[int] = []
    already: list[int] = []
    if args["user_ids"] or args["emails"]:
        users = banks.resolve_users(db.session, args["user_ids"], args["emails"], bank.course_id)
        new, old = banks.assign(db.session, bank, users, current_app.config["SECRET_KEY"])
        new_ids, already = [u.id for u in new], [u.id for u in old]
    if args["whole_course"]:
        new_ids += banks.assign_course(db.session, bank)
    db.session.commit()
    return {"assigned": sorted(set(new_ids)), "already": already}


@blp.route("/<int:bank_id>/unassign", methods=["POST"])
@auth_required()
@blp.arguments(AssignIn)
@blp.response(200, UnassignOut)
def unassign_bank(args: dict, bank_id: int) -> dict:
    """Take the bank from students, or from the whole course.

    By `user_ids` or `emails`; or `whole_course`: no one now, nor students who join later.
    Their unanswered problems are withdrawn; answered ones, and so their results, stay. An
    archived bank is read-only (409 until it is unarchived).
    """
    bank = banks.get_bank(db.session, current_user(), bank_id, manage=True)
    if args["whole_course"]:
        n = bank_edit.unassign(db.session, current_user(), bank, None)
    else:
        users = banks.resolve_users(db.session, args["user_ids"], args["emails"], bank.course_id)
        n = bank_edit.unassign(db.session, current_user(), bank, users)
    db.session.commit()
    return {"unassigned": n}


def _archive(bank_id: int, archived: bool) -> dict:
    bank = banks.get_bank(db.session, current_user(), bank_id, manage=True)
    bank_edit.set_archived(db.session, current_user(), bank, archived)
    db.session.commit()
    return bank_view(bank, assigned=_assigned_count(bank))


@blp.route("/<int:bank_id>/archive", methods=["POST"])
@auth_required()
@blp.response(200, BankOut)
def archive_bank(bank_id: int) -> dict:
    """Archive the bank: out of students' lists, results kept.

    Answers to its problems are refused (409) until it is unarchived; its results, analytics
    and exports stay readable by its staff. Only the instructors of its course may.
    """
    return _archive(bank_id, True)


@blp.route("/<int:bank_id>/unarchive", methods=["POST"])
@auth_required()
@blp.response(200, BankOut)
def unarchive_bank(bank_id: int) -> dict:
    """Bring an archived bank back.

    It is listed to its students again and takes answers; only the instructors of its course
    may.
    """
    return _archive(bank_id, False)


@blp.route("/<int:bank_id>/copy", methods=["POST"])
@auth_required()
@blp.arguments(CopyIn)
@blp.response(201, BankOut)
def copy_bank(args: dict, bank_id: int) -> dict:
    """Copy the bank (items and policy, no students) into another course you teach."""
    bank = banks.get_bank(db.session, current_user(), bank_id, manage=True)
    copy = banks.copy_bank(db.session, current_user(), bank, args["course_id"])
    db.session.commit()
    return bank_view(copy, assigned=0)


StudentResultPage = page_schema(StudentResultOut, "StudentResultPage")
ItemStatsPage = page_schema(ItemStatsOut, "ItemStatsPage")


@blp.route("/<int:bank_id>/results")
@auth_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, StudentResultPage)
def bank_results(args: dict, bank_id: int) -> dict:
    """Each student's score: best attempt per problem, summed, and per item (course staff)."""
    bank = banks.get_bank(db.session, current_user(), bank_id, staff=True)
    return page_slice(analytics.results(db.session, bank), args)


@blp.route("/<int:bank_id>/analytics")
@auth_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, ItemStatsPage)
def bank_analytics(args: dict, bank_id: int) -> dict:
    """Item analysis: attempts, fraction correct, discrimination, misconception counts (staff)."""
    bank = banks.get_bank(db.session, current_user(), bank_id, staff=True)
    return page_slice(analytics.item_analysis(db.session, bank), args)
