"""Instructor pages of a bank: build, show (assign, edit, export), preview, results, analytics.

Views stay short: rights come from quizsvc/services/banks.py `get_bank` (which
asks services/access.py, exactly as the API does: a bank outside the viewer's
courses is a 404, a student's own bank a 403), rules from the services. The
routes live on the pages blueprint, so they answer HTML errors and check CSRF.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from quizsvc import exporters
from quizsvc.errors import ParamError, QuizError
from quizsvc.services import papers
from quizsvc.services.exports import bank_attempts_csv, export_problems, grades_csv
from quizsvc.extensions import db
from quizsvc.render import render_markdown
from quizsvc.services import access, analytics, bank_edit, banks
from quizsvc.services.policy import Policy
from quizsvc.services.practice import available_families, get_family
from quizsvc.store.courses import Course
from quizsvc.store.models import SHOW_KEY, Bank, User
from quizsvc.web import auth
from quizsvc.web.pages import bp
from quizsvc.web.present import _SHOW_KEY

MAX_ROWS = 20
MAX_LISTED = 200  # assigned students listed (and unassignable by ticking) on the bank page
SHOW_KEY_TEXT = {k: v.replace("your ", "their ").replace("you ", "they ") for k, v in
                 _SHOW_KEY.items()}


def formats() -> tuple[str, ...]:
    """The export formats of the registry (`quizsvc/exporters/registry.py`)."""
    return tuple(exporters.names())


def _user() -> User:
    user = auth.viewer()
    assert user is not None  # login_required
    return user


def _bank(bank_id: int, **need: bool) -> Bank:
    return banks.get_bank(db.session, _user(), bank_id, **need)


def _int(raw: str, field: str, errors: dict[str, str], what: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 17:
        errors[field] = f"{what} must be a whole number"
        return None
    return int(raw)


def _read_form(form: Any, rows: int) -> tuple[dict[str, str], list[tuple[int, banks.ItemSpec]],
                                               Policy | None, dict[str, str]]:
    """Read the bank form: typed values, (row, item) pairs, the policy, errors of notation."""
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    errors: dict[str, str] = {}
    items = []
    for i in range(rows):
        family = form.get(f"item-{i}-family", "").strip()
        if not family:
            continue
        level = form.get(f"item-{i}-level", "").strip() or "easy"
        count = _int(form.get(f"item-{i}-count", ""), f"item-{i}-count", errors,
                     f"Item {i + 1}: the count")
        seeds_raw = form.get(f"item-{i}-seeds", "").replace(",", " ").split()
        seeds: list[int] = []
        for s in seeds_raw:
            if not s.isdigit() or len(s) > 17:
                errors[f"item-{i}-seeds"] = f"Item {i + 1}: seeds must be whole numbers " \
                                            "separated by commas or spaces"
                break
            seeds.append(int(s))
        items.append((i, banks.ItemSpec(family, level, count or 1, tuple(seeds) or None)))
    if not items:
        errors["item-0-family"] = "Choose the family of at least one item"
    policy = None
    max_attempts = _int(form.get("max_attempts", ""), "max_attempts", errors,
                        "Maximum attempts")
    try:
        policy = Policy(max_attempts, form.get("show_key", "after_last_attempt"))
    except ParamError as exc:
        errors.setdefault(next(iter(exc.errors or {"show_key": ""})), exc.message)
    return values, items, policy, errors


def _errors_from(exc: QuizError, rows: list[int]) -> dict[str, str]:
    """Name the form fields a service error is about (its `errors`, by item index)."""
    detail = exc.errors or {}
    out: dict[str, str] = {}
    items = detail.get("items")
    if isinstance(items, dict):
        for index, message in items.items():
            row = rows[int(index)]
            out[f"item-{row}-family"] = f"Item {row + 1}: {message}"
    if "title" in detail:
        out["title"] = "Give the bank a title"
    return out or {"form": exc.message}


@bp.route("/banks/new", methods=["GET", "POST"])
@login_required
def bank_new() -> Any:
    """A form to build a bank in a course the user teaches (`?course=<id>`)."""
    user = _user()
    course_id = request.values.get("course", type=int)
    course = banks.course_for_bank(db.session, user, course_id) if course_id else None
    if course is None:
        taught = [c for c in db.session.scalars(access.visible_courses(user))
                  if access.teaches(db.session, user, c)]
        if len(taught) != 1:
            return render_template("pages/bank_new_course.html", courses=taught)
        course = taught[0]
    rows = min(max(request.form.get("rows", 3, type=int), 1), MAX_ROWS)
    values: dict[str, str] = {"show_key": "after_last_attempt"}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if request.form.get("action") == "add_row":
            rows = min(rows + 1, MAX_ROWS)
            values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        else:
            values, items, policy, errors = _read_form(request.form, rows)
            if not errors and policy is not None:
                try:
                    specs = [it for _, it in items]
                    twin = banks.recent_twin(db.session, user, course,
                                             request.form.get("title", ""), specs, policy,
                                             request.form.get("description", ""))
                    if twin is not None:  # the same form sent twice: one bank
                        flash(f"Bank “{twin.title}” was already created from this form.", "info")
                        return redirect(url_for("pages.bank_page", bank_id=twin.id), 303)
                    bank = banks.create_bank(
                        db.session, user, request.form.get("title", ""), specs,
                        policy, request.form.get("description", ""), course,
                        whole_course=request.form.get("whole_course") == "yes")
                    db.session.commit()
                    flash(f"Bank “{bank.title}” created. Preview it before students see it.",
                          "info")
                    return redirect(url_for("pages.bank_page", bank_id=bank.id), 303)
                except QuizError as exc:
                    db.session.rollback()
                    errors = _errors_from(exc, [r for r, _ in items])
            status = 422
    fams, levels = family_choices()
    return render_template("pages/bank_new.html", course=course, rows=rows, values=values,
                           errors=errors, families=fams, levels=levels,
                           show_keys=SHOW_KEY_TEXT), status


def family_choices() -> tuple[list[Any], list[str]]:
    """The families and the levels (easy to hard) the item rows offer."""
    fams = available_families()
    levels = sorted({lv for f in fams for lv in f.levels},
                    key=lambda lv: ("easy", "medium", "hard").index(lv)
                    if lv in ("easy", "medium", "hard") else 9)
    return fams, levels


def _assigned_summary(bank: Bank) -> dict[str, Any]:
    users = banks.assigned_users(db.session, bank)
    return {"count": len(users), "users": users[:MAX_LISTED]}


@bp.route("/banks/<int:bank_id>", methods=["GET", "POST"])
@login_required
def bank_page(bank_id: int) -> Any:
    """A bank for its course's staff; POST (instructors): edit, assign, delete."""
    bank = _bank(bank_id, staff=True)
    user = _user()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        bank = _bank(bank_id, manage=True)
        action = request.form.get("action", "")
        try:
            if action == "edit":
                max_attempts = request.form.get("max_attempts", "").strip()
                if max_attempts and not max_attempts.isdigit():
                    raise ParamError("Maximum attempts must be a whole number",
                                     errors={"max_attempts": "not a number"})
                policy = Policy(int(max_attempts) if max_attempts else None,
                                request.form.get("show_key", bank.show_key))
                bank_edit.update_bank(db.session, user, bank, request.form.get("title", ""),
                                      request.form.get("description", ""), policy)
                flash("Saved.", "info")
            elif action == "assign_course":
                n = len(banks.assign_course(db.session, bank))
                flash(f"Assigned to the whole course ({n} students newly assigned; "
                      "students who enrol later get it too).", "info")
            elif action == "assign":
                emails = request.form.get("emails", "").replace(",", " ").split()
                if not emails:
                    raise ParamError("Type the email of at least one student",
                                     errors={"emails": "empty"})
                chosen = banks.resolve_users(db.session, [], emails, bank.course_id)
                new, already = banks.assign(db.session, bank, chosen,
                                            current_app.config["SECRET_KEY"])
                flash(f"Assigned to {len(new)} student{'' if len(new) == 1 else 's'} "
                      f"({len(already)} already had it).", "info")
            elif action == "delete":
                title = bank.title
                bank_edit.delete_bank(db.session, user, bank)
                db.session.commit()
                flash(f"Bank “{title}” deleted.", "info")
                return redirect(url_for("pages.banks_page"), 303)
            else:
                raise ParamError("Unknown action")
            db.session.commit()
            return redirect(url_for("pages.bank_page", bank_id=bank.id), 303)
        except QuizError as exc:
            db.session.rollback()
            field = next(iter(exc.errors or {}), "form")
            field = {"users": "emails"}.get(field, field)
            if field not in ("title", "max_attempts", "show_key", "emails"):
                field = "form"
            errors = {field: exc.message}
            status = exc.status if exc.status in (403, 409, 413) else 422
            bank = _bank(bank_id, staff=True)
    return render_bank(bank, errors, status)


def render_bank(bank: Bank, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    """The bank page, with the errors of the form just sent (its values kept)."""
    user = _user()
    manage = banks.can_manage(db.session, user, bank)
    errors = errors or {}
    return render_template("pages/bank.html", bank=bank, manage=manage, errors=errors,
                           values=request.form if errors else {}, formats=formats(),
                           assigned=_assigned_summary(bank),
                           answered=bank_edit.answered(db.session, bank),
                           versions=bank_edit.versions(db.session, bank),
                           copy_targets=copy_targets(user, bank) if manage else [],
                           show_keys=SHOW_KEY_TEXT), status


def copy_targets(user: User, bank: Bank) -> list[Any]:
    """The courses `user` teaches, not archived, other than the bank's: where it can be copied."""
    return [c for c in db.session.scalars(access.visible_courses(user).order_by(Course.id))
            if c.id != bank.course_id and not c.archived and access.teaches(db.session, user, c)]


def _download(data: bytes | str, media_type: str, filename: str) -> Response:
    response = Response(data, mimetype=media_type.split(";")[0])
    if isinstance(data, str) or "charset" in media_type:
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/banks/<int:bank_id>/export/<fmt>")
@login_required
def bank_export(bank_id: int, fmt: str) -> Response:
    """Download the bank in an LMS format (its course's instructors, as the API)."""
    bank = _bank(bank_id, manage=True)
    if fmt not in formats():
        raise ParamError(f"There is no export format {fmt[:20]!r}; the formats are "
                         f"{', '.join(formats())}.")
    secret = current_app.config["SECRET_KEY"]
    if fmt == "pdf":  # a worksheet: one version of the bank, printable (exams: CLI and API)
        printed = papers.bank_papers(db.session, bank, secret, "worksheet")
        result = exporters.export([p for paper in printed for p in paper.problems], "pdf",
                                  title=bank.title, mode="worksheet",
                                  papers=[p.as_tuple() for p in printed])
    else:
        pool = export_problems(bank, secret)
        result = exporters.export(pool.problems, fmt, title=bank.title, pick=pool.picks,
                                  policy=pool.policy)
    return _download(result.data, result.media_type, f"bank-{bank.id}-{result.filename}")


@bp.get("/banks/<int:bank_id>/grades.csv")
@login_required
def bank_grades(bank_id: int) -> Response:
    """The bank's grades as a Canvas gradebook CSV (course staff)."""
    bank = _bank(bank_id, staff=True)
    return _download(grades_csv(db.session, bank), "text/csv", f"bank-{bank.id}-grades.csv")


@bp.get("/banks/<int:bank_id>/attempts.csv")
@login_required
def bank_attempts(bank_id: int) -> Response:
    """Every attempt at the bank's problems as CSV (course staff)."""
    bank = _bank(bank_id, staff=True)
    return _download(bank_attempts_csv(db.session, bank), "text/csv",
                     f"bank-{bank.id}-attempts.csv")


def _preview_view(family: str, level: str, seed: int) -> dict[str, Any]:
    built = get_family(family).generate(seed, level)
    return {"id": seed, "family": family, "level": level, "prompt": built.prompt,
            "prompt_html": str(render_markdown(built.prompt)), "answer_spec": built.answer_spec,
            "attempts_left": None, "solved": False, "key_visible": True, "answer": built.answer,
            "solution": built.solution, "solution_html": str(render_markdown(built.solution)),
            "figures": getattr(built, "figures", None)}


@bp.get("/banks/<int:bank_id>/preview")
@login_required
def bank_preview(bank_id: int) -> str:
    """The variants a student gets, with keys and worked solutions; `?roll-<item>=n` re-rolls."""
    bank = _bank(bank_id, staff=True)
    secret = current_app.config["SECRET_KEY"]
    rolls = {item.position: max(0, request.args.get(f"roll-{item.position}", 0, type=int))
             for item in bank.items}
    shown = []
    for item in bank.items:
        # A sample student: negative ids are nobody's, so a preview never shows a real
        # student's variants; each re-roll is the next sample student.
        sample = -1 - rolls[item.position]
        seeds = banks.item_seeds(bank, item, sample, secret)
        shown.append({"item": item, "fixed": bool(item.seeds),
                      "variants": [_preview_view(item.family, item.level, s) for s in seeds],
                      "reroll": {**{f"roll-{k}": v for k, v in rolls.items() if v},
                                 f"roll-{item.position}": rolls[item.position] + 1}})
    return render_template("pages/bank_preview.html", bank=bank, items=shown)


RESULT_COLUMNS = {"name": "Student", "email": "Email", "score": "Score", "percent": "Percent",
                  "attempts": "Attempts", "solved": "Solved", "last_attempt_at": "Last attempt"}


@bp.get("/banks/<int:bank_id>/results")
@login_required
def bank_results(bank_id: int) -> Any:
    """Per-student scores and attempts, sortable (`?sort=column&order=desc`), or `?format=csv`.

    `?version=n` shows an earlier version of the bank's items (default: the current one).
    """
    bank = _bank(bank_id, staff=True)
    version = chosen_version(bank)
    items = banks.version_items(db.session, bank, version)
    rows = analytics.results(db.session, bank, version)
    sort = request.args.get("sort", "name")
    sort = sort if sort in RESULT_COLUMNS else "name"
    desc = request.args.get("order") == "desc"
    rows.sort(key=lambda r: (getattr(r, sort) is None, getattr(r, sort) or 0)
              if sort not in ("name", "email") else (getattr(r, sort) or "").lower(),
              reverse=desc)
    if request.args.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["user_id", *RESULT_COLUMNS, "max_score",
                         *[f"item {i.position + 1} ({i.family})" for i in items]])
        for r in rows:
            writer.writerow([r.user_id, r.name, r.email or "", r.score, r.percent, r.attempts,
                             r.solved, r.last_attempt_at or "", r.max_score, *r.items])
        suffix = "" if version == bank.version else f"-v{version}"
        return _download(out.getvalue(), "text/csv", f"bank-{bank.id}-results{suffix}.csv")
    return render_template("pages/bank_results.html", bank=bank, rows=rows, sort=sort, desc=desc,
                           columns=RESULT_COLUMNS, version=version, items=items,
                           versions=bank_edit.versions(db.session, bank))


def chosen_version(bank: Bank) -> int:
    """The version of `bank` a results page asks for (`?version=n`), else the current one."""
    version = request.args.get("version", type=int)
    if version is None or version == bank.version:
        return bank.version
    banks.version_items(db.session, bank, version)  # a 404 for a version it never had
    return version


__all__ = ["SHOW_KEY", "formats", "chosen_version"]
