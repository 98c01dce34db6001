"""Student pages: the catalogue, a practice problem and its result, adaptive practice.

Views stay short: problems and attempts go through the same services as the
API (quizsvc/services/practice.py, attempts.py), so policy, attempt limits
and audit are the same. A problem page never shows the key, worked solution,
seed or parameters before `key_visible` allows it.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from quizsvc.errors import AnswerError, ParamError
from quizsvc.extensions import db
from quizsvc.services import accounts, adaptive
from quizsvc.services.attempts import attempt_view, submit_attempt
from quizsvc.services.errors import ConflictError
from quizsvc.services.policy import Policy
from quizsvc.services.practice import (
    available_families,
    create_practice_problem,
    get_family,
    get_problem,
    problem_view,
)
from quizsvc.services.preview import preview_problem
from quizsvc.store.models import Attempt, Problem, User
from quizsvc.web import auth
from quizsvc.web.present import policy_text, render_inline, render_markdown

bp = Blueprint("pages", __name__, template_folder="templates")


@bp.before_request
def _csrf() -> None:
    if request.method == "POST":
        auth.csrf.protect()


def practice_policy() -> Policy:
    cfg = current_app.config
    return Policy(cfg["PRACTICE_MAX_ATTEMPTS"] or None, cfg["PRACTICE_SHOW_KEY"])


@bp.get("/")
def home() -> str:
    """What quizsvc is, and every family grouped by topic."""
    topics: dict[str, list[dict[str, Any]]] = {}
    for fam in available_families():
        summary = (fam.module.__doc__ or "").strip().splitlines()[0]
        topics.setdefault(fam.topic, []).append(
            {"name": fam.name, "levels": fam.levels, "summary": render_inline(summary)})
    return render_template("pages/home.html", topics=topics)


def _issue_for(user: User, family: str, level: str, seed: int | None) -> Problem:
    if accounts.is_guest(user) and \
            accounts.guest_problem_count(db.session, user) >= current_app.config["GUEST_MAX_PROBLEMS"]:
        raise ConflictError("a guest may keep at most "
                            f"{current_app.config['GUEST_MAX_PROBLEMS']} problems: sign up "
                            "(free) to go on; your progress comes with you")
    problem = create_practice_problem(db.session, user, family, level, seed, practice_policy())
    db.session.commit()
    return problem


@bp.get("/practice/<family>")
def practice_family(family: str) -> Response:
    """Issue a new problem of a family (`level`, optional `seed` or `aim`) and show it."""
    fam = get_family(family)
    level = request.args.get("level") or fam.levels[0]
    if level not in fam.levels:
        raise ParamError(f"{fam.name} has the levels {', '.join(fam.levels)}; "
                         f"{level[:20]!r} is not one of them")
    seed = _seed_arg()
    aim = request.args.get("aim")
    if seed is None and aim:
        if aim not in {m.code for m in fam.misconceptions}:
            raise ParamError(f"{fam.name} has no catalogued mistake {aim[:40]!r}")
        seed = adaptive.aim(fam.name, level, aim).seed
    problem = _issue_for(auth.student(), fam.name, level, seed)
    return redirect(url_for("pages.problem", problem_id=problem.id), 303)


def _seed_arg() -> int | None:
    raw = request.args.get("seed", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 17:
        raise ParamError("seed must be a whole number, for example ?seed=3")
    return int(raw)


@bp.get("/practice")
def practise_what_i_need() -> Response:
    """Pick family, level and variant from the student's mastery and mistakes."""
    user = auth.student()
    choice = adaptive.choose(db.session, user)
    problem = _issue_for(user, choice.family, choice.level, choice.seed)
    flash(f"Chosen for you: {choice.family} ({choice.level}), because {choice.reason}.", "info")
    return redirect(url_for("pages.problem", problem_id=problem.id), 303)


def _answer_from_form(spec: list[dict[str, Any]]) -> dict[str, str]:
    answer = {}
    for f in spec:
        values = [v.strip() for v in request.form.getlist(f["name"]) if v.strip()]
        if values:
            answer[f["name"]] = ", ".join(values)
    return answer


@bp.route("/problem/<int:problem_id>", methods=["GET", "POST"])
def problem(problem_id: int) -> Any:  # noqa: ANN401 - a page or a redirect
    """Show a problem with the latest result; POST grades an answer."""
    user = auth.viewer()
    if user is None:
        flash("Your guest session has ended or you are signed out; here is a new problem.", "info")
        return redirect(url_for("pages.home"), 303)
    item = get_problem(db.session, user, problem_id)
    spec = problem_view(item, user)["answer_spec"]
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = _answer_from_form(spec)
        try:
            if item.owner_id != user.id:
                abort(403)
            submit_attempt(db.session, user, item.id, values,
                           idempotency_key=request.form.get("attempt_token") or None)
            accounts.touch_guest(user, auth.guest_ttl())
            db.session.commit()
            return redirect(url_for("pages.problem", problem_id=item.id) + "#result", 303)
        except AnswerError as exc:
            # Unreadable: shown back with the reason; nothing recorded, no attempt used.
            names = {f["name"] for f in spec}
            errors = {k: str(v) for k, v in exc.errors.items() if k in names} \
                or {"answer": exc.message}
            status = 422
        except ConflictError as exc:
            flash(exc.message, "error")
            return redirect(url_for("pages.problem", problem_id=item.id), 303)
    return render_template("pages/problem.html", **_problem_context(item, user, values, errors),
                           status=status), status


@bp.post("/problem/<int:problem_id>/preview")
def preview(problem_id: int) -> Any:  # noqa: ANN401 - JSON for answer.js
    """Read an answer as typed, without grading it (answer.js; CSRF in X-CSRFToken)."""
    user = auth.viewer()
    if user is None:
        abort(401)
    item = get_problem(db.session, user, problem_id)
    body = request.get_json(silent=True)
    answer = body.get("answer") if isinstance(body, dict) else None
    return jsonify(preview_problem(item, answer if answer is not None else {}))


def _problem_context(item: Problem, user: User, values: dict[str, str],
                     errors: dict[str, str]) -> dict[str, Any]:
    view = problem_view(item, user)
    last = db.session.scalar(select(Attempt).where(Attempt.problem_id == item.id)
                             .order_by(Attempt.seq.desc()).limit(1))
    result = attempt_view(last, user) if last is not None and not errors else None
    if result is not None and result["misconception"]:
        m = result["misconception"]
        m["explanation_html"] = render_markdown(m["explanation"])
    if result is not None and not values and result["attempts_left"] != 0 and not result["correct"]:
        values = {k: _as_text(v) for k, v in (last.raw_answer or {}).items()} \
            if isinstance(last.raw_answer, dict) else {}
    # Rendered (and sanitised) once per variant by problem_view's cache: no re-render here.
    view["prompt_html"] = Markup(view["prompt_html"])
    if view["key_visible"]:
        view["solution_html"] = Markup(view["solution_html"])
    bank_next = _bank_next(item, user) if item.bank_id else None
    closed = _closed(item)
    token = generate_csrf()
    form = {
        "action": url_for("pages.problem", problem_id=item.id),
        "hidden": {"csrf_token": token, "attempt_token": secrets.token_urlsafe(16)},
        "can_answer": item.owner_id == user.id and view["attempts_left"] != 0
        and not view["solved"] and closed is None, "closed": closed,
        "preview_url": url_for("pages.preview", problem_id=item.id), "csrf": token,
        "notice": policy_text(item)[0].upper() + policy_text(item)[1:] + ".",
    }
    return {"problem": view, "result": result, "values": values, "errors": errors,
            "form": form, "bank_next": bank_next}


def _closed(item: Problem) -> str | None:
    """Why a bank's problem takes no answers now (archived, or an earlier version), or None."""
    bank = item.bank
    if bank is None:
        return None
    if bank.archived:
        return "This bank is archived: it takes no more answers. Your results stay."
    if item.bank_version is not None and item.bank_version != bank.version:
        return ("Your instructor has changed this bank's problems since you answered this one: "
                "it takes no more answers (your answers are kept). Open My banks for the new "
                "problems.")
    return None


def _as_text(value: Any) -> str:  # noqa: ANN401
    return value if isinstance(value, str) else str(value)


def _bank_next(item: Problem, user: User) -> int | None:
    return db.session.scalar(
        select(Problem.id).where(Problem.bank_id == item.bank_id, Problem.owner_id == user.id,
                                 Problem.bank_version == item.bank.version,
                                 Problem.id != item.id, Problem.solved_at.is_(None))
        .order_by(Problem.item_index, Problem.variant).limit(1))

