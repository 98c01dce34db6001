"""Reading answers as people type them, and comparing them with a key."""

from quizsvc.answers.compare import (
    array_credit,
    compare_field,
    entry_costs,
    score_field,
)
from quizsvc.answers.parse import (
    MAX_ANSWER_CHARS,
    MAX_ENTRIES,
    parse_choice,
    parse_field,
    parse_matrix,
    parse_number,
    parse_shape,
    parse_vector,
)
from quizsvc.answers.tolerance import DEFAULT, Tolerance, tolerance_for

__all__ = [
    "DEFAULT",
    "MAX_ANSWER_CHARS",
    "MAX_ENTRIES",
    "Tolerance",
    "array_credit",
    "compare_field",
    "entry_costs",
    "parse_choice",
    "parse_field",
    "parse_matrix",
    "parse_number",
    "parse_shape",
    "parse_vector",
    "score_field",
    "tolerance_for",
]
