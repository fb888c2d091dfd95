"""Validation of the tidy tables: schema rules (pandera) and rules across columns and tables.

Every problem names the file, table (or sheet), row and column, the value found and the rule broken,
so that whoever sent the data can find and fix it. All problems are collected, not just the first.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from analysis.core.errors import AnalysisError
from analysis.data import reference
from analysis.data.schemas import table_specs


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place in the input."""

    table: str
    row: int | None
    column: str | None
    value: object
    rule: str
    file: str = ""
    severity: str = "error"  # or "warning": warnings inform, they do not reject

    def describe(self) -> str:
        """One line for people: where, what was found, which rule."""
        where = [self.file or self.table]
        if self.file:
            where.append(f"table {self.table}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        value = "" if _blank(self.value) else f" (found {self.value!r})"
        return f"{', '.join(where)}: {self.rule}{value}"


def _blank(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


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
            row = int(index) + row_offset if not _blank(index) else None
            column = case.column if isinstance(case.column, str) else None
            value = case.failure_case
            if case.schema_context == "DataFrameSchema" and str(case.check).startswith(
                ("column_in_dataframe", "column_in_schema")
            ):
                column, value = str(case.failure_case), None
            problems.append(Problem(name, row, column, value, _rule_text(case.check), file=file))
        return None, problems


def _rows(frame: pd.DataFrame, mask: pd.Series) -> list[int]:
    return list(frame.index[mask.fillna(False).astype(bool)])


def _foreign_key(
    child: pd.DataFrame,
    child_name: str,
    column: str,
    allowed: set[str],
    what: str,
    files: dict[str, str],
    offsets: dict[str, int],
) -> list[Problem]:
    bad = ~child[column].isin(allowed) & child[column].notna()
    return [
        Problem(
            child_name,
            int(i) + offsets.get(child_name, 2),
            column,
            child.at[i, column],
            f"unknown code: not in {what}",
            file=files.get(child_name, ""),
        )
        for i in _rows(child, bad)
    ]


def _not_above(
    frame: pd.DataFrame,
    name: str,
    low: str,
    high: str,
    files: dict[str, str],
    offsets: dict[str, int],
) -> list[Problem]:
    bad = frame[low] > frame[high]
    return [
        Problem(
            name,
            int(i) + offsets.get(name, 2),
            low,
            frame.at[i, low],
            f"{low} must not be above {high} ({frame.at[i, high]})",
            file=files.get(name, ""),
        )
        for i in _rows(frame, bad)
    ]


def reporting_unit_codes() -> set[str]:
    """Codes that may report: the 11 districts, the 2025 communes, the departments."""
    return (
        set(reference.districts()["code"])
        | set(reference.communes_2025()["code"])
        | set(reference.departments()["code"])
    )


def check_relations(
    tables: dict[str, pd.DataFrame],
    *,
    files: dict[str, str] | None = None,
    offsets: dict[str, int] | None = None,
    check_places: bool = True,
) -> list[Problem]:
    """Rules across columns and tables: codes that exist, counts that nest, consistent fields.

    ``check_places`` is False for data sets of other provinces (the national benchmark set).
    """
    files = files or {}
    offsets = offsets or {}
    problems: list[Problem] = []
    crafts, villages = tables["crafts"], tables["villages"]
    vy, dc = tables["village_year"], tables["district_crafts"]

    craft_ids = set(crafts["craft_id"])
    problems += _foreign_key(villages, "villages", "craft_id", craft_ids, "crafts", files, offsets)
    problems += _foreign_key(dc, "district_crafts", "craft_id", craft_ids, "crafts", files, offsets)
    problems += _foreign_key(
        vy, "village_year", "village_id", set(villages["village_id"]), "villages", files, offsets
    )
    if check_places:
        districts = set(reference.districts()["code"])
        problems += _foreign_key(
            villages,
            "villages",
            "district_code",
            districts,
            "the 11 district-level units",
            files,
            offsets,
        )
        problems += _foreign_key(
            dc,
            "district_crafts",
            "district_code",
            districts,
            "the 11 district-level units",
            files,
            offsets,
        )
        old = reference.communes_pre2025()
        problems += _foreign_key(
            villages,
            "villages",
            "old_commune_code",
            set(old["code"]),
            "the communes before 2025",
            files,
            offsets,
        )
        problems += _foreign_key(
            villages,
            "villages",
            "commune_code",
            set(reference.communes_2025()["code"]),
            "the 65 communes and wards of 2025",
            files,
            offsets,
        )
        units = reporting_unit_codes()
        for name in ("activities", "submissions"):
            problems += _foreign_key(
                tables[name], name, "unit_code", units, "the reporting units", files, offsets
            )
        # The former commune must lie in the stated district, and the 2025 commune must be one
        # that the former commune went into (never match places by name alone).
        old_district = old.set_index("code")["district_code"]
        stated = villages["old_commune_code"].map(old_district)
        wrong = stated.notna() & (stated != villages["district_code"])
        problems += [
            Problem(
                "villages",
                int(i) + offsets.get("villages", 2),
                "district_code",
                villages.at[i, "district_code"],
                f"former commune {villages.at[i, 'old_commune_code']} is in district {stated[i]}",
                file=files.get("villages", ""),
            )
            for i in _rows(villages, wrong)
        ]
        pairs = set(
            zip(
                reference.commune_map()["old_code"],
                reference.commune_map()["new_code"],
                strict=True,
            )
        )
        known_old = villages["old_commune_code"].isin(old_district.index)
        unmapped = known_old & ~pd.Series(
            [
                (o, n) in pairs
                for o, n in zip(villages["old_commune_code"], villages["commune_code"], strict=True)
            ],
            index=villages.index,
        )
        problems += [
            Problem(
                "villages",
                int(i) + offsets.get("villages", 2),
                "commune_code",
                villages.at[i, "commune_code"],
                f"former commune {villages.at[i, 'old_commune_code']} did not go into this "
                "2025 commune (commune_map.csv)",
                file=files.get("villages", ""),
            )
            for i in _rows(villages, unmapped)
        ]

    problems += _not_above(
        vy, "village_year", "households_craft", "households_total", files, offsets
    )
    problems += _not_above(vy, "village_year", "workers_trained", "workers_regular", files, offsets)
    problems += _not_above(vy, "village_year", "facilities_compliant", "facilities", files, offsets)

    recognised = villages["recognition"] != "none"
    for column in ("recognition_date", "recognition_regime"):
        missing = recognised & villages[column].isna()
        problems += [
            Problem(
                "villages",
                int(i) + offsets.get("villages", 2),
                column,
                None,
                "a recognised village needs its recognition date and regime",
                file=files.get("villages", ""),
            )
            for i in _rows(villages, missing)
        ]
    stray = ~recognised & villages["recognition_date"].notna()
    problems += [
        Problem(
            "villages",
            int(i) + offsets.get("villages", 2),
            "recognition_date",
            villages.at[i, "recognition_date"],
            "recognition date given for a village that is not recognised",
            file=files.get("villages", ""),
        )
        for i in _rows(villages, stray)
    ]
    no_year = (villages["trademark"] != "none") & villages["trademark_since"].isna()
    problems += [
        Problem(
            "villages",
            int(i) + offsets.get("villages", 2),
            "trademark_since",
            None,
            "a trademark or geographical indication needs the year it was granted",
            file=files.get("villages", ""),
        )
        for i in _rows(villages, no_year)
    ]
    return problems
