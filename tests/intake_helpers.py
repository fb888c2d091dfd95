"""Shared helpers of the intake tests: private copies of the store, templates filled in as a
reporting unit would, and the options every test ingests with (a fixed "now"). The store itself
is ``conftest.sample_db`` (built once per session from the shipped sample)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd

from analysis.intake.ingest import IntakeOptions
from analysis.intake.template import write_template
from analysis.intake.workbook import (
    COVER_FIELDS,
    COVER_TITLE,
    FIRST_DATA_ROW,
    reporting_unit_table,
    sheet_specs,
)
from analysis.pipeline import load_dataset

#: The moment every test ingests at (after the 2026 deadline, so all test dates are past).
NOW = datetime(2027, 1, 15, 9, 30)
SENT = datetime(2024, 12, 10)

#: Figures a district fills in for its villages in 2024: close to the sample's 2024 values, so
#: that no cross-year warning fires. Order: the village_year sheet's figure columns.
FIGURES_183_2024 = {
    "CL-BACNGA": [131, 64, 111, 77, 67, 67, "Không", "Không", 8344.1, 5.34, 0, 0],
    "CL-CONGSON": [100, 71, 147, 101, 71, 71, "Có", "Có", 12937.9, 8.78, 1, 4],
    "CL-MAUSON": [229, 132, 267, 204, 133, 117, "Không", "Không", 18056.6, 8.47, 0, 0],
    "CL-THACHDEN": [214, 53, 107, 77, 56, 49, "Không", "Không", 5858.5, 7.22, 0, 0],
}
FIGURE_COLUMNS = [f.name for f in sheet_specs()["village_year"].fields[2:] if f.kind != "reason"]


def copy_db(base: Path, folder: Path) -> Path:
    """A private copy of the base store for one test."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "langson.duckdb"
    shutil.copyfile(base, target)
    return target


def options(db: Path, folder: Path, **kwargs: object) -> IntakeOptions:
    """Ingest options writing under ``folder``, at the fixed test time."""
    return IntakeOptions(
        db_path=db,
        quarantine_dir=folder / "quarantine",
        archive_dir=folder / "received",
        now=NOW,
        **kwargs,
    )  # type: ignore


def unit(code: str) -> pd.Series:
    """A reporting unit's row by code."""
    table = reporting_unit_table()
    return table[table["code"] == code].iloc[0]


def template(db: Path, code: str, year: int, folder: Path) -> Path:
    """The template of a unit and year, written from the store ``db``."""
    ds = load_dataset(db, build_if_missing=False)
    return write_template(ds.tables, unit(code), year, folder)


def column_of(sheet_key: str, field: str) -> int:
    """1-based column of a field in a template sheet."""
    names = [f.name for f in sheet_specs()[sheet_key].fields]
    return names.index(field) + 1


def cover_row(field: str) -> int:
    """Row of a cover item in the template."""
    return 3 + [f.name for f in COVER_FIELDS].index(field)


def fill(
    path: Path,
    out: Path,
    *,
    figures: dict[str, list[object]],
    sender: object = "Nguyễn Thị Lan",
    sent_on: object = SENT,
    activities: list[list[object]] | None = None,
    narrative: dict[str, str] | None = None,
    crafts: list[list[object]] | None = None,
    updates: dict[str, dict[str, object]] | None = None,
    left: str | dict[str, str] | None = None,
) -> Path:
    """Fill a template as a reporting unit would and save it as ``out``. ``left`` is the reason
    (a drop-down label) given for villages without figures: one for all of them, or by village."""
    wb = openpyxl.load_workbook(path)
    specs = sheet_specs()
    ws = wb[COVER_TITLE]
    ws.cell(row=cover_row("sender"), column=2).value = sender
    ws.cell(row=cover_row("sent_on"), column=2).value = sent_on
    ws = wb[specs["village_year"].title]
    rows = {ws.cell(row=r, column=1).value: r for r in range(FIRST_DATA_ROW, ws.max_row + 1)}
    for village, values in figures.items():
        for offset, value in enumerate(values):
            ws.cell(row=rows[village], column=3 + offset).value = value
    reasons = left if isinstance(left, dict) else dict.fromkeys(rows, left) if left else {}
    for village, reason in reasons.items():
        if village in rows and village not in figures:
            ws.cell(
                row=rows[village], column=column_of("village_year", "left_reason")
            ).value = reason
    if updates:
        ws = wb[specs["village_updates"].title]
        rows = {ws.cell(row=r, column=1).value: r for r in range(FIRST_DATA_ROW, ws.max_row + 1)}
        for village, values in updates.items():
            for name, value in values.items():
                column = column_of("village_updates", name)
                ws.cell(row=rows[village], column=column).value = value
    if crafts is not None:
        ws = wb[specs["district_crafts"].title]
        for r in range(FIRST_DATA_ROW, ws.max_row + 1):
            for c in range(1, 4):
                ws.cell(row=r, column=c).value = None
        for offset, values in enumerate(crafts):
            for c, value in enumerate(values, start=1):
                ws.cell(row=FIRST_DATA_ROW + offset, column=c).value = value
    ws = wb[specs["activities"].title]
    # No activities given: the sheet says so, as a unit with none must (else, when the store
    # holds the unit-year's activities, the workbook would delete them and is rejected).
    for offset, values in enumerate(activities or [["Không có hoạt động"]]):
        for c, value in enumerate(values, start=1):
            ws.cell(row=FIRST_DATA_ROW + offset, column=c).value = value
    ws = wb[specs["narrative"].title]
    sections = [ws.cell(row=r, column=1).value for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 4)]
    for section, text in (narrative or {}).items():
        ws.cell(row=FIRST_DATA_ROW + sections.index(section), column=3).value = text
    wb.save(out)
    return out


def good_183_2024(db: Path, folder: Path) -> Path:
    """A complete, valid workbook of Huyện Cao Lộc (183) for 2024."""
    blank = template(db, "183", 2024, folder / "templates")
    return fill(
        blank,
        folder / "cao-loc-2024.xlsx",
        figures=FIGURES_183_2024,
        activities=[
            ["Bảo tồn, khôi phục nghề", "Ngân sách tỉnh", 120, 109.1, 0, 0, 0, None],
            [
                "Đào tạo nghề, truyền nghề",
                "Ngân sách cấp huyện/xã",
                80,
                80,
                25,
                0,
                0,
                "Hai lớp nấu rượu men lá",
            ],
        ],
        narrative={
            "strengths": "Duy trì ổn định các nghề truyền thống.",
            "proposals": "Đề nghị hỗ trợ xây dựng nhãn hiệu tập thể.",
        },
    )


def run_cli(argv: list[str]) -> int:
    """``python -m analysis ARGV`` in this process; the exit code, argparse's usage errors too."""
    from analysis.cli.main import main

    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
