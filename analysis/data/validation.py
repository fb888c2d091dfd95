"""Validation of the tidy tables: schema rules (pandera) and the catalogue of rules across
columns and tables (``analysis.data.rules``, ``data/reference/rules.yaml``).

Every problem names the file, table (or sheet), row and column, the value found and the rule broken,
so that whoever sent the data can find and fix it. All problems are collected, not just the first.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from analysis.core.errors import AnalysisError
from analysis.data.problems import Problem, is_blank
from analysis.data.rules import check_rules, reporting_unit_codes
from analysis.data.schemas import table_specs

__all__ = [
    "DataValidationError",
    "check_relations",
    "check_schema",
    "reporting_unit_codes",
]


class DataValidationError(AnalysisError, ValueError):
    """Raised when input tables break rules; carries every problem found."""

    def __init__(self, problems: list[Problem], limit: int = 30):
        self.problems = problems
        lines = [p.describe() for p in problems[:limit]]
        more = len(problems) - limit
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__(f"{len(problems)} problem(s) in the input data:\n  " + "\n  ".join(lines))


def _rule_text(check: object) -> str:
    text = str(check)
    replacements = {
        "not_nullable": "a value is required",
        "column_in_dataframe": "required column is missing",
        "column_in_schema": "unexpected column (not in the data model)",
        "field_uniqueness": "duplicate value where each must be unique",
        "multiple_fields_uniqueness": "duplicate key (the same row twice)",
    }
    for key, words in replacements.items():
        if text.startswith(key):
            return words
    if text.startswith("coerce_dtype"):
        return f"wrong type: expected {text.split('(', 1)[-1].rstrip(')')}"
    if text.startswith("dtype("):
        return f"wrong type: expected {text[6:].rstrip(')')}"
    return text


def check_schema(
    name: str, frame: pd.DataFrame, *, file: str = "", row_offset: int = 2
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Validate one table against its schema; return (coerced table or None, problems).

    ``row_offset`` turns a 0-based data index into the row number people see in the file
    (2 for a CSV or sheet whose first line is the header).
    """
    schema = table_specs()[name].schema
    try:
        return schema.validate(frame, lazy=True), []
    except pa.errors.SchemaErrors as exc:
        problems = []
        cases = exc.failure_cases
        for case in cases.itertuples(index=False):
            index = case.index
            row = int(index) + row_offset if not is_blank(index) else None
            column = case.column if isinstance(case.column, str) else None
            value = case.failure_case
            if case.schema_context == "DataFrameSchema" and str(case.check).startswith(
                ("column_in_dataframe", "column_in_schema")
            ):
                column, value = str(case.failure_case), None
            problems.append(Problem(name, row, column, value, _rule_text(case.check), file=file))
        return None, problems


def check_relations(
    tables: dict[str, pd.DataFrame],
    *,
    files: dict[str, str] | None = None,
    offsets: dict[str, int] | None = None,
    check_places: bool = True,
) -> list[Problem]:
    """Rules across columns and tables: the catalogue of ``rules.yaml`` (codes that exist,
    counts that nest, recognitions and restorations the law allows, withdrawals), each problem
    with its rule id and legal source (:func:`analysis.data.rules.check_rules`).

    ``check_places`` is False for data sets of other provinces (the national benchmark set).
    """
    return check_rules(tables, files=files, offsets=offsets, check_places=check_places)
