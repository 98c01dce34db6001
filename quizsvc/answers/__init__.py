"""Reading answers as people type them, and comparing them with a key."""

from quizsvc.answers.compare import RTOL, ATOL, compare_field, tolerance_for
from quizsvc.answers.parse import (
    MAX_ANSWER_CHARS, MAX_ENTRIES, parse_field, parse_matrix, parse_number,
    parse_shape, parse_vector, parse_choice,
)

__all__ = [
    "RTOL", "ATOL", "compare_field", "tolerance_for", "MAX_ANSWER_CHARS", "MAX_ENTRIES",
    "parse_field", "parse_matrix", "parse_number", "parse_shape", "parse_vector",
    "parse_choice",
]
