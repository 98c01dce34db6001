"""A bank's analytics pages (course staff): per item, the answers given, and the charts.

Every chart is an SVG drawn by pygal on the server (no JavaScript: its scripts
are stripped), and every chart's numbers are on the page as a table and in the
CSV (`?format=csv`). `?version=n` reads an earlier version of the bank's items.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pygal
from flask import abort, render_template, request
from flask_login import login_required
from werkzeug.wrappers import Response

from quizsvc.extensions import db
from quizsvc.services import analytics, bank_edit, banks
from quizsvc.services.practice import get_family
from quizsvc.store.models import Bank
from quizsvc.web.bank_pages import _bank, _download, chosen_version
from quizsvc.web.pages import bp
from quizsvc.web.progress import _SCRIPT, CHART_STYLE

MAX_MISTAKES_CHARTED = 15
# The points' labels ("item 3") as large as the axis labels.
LABELLED_STYLE = CHART_STYLE.__class__(**{**CHART_STYLE.to_dict(), "value_label_font_size": 13})


def whole_ticks(maximum: int, most: int = 10) -> list[int]:
    """Axis ticks for a count: whole numbers from 0 past `maximum`, at most about `most`."""
    step = max(1, -(-max(maximum, 1) // most))
    return list(range(0, max(maximum, 1) + step, step))


def _titles(family: str) -> dict[str, str]:
    return {m.code: m.title for m in get_family(family).misconceptions}


def _item_rows(bank: Bank, version: int) -> list[dict[str, Any]]:
    rows = []
    for s in analytics.item_analysis(db.session, bank, version):
        titles = _titles(s.family)
        rows.append({"stats": s, "mistakes": [{"code": c, "title": titles.get(c, c), "count": n}
                                              for c, n in s.misconceptions.items()]})
    return rows


def _mistakes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The misconceptions seen over all items, most frequent first."""
    total: dict[str, dict[str, Any]] = {}
    for row in rows:
        for m in row["mistakes"]:
            entry = total.setdefault(m["code"], {"code": m["code"], "title": m["title"],
                                                 "count": 0, "items": []})
            entry["count"] += m["count"]
            entry["items"].append(row["stats"].item_index + 1)
    return sorted(total.values(), key=lambda m: (-m["count"], m["title"]))


def _vq(bank: Bank, version: int) -> dict[str, int]:
    return {} if version == bank.version else {"version": version}


@bp.get("/banks/<int:bank_id>/analytics")
@login_required
def bank_analytics(bank_id: int) -> Any:
    """Per item: attempts, fraction correct, discrimination, mistakes seen; charts; or CSV."""
    bank = _bank(bank_id, staff=True)
    version = chosen_version(bank)
    rows = _item_rows(bank, version)
    if request.args.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["item", "family", "level", "attempts", "students", "fraction_correct",
                         "first_attempt_correct", "mean_score", "discrimination", "upper_lower",
                         "misconceptions"])
        for row in rows:
            s = row["stats"]
            writer.writerow([s.item_index + 1, s.family, s.level, s.attempts, s.students,
                             _blank(s.fraction_correct), _blank(s.first_attempt_correct),
                             _blank(s.mean_score), _blank(s.discrimination),
                             _blank(s.upper_lower), json.dumps(s.misconceptions)])
        suffix = "" if version == bank.version else f"-v{version}"
        return _download(out.getvalue(), "text/csv", f"bank-{bank.id}-analytics{suffix}.csv")
    return render_template("pages/bank_analytics.html", bank=bank, rows=rows,
                           results=analytics.results(db.session, bank, version),
                           mistakes=_mistakes(rows), version=version, vq=_vq(bank, version),
                           versions=bank_edit.versions(db.session, bank))


def _blank(value: float | None) -> str | float:
    return "" if value is None else value


@bp.get("/banks/<int:bank_id>/analytics/items/<int:item>")
@login_required
def bank_item_answers(bank_id: int, item: int) -> str:
    """The distinct answers given to one item (1-based), most given first, 50 a page."""
    bank = _bank(bank_id, staff=True)
    version = chosen_version(bank)
    items = banks.version_items(db.session, bank, version)
    if not 1 <= item <= len(items):
        abort(404)
    spec = items[item - 1]
    page = max(request.args.get("page", 1, type=int), 1)
    groups, total = analytics.item_answers(db.session, bank, item - 1, version, page=page)
    pages = max(1, -(-total // analytics.MAX_ANSWER_GROUPS))
    return render_template("pages/bank_item_answers.html", bank=bank, item=spec, number=item,
                           groups=groups, total=total, page=page, pages=pages,
                           titles=_titles(spec.family), version=version, vq=_vq(bank, version))


def _svg(chart: Any) -> Response:
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/banks/<int:bank_id>/analytics/items.svg")
@login_required
def bank_items_chart(bank_id: int) -> Response:
    """Fraction correct per item, as an SVG bar chart (pygal)."""
    bank = _bank(bank_id, staff=True)
    rows = [r["stats"] for r in _item_rows(bank, chosen_version(bank))][::-1]  # drawn bottom-up
    chart = pygal.HorizontalBar(style=CHART_STYLE, width=720, height=140 + 42 * max(len(rows), 1),
                                range=(0, 100), show_legend=True, legend_at_bottom=True, js=[],
                                x_title="percent", explicit_size=False)
    chart.title = "Correct attempts per item"
    chart.x_labels = [f"{s.item_index + 1}. {s.family} ({s.level})" for s in rows]
    chart.add("fraction correct", [None if s.fraction_correct is None
                                   else round(100 * s.fraction_correct) for s in rows])
    return _svg(chart)


@bp.get("/banks/<int:bank_id>/analytics/difficulty.svg")
@login_required
def bank_difficulty_chart(bank_id: int) -> Response:
    """Each item's fraction correct (x) against its discrimination (y), as an SVG scatter."""
    bank = _bank(bank_id, staff=True)
    points = [{"value": (round(100 * s.fraction_correct), round(s.discrimination, 2)),
               "label": f"item {s.item_index + 1}"}
              for s in (r["stats"] for r in _item_rows(bank, chosen_version(bank)))
              if s.fraction_correct is not None and s.discrimination is not None]
    # Room right of 100 for the labels of the easiest items.
    chart = pygal.XY(style=LABELLED_STYLE, width=720, height=420, stroke=False,
                     show_legend=False, js=[], xrange=(0, 112), range=(-1, 1), print_labels=True,
                     dots_size=6, x_title="fraction correct (percent): easier to the right",
                     y_title="discrimination", explicit_size=False)
    chart.x_labels = list(range(0, 101, 10))
    chart.title = "Item difficulty against discrimination"
    chart.add("items", points)
    return _svg(chart)


@bp.get("/banks/<int:bank_id>/analytics/mistakes.svg")
@login_required
def bank_mistakes_chart(bank_id: int) -> Response:
    """How often each misconception was diagnosed (the most frequent 15), as an SVG bar chart."""
    bank = _bank(bank_id, staff=True)
    mistakes = _mistakes(_item_rows(bank, chosen_version(bank)))[:MAX_MISTAKES_CHARTED][::-1]
    chart = pygal.HorizontalBar(style=CHART_STYLE, width=720,
                                height=120 + 36 * max(len(mistakes), 1), show_legend=False,
                                js=[], x_title="attempts", explicit_size=False)
    chart.title = "Misconceptions diagnosed"
    chart.x_labels = [m["title"] for m in mistakes]
    chart.y_labels = whole_ticks(max((m["count"] for m in mistakes), default=1))
    chart.add("attempts", [m["count"] for m in mistakes])
    return _svg(chart)


@bp.get("/banks/<int:bank_id>/analytics/scores.svg")
@login_required
def bank_scores_chart(bank_id: int) -> Response:
    """The distribution of students' percent scores, in tenths, as an SVG bar chart."""
    bank = _bank(bank_id, staff=True)
    bins = score_bins(analytics.results(db.session, bank, chosen_version(bank)))
    chart = pygal.Bar(style=CHART_STYLE, width=720, height=360, show_legend=False, js=[],
                      x_title="score (percent)", y_title="students", explicit_size=False)
    chart.title = "Score distribution"
    chart.x_labels = [f"{10 * i}–{10 * i + 10}" for i in range(10)]
    chart.y_labels = whole_ticks(max(bins))
    chart.add("students", bins)
    return _svg(chart)


def score_bins(results: list[analytics.StudentResult]) -> list[int]:
    """Count students per tenth of percent score (the last bin holds 100%)."""
    bins = [0] * 10
    for r in results:
        bins[min(int(r.percent // 10), 9)] += 1
    return bins


@bp.app_template_global()
def bank_score_bins(results: list[analytics.StudentResult]) -> list[int]:
    return score_bins(results)


@bp.app_template_global()
def answer_text(answer: object) -> str:
    """An answer as the student typed it: `field = value; ...` for a form of fields."""
    if isinstance(answer, dict):
        return "; ".join(f"{k} = {v}" for k, v in answer.items())
    return "" if answer is None else str(answer)
