"""The progress page (per family and topic, with a chart) and the student's banks."""

from __future__ import annotations

import re
from typing import Any

import pygal
from flask import current_app, render_template
from flask_login import login_required
from pygal.style import Style
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from quizsvc.extensions import db
from quizsvc.services import accounts
from quizsvc.services.banks import ensure_problems, list_banks
from quizsvc.services.policy import attempts_left
from quizsvc.services.practice import get_family
from quizsvc.services.progress import FamilyProgress, progress
from quizsvc.store.models import Attempt, User
from quizsvc.web import auth
from quizsvc.web.pages import bp
from quizsvc.web.present import policy_text

# Chart colours: text #1b1b1b and bars #1d4f91 on white are above 7:1 (WCAG AA asks 4.5:1).
CHART_STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#1b1b1b",
                    foreground_strong="#1b1b1b", foreground_subtle="#5a5a5a",
                    colors=("#1d4f91", "#8a3b12"), font_family="sans-serif",
                    label_font_size=13, major_label_font_size=13, value_font_size=12,
                    title_font_size=15, legend_font_size=13, opacity="1", opacity_hover="1")


_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _rows(user: User | None) -> list[FamilyProgress]:
    return progress(db.session, user) if user is not None else []


def _family_row(p: FamilyProgress) -> dict[str, Any]:
    fam = get_family(p.family)
    titles = {m.code: m.title for m in fam.misconceptions}
    mistakes = [{"code": code, "title": titles.get(code, code), "count": n}
                for code, n in list(p.misconceptions.items())[:3]]
    return {"family": p.family, "topic": fam.topic, "attempts": p.attempts, "correct": p.correct,
            "accuracy": p.accuracy, "mastery": p.mastery, "problems": p.problems,
            "solved": p.solved, "mistakes": mistakes, "level": fam.levels[0]}


def topic_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sum families into topics; a topic's mastery is its families' mean, weighted by attempts."""
    topics: dict[str, dict[str, Any]] = {}
    for r in rows:
        t = topics.setdefault(r["topic"], {"topic": r["topic"], "attempts": 0, "correct": 0,
                                           "weighted": 0.0, "families": 0})
        t["attempts"] += r["attempts"]
        t["correct"] += r["correct"]
        t["weighted"] += r["mastery"] * r["attempts"]
        t["families"] += 1
    for t in topics.values():
        t["accuracy"] = t["correct"] / t["attempts"] if t["attempts"] else 0.0
        t["mastery"] = t["weighted"] / t["attempts"] if t["attempts"] else 0.5
    return sorted(topics.values(), key=lambda t: t["topic"])


@bp.get("/progress")
def progress_page() -> str:
    """Attempts, accuracy, mastery and usual mistakes, per family and per topic."""
    rows = [_family_row(p) for p in _rows(auth.viewer())]
    return render_template("pages/progress.html", rows=rows, topics=topic_rows(rows),
                           guest=bool(auth.viewer() and accounts.is_guest(auth.viewer())))


@bp.get("/progress/chart.svg")
def progress_chart() -> Response:
    """Mastery and accuracy per family as an SVG bar chart (pygal)."""
    rows = [_family_row(p) for p in _rows(auth.viewer())][::-1]  # pygal draws bottom-up
    chart = pygal.HorizontalBar(style=CHART_STYLE, width=720, height=120 + 42 * max(len(rows), 1),
                                range=(0, 100), show_legend=True, legend_at_bottom=True,
                                print_values=False, js=[], disable_xml_declaration=False,
                                x_title="percent", explicit_size=False)
    chart.title = "Mastery and accuracy per family"
    chart.x_labels = [r["family"] for r in rows]
    chart.add("mastery", [round(100 * r["mastery"]) for r in rows])
    chart.add("accuracy", [round(100 * r["accuracy"]) for r in rows])
    # pygal always embeds its config as a <script>; an <img> would not run it, but drop it.
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    response = Response(svg, mimetype="image/svg+xml")
    # An SVG shown as an image runs no script; its own <style> needs inline styles.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/banks")
@login_required
def banks_page() -> str:
    """The banks assigned to the student, with each problem's score and attempts left."""
    user = auth.viewer()
    assert user is not None  # login_required
    banks = []
    if user.role == "student":
        secret = current_app.config["SECRET_KEY"]
        rows, _ = list_banks(db.session, user, page_size=200)
        for bank in rows:
            problems = ensure_problems(db.session, bank, user, secret)
            banks.append((bank, problems))
        db.session.commit()
    ids = [p.id for _, ps in banks for p in ps]
    best = dict(db.session.execute(
        select(Attempt.problem_id, func.max(Attempt.score)).where(Attempt.problem_id.in_(ids))
        .group_by(Attempt.problem_id)).all()) if ids else {}
    shown = [{"bank": b, "policy": policy_text(ps[0]) if ps else "",
              "problems": [{"id": p.id, "family": p.family, "level": p.level,
                            "n": i + 1, "score": best.get(p.id), "used": p.attempt_count,
                            "left": attempts_left(p), "solved": p.solved_at is not None}
                           for i, p in enumerate(ps)]}
             for b, ps in banks]
    return render_template("pages/banks.html", banks=shown, staff=user.role != "student")
