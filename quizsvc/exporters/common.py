"""Pieces two formats share: Moodle's grade scale (XML and GIFT), category paths, report comments."""

from __future__ import annotations

from quizsvc.exporters.items import Skipped

# Moodle accepts only these grades for an answer (and their negatives).
ALLOWED = ("100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333",
           "30", "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0")
# 100 / n for n = 1..10, the shares of n correct options of a multiple-answer question.
SHARE = {n: ALLOWED[i] for n, i in zip(range(1, 11), (0, 8, 10, 12, 13, 14, 15, 16, 17, 18))}


def fraction(value: float) -> str:
    """Return `value` (percent) as one of Moodle's allowed grades, or raise `ValueError`."""
    for text in ALLOWED:
        if abs(abs(value) - float(text)) < 1e-4:
            return ("-" if value < 0 and text != "0" else "") + text
    raise ValueError(f"{value}% is not a grade Moodle accepts")


def category_path(title: str, family: str, level: str) -> str:
    """Return the Moodle category of a family and level (``/`` in a name is written ``//``)."""
    parts = [p.replace("/", "//") for p in (title, family, level)]
    return "$course$/top/" + "/".join(parts)


def report_lines(skipped: list[Skipped], notes: list[str]) -> list[str]:
    """Return the export report as lines: the items left out and why, then the notes."""
    lines = []
    if skipped:
        lines.append(f"left out {len(skipped)} items:")
        lines += [f"  {s.ident}: {' '.join(s.reason.split())}" for s in skipped]
    if notes:
        lines.append("notes:")
        lines += [f"  {' '.join(n.split())}" for n in notes]
    return lines


def left_out_comment(skipped: list[Skipped], notes: list[str] = ()) -> str:
    """Return an XML comment with the export report (empty if there is nothing to say)."""
    lines = report_lines(skipped, list(notes))
    if not lines:
        return ""
    text = ("\n  ".join([""] + lines) + "\n").replace("--", "- -")
    return f"<!--{text}-->\n"
