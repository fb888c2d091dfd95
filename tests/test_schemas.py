"""Schemas and validation on good and bad rows: each problem names table, row and column."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import config
from analysis.data.store import read_raw_table, validate_raw
from analysis.data.store_file import content_fingerprint
from analysis.data.validation import DataValidationError, check_relations, check_schema
from analysis.pipeline import build_store


@pytest.fixture()
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped sample tables."""
    target = tmp_path / "raw"
    shutil.copytree(config.SAMPLE_DIR, target)
    return target


def _edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a raw CSV (``row`` 0-based among data rows), keeping the comment line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    comments = [line for line in lines if line.startswith("#")]
    frame, _ = read_raw_table(path)
    frame.loc[row, column] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(comments)
        frame.to_csv(handle, index=False, lineterminator="\n")


def test_shipped_sample_validates() -> None:
    tables, info = validate_raw(config.SAMPLE_DIR)
    assert info["synthetic"] is True
    assert set(tables) == {
        "crafts",
        "villages",
        "village_year",
        "district_crafts",
        "activities",
        "submissions",
    }
    assert len(tables["villages"]) == 30


def test_negative_count_names_file_row_column(raw_copy: Path) -> None:
    # data row 0-based 3 sits on file line 6: one comment line, one header line, rows 0-2.
    _edit_csv(raw_copy / "village_year.csv", 3, "households_craft", "-5")
    with pytest.raises(DataValidationError) as err:
        validate_raw(raw_copy)
    problem = err.value.problems[0]
    assert (problem.table, problem.row, problem.column) == ("village_year", 6, "households_craft")
    assert "greater_than_or_equal_to(0)" in problem.rule
    assert "village_year.csv" in str(err.value) and "row 6" in str(err.value)


def test_wrong_type_and_unknown_code_reported_together(raw_copy: Path) -> None:
    _edit_csv(raw_copy / "village_year.csv", 0, "workers_regular", "nhiều")
    _edit_csv(raw_copy / "activities.csv", 2, "funding_source", "ngan_sach")
    with pytest.raises(DataValidationError) as err:
        validate_raw(raw_copy)
    found = {(p.table, p.row, p.column) for p in err.value.problems}
    assert ("village_year", 3, "workers_regular") in found
    assert ("activities", 5, "funding_source") in found


def test_nfd_text_rejected(raw_copy: Path) -> None:
    _edit_csv(
        raw_copy / "villages.csv", 1, "name_vi", unicodedata.normalize("NFD", "Thôn Bản Piềng")
    )
    with pytest.raises(DataValidationError) as err:
        validate_raw(raw_copy)
    problem = err.value.problems[0]
    assert (problem.table, problem.row, problem.column) == ("villages", 4, "name_vi")
    assert "NFC" in problem.rule


def test_foreign_keys_and_nesting() -> None:
    tables, _ = validate_raw(config.SAMPLE_DIR)
    vy = tables["village_year"].copy()
    vy.loc[0, "households_craft"] = vy.loc[0, "households_total"] + 1
    vy.loc[1, "village_id"] = "NO-SUCH"
    villages = tables["villages"].copy()
    villages.loc[0, "commune_code"] = "99999"
    problems = check_relations({**tables, "village_year": vy, "villages": villages})
    found = {(p.table, p.row, p.column) for p in problems}
    assert ("village_year", 2, "households_craft") in found
    assert ("village_year", 3, "village_id") in found
    assert ("villages", 2, "commune_code") in found


def test_village_in_wrong_district_rejected() -> None:
    """Never match places by name alone: the former commune fixes the district."""
    tables, _ = validate_raw(config.SAMPLE_DIR)
    villages = tables["villages"].copy()
    villages.loc[0, "district_code"] = "189"
    problems = check_relations({**tables, "villages": villages})
    assert any(p.column == "district_code" and "is in district" in p.rule for p in problems)


def test_missing_column_and_duplicate_key() -> None:
    tables, _ = validate_raw(config.SAMPLE_DIR)
    vy = tables["village_year"].drop(columns=["facilities"])
    _, problems = check_schema("village_year", vy)
    assert any(p.column == "facilities" and "missing" in p.rule for p in problems)
    dup = pd.concat([tables["village_year"], tables["village_year"].iloc[[0]]], ignore_index=True)
    _, problems = check_schema("village_year", dup)
    assert any("duplicate" in p.rule for p in problems)


def test_rejected_build_leaves_store_unchanged(raw_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    build_store(config.SAMPLE_DIR, db)
    before = content_fingerprint(db)
    _edit_csv(raw_copy / "village_year.csv", 0, "year", "1999")
    with pytest.raises(DataValidationError):
        build_store(raw_copy, db)
    assert content_fingerprint(db) == before
    assert not db.with_name(db.name + ".tmp").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"craft_id,name_vi\nHUONG,a\nRUOU,b,c,d\n", "Expected 2 fields in line 3, saw 4"),
        ("craft_id,name_vi\nHUONG,Làm hương\n".encode("cp1258"), "not a readable UTF-8 CSV"),
        (b"", "not a readable UTF-8 CSV table"),
    ],
)
def test_unreadable_csv_named_not_a_traceback(raw_copy: Path, content: bytes, reason: str) -> None:
    (raw_copy / "crafts.csv").write_bytes(content)
    with pytest.raises(DataValidationError) as err:
        validate_raw(raw_copy)
    assert any(p.table == "crafts" and reason in p.rule for p in err.value.problems)
    assert "crafts.csv" in str(err.value)
