"""A withdrawal of a village's recognition, recorded through the workbook (the updates sheet's
last two columns), and the catalogue's withdrawal rules at the sheet's row and cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from intake_helpers import FIGURES_183_2024, copy_db, fill, options, template

from analysis.data.rules import catalogue
from analysis.intake.ingest import ingest_file, table_checksums
from analysis.pipeline import load_dataset

# Thôn Khuổi Lầy (CL-CONGSON), the only village of commune 06220 (Cao Lộc before the reform),
# was recognised as a craft village in 2024 (1129/QĐ-UBND, the sample's villages.csv).
UNIT, VILLAGE, YEAR = "06220", "CL-CONGSON", 2026


def _workbook(db: Path, folder: Path, **updates: object) -> Path:
    blank = template(db, UNIT, YEAR, folder / "template")
    return fill(
        blank,
        folder / "06220-2026.xlsx",
        figures={VILLAGE: FIGURES_183_2024[VILLAGE]},
        sent_on="05/12/2026",
        updates={VILLAGE: updates},
    )


def _letter(ws: openpyxl.worksheet.worksheet.Worksheet, header: str) -> str:
    """The letter of the column headed ``header`` (in the sheet's first rows)."""
    [letter] = [c.column_letter for r in ws.iter_rows(max_row=10) for c in r if c.value == header]
    return letter


def _row_and_header(path: Path, sheet: str, header: str) -> tuple[int, str]:
    """The Excel row of the village and the letter of the column headed ``header``."""
    ws = openpyxl.load_workbook(path)[sheet]
    [row] = [c.row for c in ws["A"] if c.value == VILLAGE]
    return row, _letter(ws, header)


def test_the_template_carries_the_withdrawal_columns(sample_db: Path, tmp_path: Path) -> None:
    # Na Rị (VQ-NARO, commune 06280) had its recognition withdrawn in 2025 (1862/QĐ-UBND):
    # the template pre-fills it, as it does every fact the store holds.
    blank = template(sample_db, "06280", YEAR, tmp_path)
    ws = openpyxl.load_workbook(blank)["Cập nhật thôn bản"]
    [row] = [c.row for c in ws["A"] if c.value == "VQ-NARO"]
    assert ws[f"{_letter(ws, 'Năm thu hồi công nhận')}{row}"].value == 2025
    assert ws[f"{_letter(ws, 'Quyết định thu hồi công nhận')}{row}"].value == "1862/QĐ-UBND"


def test_a_withdrawal_is_loaded_from_the_workbook(sample_db: Path, tmp_path: Path) -> None:
    db = copy_db(sample_db, tmp_path / "store")
    path = _workbook(db, tmp_path, withdrawal_year=2026, withdrawal_decision="2001/QĐ-UBND")
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome == "loaded", [p.describe("en") for p in result.problems]
    villages = load_dataset(db, build_if_missing=False).villages.set_index("village_id")
    assert villages.loc[VILLAGE, "withdrawal_year"] == 2026
    assert villages.loc[VILLAGE, "withdrawal_decision"] == "2001/QĐ-UBND"
    # The recognition itself is kept, as decided in 2024; the withdrawal ends it from 2026.
    assert villages.loc[VILLAGE, "recognition"] == "lang_nghe"
    assert villages.loc[VILLAGE, "recognition_decision"] == "1129/QĐ-UBND"


@pytest.mark.parametrize(
    ("updates", "code", "header"),
    [
        # The year without its decision: the catalogue's rule, at the decision's cell.
        ({"withdrawal_year": 2026}, "withdrawal_complete", "Quyết định thu hồi công nhận"),
        # Withdrawn in 2023, before its recognition in 2024.
        (
            {"withdrawal_year": 2023, "withdrawal_decision": "1/QĐ-UBND"},
            "withdrawal_after_recognition",
            "Năm thu hồi công nhận",
        ),
        # A withdrawal after the year reported on (intake's own rule on the submission).
        (
            {"withdrawal_year": 2027, "withdrawal_decision": "1/QĐ-UBND"},
            "year_after_report",
            "Năm thu hồi công nhận",
        ),
    ],
)
def test_a_broken_withdrawal_is_rejected_at_its_cell(
    sample_db: Path, tmp_path: Path, updates: dict[str, object], code: str, header: str
) -> None:
    db = copy_db(sample_db, tmp_path / "store")
    before = table_checksums(db)
    path = _workbook(db, tmp_path, **updates)
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome == "rejected"
    [problem] = [p for p in result.errors if p.code == code]
    row, letter = _row_and_header(path, "Cập nhật thôn bản", header)
    assert (problem.sheet, problem.row, problem.column) == ("Cập nhật thôn bản", row, letter)
    if code in catalogue():
        assert problem.source == catalogue()[code].source
    assert table_checksums(db) == before
