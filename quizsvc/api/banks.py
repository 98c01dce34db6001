"""Question banks: instructors create and assign them; students answer their variants."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import func, select

from quizsvc.api.auth import auth_required, current_user
from quizsvc.extensions import db
from quizsvc.schemas.banks import (
    AssignIn, AssignOut, BankCreate, BankOut, BankSummary, ItemStatsOut, StudentResultOut,
)
from quizsvc.services import analytics, banks
from quizsvc.services.practice import problem_view
from quizsvc.services.policy import Policy
from quizsvc.store.models import Bank, BankAssignment

blp = Blueprint("banks", __name__, url_prefix="/api/v1/banks",
                description="Question banks, their students, results and item analysis.")


def bank_view(bank: Bank, *, problems: list | None = None, assigned: int | None = None,
              seeds: bool = True) -> dict:
    out = {c: getattr(bank, c) for c in ("id", "owner_id", "title", "description",
                                          "max_attempts", "show_key", "created_at", "items")}
    out["size"] = sum(item.count for item in bank.items)
    if not seeds:  # fixed seeds are key material: `quizsvc generate` rebuilds a key from one
        out["items"] = [{"position": i.position, "family": i.family, "level": i.level,
                         "count": i.count} for i in bank.items]
    if problems is not None:
        out["problems"] = problems
    if assigned is not None:
        out["assigned"] = assigned
    return out


@blp.route("", methods=["POST"])
@auth_required("instructor")
@blp.arguments(BankCreate)
@blp.response(201, BankOut)
def create_bank(args: dict) -> dict:
    """Create a bank: items (family, level, count or seeds) and an attempt policy."""
    items = [banks.ItemSpec(i["family"], i["level"], i["count"],
                            tuple(i["seeds"]) if i["seeds"] else None) for i in args["items"]]
    bank = banks.create_bank(db.session, current_user(), args["title"], items,
                             Policy(args["max_attempts"], args["show_key"]), args["description"])
    db.session.commit()
    return bank_view(bank, assigned=0)


@blp.route("")
@auth_required()
@blp.response(200, BankSummary(many=True))
def list_banks() -> list[dict]:
    """List your banks (instructor), every bank (admin) or the banks assigned to you."""
    user = current_user()
    return [bank_view(b, seeds=banks.can_manage(user, b)) for b in banks.list_banks(db.session, user)]


@blp.route("/<int:bank_id>")
@auth_required()
@blp.response(200, BankOut)
def show_bank(bank_id: int) -> dict:
    """Show a bank; an assigned student also gets their problems (keys as the policy allows)."""
    user = current_user()
    bank = banks.get_bank(db.session, user, bank_id)
    if banks.can_manage(user, bank):
        count = db.session.scalar(select(func.count()).select_from(BankAssignment)
                                  .where(BankAssignment.bank_id == bank.id))
        return bank_view(bank, assigned=count)
    problems = banks.problems_of(db.session, bank, user)
    return bank_view(bank, problems=[problem_view(p, user) for p in problems], seeds=False)


@blp.route("/<int:bank_id>/assign", methods=["POST"])
@auth_required("instructor")
@blp.arguments(AssignIn)
@blp.response(200, AssignOut)
def assign_bank(args: dict, bank_id: int) -> dict:
    """Assign the bank to students (by id or email) and issue their own variants."""
    bank = banks.get_bank(db.session, current_user(), bank_id, manage=True)
    users = banks.resolve_users(db.session, args["user_ids"], args["emails"])
    new, already = banks.assign(db.session, bank, users, current_app.config["SECRET_KEY"])
    db.session.commit()
    return {"assigned": [u.id for u in new], "already": [u.id for u in already]}


@blp.route("/<int:bank_id>/results")
@auth_required("instructor")
@blp.response(200, StudentResultOut(many=True))
def bank_results(bank_id: int) -> list:
    """Each student's score: best attempt per problem, summed, and per item."""
    bank = banks.get_bank(db.session, current_user(), bank_id, manage=True)
    return analytics.results(db.session, bank)


@blp.route("/<int:bank_id>/analytics")
@auth_required("instructor")
@blp.response(200, ItemStatsOut(many=True))
def bank_analytics(bank_id: int) -> list:
    """Item analysis: attempts, fraction correct, discrimination, misconception counts."""
    bank = banks.get_bank(db.session, current_user(), bank_id, manage=True)
    return analytics.item_analysis(db.session, bank)
