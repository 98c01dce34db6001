"""Instructor changes to a bank: its items (in place, a new version, or a copy), archive,
copy to another course, unassign.

The rules are in quizsvc/services/bank_edit.py; these views read the forms, say
what happened, and go back to the bank page (303), or show the form again with
its errors (422) and nothing changed.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from quizsvc.errors import ParamError, QuizError
from quizsvc.extensions import db
from quizsvc.services import bank_edit, banks
from quizsvc.store.models import Bank
from quizsvc.web.bank_pages import (
    MAX_ROWS, SHOW_KEY_TEXT, _bank, _errors_from, _read_form, _user, family_choices, render_bank,
)
from quizsvc.web.pages import bp


def _values_of(bank: Bank) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in bank.items:
        i = item.position
        values[f"item-{i}-family"], values[f"item-{i}-level"] = item.family, item.level
        if item.seeds:
            values[f"item-{i}-seeds"] = ", ".join(str(s) for s in item.seeds)
        else:
            values[f"item-{i}-count"] = str(item.count)
    return values


def _back(bank: Bank) -> Any:
    return redirect(url_for("pages.bank_page", bank_id=bank.id), 303)


@bp.route("/banks/<int:bank_id>/items", methods=["GET", "POST"])
@login_required
def bank_items(bank_id: int) -> Any:
    """Change a bank's items; after the first attempt, as a new version or a copy."""
    user = _user()
    bank = _bank(bank_id, manage=True)
    does = bank_edit.what_change_does(db.session, bank)
    rows = min(max(request.form.get("rows", len(bank.items) + 1, type=int), 1), MAX_ROWS)
    values, errors, status = _values_of(bank), {}, 200
    values["mode"] = "version"
    if bank.archived:
        errors = {"form": "This bank is archived, so it is read-only: unarchive it first."}
        status = 409
    elif request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        if request.form.get("action") == "add_row":
            rows = min(rows + 1, MAX_ROWS)
        elif request.form.get("does") == "in_place" and does == "version":
            # The form said "in place", but a student answered meanwhile: ask again.
            errors = {"form": "A student answered this bank while you were editing, so its "
                              "items can no longer change in place: choose below what saving "
                              "does, then save again."}
            status = 409
        else:
            _, items, _, errors = _read_form(request.form, rows)
            errors = {k: v for k, v in errors.items() if k.startswith("item-")}
            mode = request.form.get("mode", "version")
            if not errors:
                try:
                    outcome, result = bank_edit.change_items(
                        db.session, user, bank, [it for _, it in items], mode=mode)
                    db.session.commit()
                except QuizError as exc:
                    db.session.rollback()
                    errors = _errors_from(exc, [r for r, _ in items])
                else:
                    flash(_said(outcome, result), "info")
                    return _back(result)
            status = 422
    fams, levels = family_choices()
    return render_template("pages/bank_items.html", bank=bank, rows=rows, values=values,
                           errors=errors, families=fams, levels=levels, does=does,
                           show_keys=SHOW_KEY_TEXT), status


def _said(outcome: str, bank: Bank) -> str:
    return {
        "unchanged": "The items are as they were: nothing changed.",
        "in_place": "Items saved. Nobody had answered yet, so students get problems of the "
                    "new items.",
        "version": f"Items saved as version {bank.version}. The answers to version "
                   f"{bank.version - 1} stay in its results; students now get the new problems.",
        "copy": f"Made “{bank.title}” with the new items, in the same course and assigned to "
                "nobody yet; the original bank is unchanged.",
    }[outcome]


@bp.post("/banks/<int:bank_id>/archive")
@login_required
def bank_archive(bank_id: int) -> Any:
    """Archive the bank (out of students' lists, read-only), or unarchive it."""
    bank = _bank(bank_id, manage=True)
    archive = request.form.get("archived") == "yes"
    bank_edit.set_archived(db.session, _user(), bank, archive)  # only a 403/404 can go wrong
    db.session.commit()
    flash("Archived: students no longer see this bank in their lists and cannot answer it; "
          "its results stay." if archive else "Unarchived: students see and answer it again.",
          "info")
    return _back(bank)


@bp.post("/banks/<int:bank_id>/copy")
@login_required
def bank_copy(bank_id: int) -> Any:
    """Copy the bank (items and policy, no students) into another course the user teaches."""
    user = _user()
    bank = _bank(bank_id, manage=True)
    course_id = request.form.get("course_id", type=int)
    try:
        if course_id is None:
            raise ParamError("Choose the course to copy the bank into",
                             errors={"course_id": "missing"})
        copy = banks.copy_bank(db.session, user, bank, course_id)
        db.session.commit()
    except QuizError as exc:
        db.session.rollback()
        return render_bank(_bank(bank_id, manage=True), {"course_id": exc.message},
                           exc.status if exc.status in (403, 404, 409) else 422)
    flash(f"Copied into {copy.course.title}, assigned to nobody yet. This is the copy.", "info")
    return _back(copy)


@bp.post("/banks/<int:bank_id>/unassign")
@login_required
def bank_unassign(bank_id: int) -> Any:
    """Take the bank from the whole course, or from the students ticked."""
    user = _user()
    bank = _bank(bank_id, manage=True)
    try:
        if request.form.get("whole_course") == "yes":
            n = bank_edit.unassign(db.session, user, bank, None)
            message = (f"Unassigned from the whole course ({n} students); students who enrol "
                       "later do not get it.")
        else:
            ids = [int(v) for v in request.form.getlist("user_id") if v.isdigit()]
            if not ids:
                raise ParamError("Tick at least one student to unassign",
                                 errors={"unassign": "none chosen"})
            chosen = banks.resolve_users(db.session, ids, [], bank.course_id)
            n = bank_edit.unassign(db.session, user, bank, chosen)
            message = f"Unassigned {n} student{'' if n == 1 else 's'}."
        db.session.commit()
    except QuizError as exc:
        db.session.rollback()
        return render_bank(_bank(bank_id, manage=True), {"unassign": exc.message},
                           exc.status if exc.status in (403, 409) else 422)
    flash(message + " Their answers so far stay in the results.", "info")
    return _back(bank)
