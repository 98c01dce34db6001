"""Grades out of the service: a Canvas-importable gradebook CSV and a CSV of every attempt.

The builders take plain rows, so that they know nothing of the database; the
service gathers the rows (`quizsvc.exporters.grades`). Text cells that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) get a
leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
ATTEMPT_COLUMNS = ("attempt_id", "created_at", "user_id", "student", "sis_user_id", "bank_id",
                   "bank_version", "problem_id", "item_ident", "family", "version", "seed", "level", "seq",
                   "score", "correct", "misconception", "answer")


@dataclass(frozen=True)
class BankColumn:
    """One graded bank: a gradebook column titled ``Title (id)``."""

    id: int
    title: str
    points: float = 100.0


@dataclass
class StudentGrades:
    """One gradebook row: who the student is, and a score per bank id (None: no grade)."""

    name: str
    user_id: Any
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    scores: dict[int, float | None] = field(default_factory=dict)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value == value else ""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _write(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) if not isinstance(v, (int, float)) or isinstance(v, bool)
                         else (str(v) if isinstance(v, int) else _cell(v)) for v in row])
    return buf.getvalue()


def canvas_gradebook(banks: Sequence[BankColumn], students: Iterable[StudentGrades]) -> str:
    """Return the CSV Canvas imports into its gradebook, with a Points Possible row."""
    header = [*CANVAS_COLUMNS, *(f"{b.title} ({b.id})" for b in banks)]
    points = ["    Points Possible", "", "", "", "", *(b.points for b in banks)]
    rows = [points] + [[s.name, s.user_id, s.sis_user_id, s.sis_login_id, s.section,
                        *(s.scores.get(b.id) for b in banks)] for s in students]
    return _write(header, rows)


def attempts_csv(rows: Iterable[dict[str, Any]]) -> str:
    """Return one CSV line per attempt (columns `ATTEMPT_COLUMNS`; missing keys stay empty)."""
    return _write(ATTEMPT_COLUMNS, ([r.get(c) for c in ATTEMPT_COLUMNS] for r in rows))
