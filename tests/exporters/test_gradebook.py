"""Gradebook CSVs: Canvas's column layout, quoting of hard names, no formula injection."""

from __future__ import annotations

import csv
import io

from quizsvc.exporters.gradebook import (ATTEMPT_COLUMNS, BankColumn, StudentGrades, attempts_csv,
                                         canvas_gradebook)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_canvas_gradebook_layout():
    banks = [BankColumn(7, "Week 1: shapes, \"strides\""), BankColumn(9, "Ünïcode ∑")]
    students = [StudentGrades("Doe, Jane", 3, "SIS-3", "jdoe", "A", {7: 87.5, 9: None}),
                StudentGrades("=HYPERLINK(\"x\")", 4, "", "", "", {7: 0.0, 9: 100.0})]
    rows = _rows(canvas_gradebook(banks, students))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       'Week 1: shapes, "strides" (7)', "Ünïcode ∑ (9)"]
    assert rows[1][0].strip() == "Points Possible" and rows[1][5:] == ["100", "100"]
    assert rows[2] == ["Doe, Jane", "3", "SIS-3", "jdoe", "A", "87.5", ""]
    assert rows[3][0] == "'=HYPERLINK(\"x\")" and rows[3][5:] == ["0", "100"]


def test_attempts_csv_has_every_column_and_keeps_numbers_and_json():
    rows = _rows(attempts_csv([{"attempt_id": 1, "user_id": 2, "student": "@me", "score": 0.5,
                                "correct": False, "answer": '{"x": "-3"}', "seed": 2**53 - 1,
                                "item_ident": "conv_output_shape-v1-s4-easy"}]))
    assert tuple(rows[0]) == ATTEMPT_COLUMNS
    row = dict(zip(rows[0], rows[1]))
    assert row["student"] == "'@me" and row["score"] == "0.5" and row["correct"] == "false"
    assert row["answer"] == '{"x": "-3"}' and row["seed"] == str(2**53 - 1)
    assert row["misconception"] == ""
