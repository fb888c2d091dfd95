"""The Excel templates: one per reporting unit, pre-filled with its villages and crafts, headers
in Vietnamese with units from the schemas, drop-down lists for coded fields, and readable by the
intake as they come."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from intake_helpers import copy_db, options, run_cli, template

from analysis.intake.ingest import ingest_file
from analysis.intake.template import build_template, expected_units
from analysis.intake.workbook import (
    COVER_TITLE,
    FIRST_DATA_ROW,
    HEADER_EN_ROW,
    HEADER_ROW,
    INSTRUCTIONS_TITLE,
    LISTS_TITLE,
    TEMPLATE_VERSION,
    reporting_unit_table,
    sheet_specs,
)
from analysis.pipeline import load_dataset

SPECS = sheet_specs()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, sample_db: Path) -> Path:
    root = tmp_path_factory.mktemp("templates")
    return copy_db(sample_db, root / "store")


def _column(ws: object, row: int) -> list[object]:
    return [c.value for c in ws[row]]  # type: ignore[index]


def test_district_template_layout(db: Path, tmp_path: Path) -> None:
    path = template(db, "183", 2024, tmp_path)
    assert path.name == "bao-cao-2024-183-huyen-cao-loc.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        INSTRUCTIONS_TITLE,
        COVER_TITLE,
        "Số liệu thôn bản",
        "Cập nhật thôn bản",
        "Nghề hàng hóa",
        "Hoạt động và kinh phí",
        "Thuyết minh",
        LISTS_TITLE,
    ]
    assert wb[LISTS_TITLE].sheet_state == "hidden"
    cover = {ws_row[3].value: ws_row[1].value for ws_row in wb[COVER_TITLE].iter_rows(min_row=3)}
    assert (cover["unit_code"], cover["unit_name"], cover["year"]) == ("183", "Huyện Cao Lộc", 2024)
    assert cover["template_version"] == TEMPLATE_VERSION

    ws = wb["Số liệu thôn bản"]
    headers = _column(ws, HEADER_ROW)
    # Vietnamese headers with their units come from the schema's metadata; * marks required.
    assert headers[:4] == [
        "Mã thôn/bản *",
        "Tên thôn/bản",
        "Tổng số hộ của thôn (hộ) *",
        "Số hộ tham gia nghề (hộ) *",
    ]
    assert "Doanh thu (triệu đồng)" in headers
    assert "Thu nhập bình quân (triệu đồng/lao động/tháng)" in headers
    assert _column(ws, HEADER_EN_ROW)[3] == "Households in the craft"
    ids = [ws.cell(row=r, column=1).value for r in range(FIRST_DATA_ROW, ws.max_row + 1)]
    assert ids == ["CL-BACNGA", "CL-CONGSON", "CL-MAUSON", "CL-THACHDEN"]


def test_coded_fields_have_drop_down_lists(db: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(template(db, "183", 2024, tmp_path))
    lists = wb[LISTS_TITLE]
    recognition_labels = [lists.cell(row=r, column=1).value for r in range(2, 5)]
    assert recognition_labels == ["Chưa công nhận", "Làng nghề", "Làng nghề truyền thống"]
    ws = wb["Cập nhật thôn bản"]
    by_range = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    recognition = by_range[f"C{FIRST_DATA_ROW}:C{FIRST_DATA_ROW + 4 + 99}"]
    assert recognition.type == "list" and recognition.formula1 == f"'{LISTS_TITLE}'!$A$2:$A$4"
    figures = wb["Số liệu thôn bản"].data_validations.dataValidation
    kinds = {(dv.type, dv.formula1) for dv in figures}
    assert ("whole", "0") in kinds  # counts: whole numbers, not negative
    assert any(t == "list" and "$F$" in f for t, f in kinds)  # yes/no
    current = {
        ws.cell(row=r, column=1).value: ws.cell(row=r, column=3).value
        for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 4)
    }
    assert current["CL-CONGSON"] == "Làng nghề"  # pre-filled with what the store knows


def test_commune_template_lists_villages_of_two_former_districts(db: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(template(db, "06187", 2025, tmp_path))
    ws = wb["Số liệu thôn bản"]
    ids = [ws.cell(row=r, column=1).value for r in range(FIRST_DATA_ROW, ws.max_row + 1)]
    assert ids == ["CL-BACNGA", "CL-THACHDEN", "TP-VITQUAY"]
    crafts = wb["Nghề hàng hóa"]
    rows = [
        (crafts.cell(row=r, column=1).value, crafts.cell(row=r, column=2).value)
        for r in range(FIRST_DATA_ROW, crafts.max_row + 1)
    ]
    assert ("HUONG – Làm hương", "CL-BACNGA – Thôn Bắc Nga") in rows


def test_department_template_has_no_village_sheets(db: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(template(db, "SCT", 2025, tmp_path))
    assert "Số liệu thôn bản" not in wb.sheetnames
    assert {"Hoạt động và kinh phí", "Thuyết minh", COVER_TITLE} <= set(wb.sheetnames)


def test_blank_template_is_read_back_cleanly(db: Path, tmp_path: Path) -> None:
    """A template sent back untouched is rejected only for what the sender must add."""
    path = template(db, "183", 2024, tmp_path)
    result = ingest_file(path, options(copy_db(db, tmp_path / "copy"), tmp_path))
    # The sender, the figures of its four villages (or why they left), and its activities of
    # 2024 (already loaded: an empty sheet would delete them) are missing.
    assert result.codes == {"required", "village_missing", "activities_missing"}
    assert [p.header_en for p in result.errors if p.code == "required"] == [
        "Prepared by (full name)"
    ]
    missing = [p.rule_en.split(" ")[1] for p in result.errors if p.code == "village_missing"]
    assert missing == ["CL-BACNGA", "CL-CONGSON", "CL-MAUSON", "CL-THACHDEN"]


def test_text_is_never_written_as_a_formula(db: Path) -> None:
    tables = dict(load_dataset(db, build_if_missing=False).tables)
    villages = tables["villages"].copy()
    villages.loc[villages["village_id"] == "CL-BACNGA", "name_vi"] = '=HYPERLINK("http://x")'
    tables["villages"] = villages
    unit = reporting_unit_table().set_index("code").loc["183"].rename("183")
    unit["code"] = "183"
    wb = build_template(tables, unit, 2024)
    cell = wb["Số liệu thôn bản"].cell(row=FIRST_DATA_ROW, column=2)
    assert cell.value == '\'=HYPERLINK("http://x")' and cell.data_type == "s"


def test_template_verb_writes_one_per_unit(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = run_cli(
        ["template", "--year", "2025", "--unit", "all", "--out", str(out), "--db", str(db)]
    )
    assert code == 0
    villages = load_dataset(db, build_if_missing=False).villages
    expected = expected_units(villages, 2025)
    files = sorted(p.name for p in out.glob("*.xlsx"))
    assert len(files) == len(expected) == expected["code"].nunique()
    assert all(name.isascii() and "/" not in name for name in files)
    assert "bao-cao-2025-06187-phuong-ky-lua.xlsx" in files
    assert (
        run_cli(
            [
                "template",
                "--year",
                "2025",
                "--unit",
                "Kỳ Lừa",
                "--out",
                str(tmp_path / "one"),
                "--db",
                str(db),
            ]
        )
        == 0
    )
    assert [p.name for p in (tmp_path / "one").iterdir()] == [
        "bao-cao-2025-06187-phuong-ky-lua.xlsx"
    ]


def test_template_verb_usage_errors(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run_cli(
            [
                "template",
                "--year",
                "2025",
                "--unit",
                "Huyện Cao Lộc",
                "--db",
                str(db),
                "--out",
                str(tmp_path),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "2025" in err and "Traceback" not in err
    assert run_cli(["template", "--year", "2040", "--unit", "all", "--db", str(db)]) == 2
    assert (
        run_cli(
            ["template", "--year", "2024", "--unit", "all", "--db", str(tmp_path / "none.duckdb")]
        )
        == 2
    )
    assert list(tmp_path.glob("*.xlsx")) == []


def test_expected_units_follow_the_reform(db: Path) -> None:
    villages = load_dataset(db, build_if_missing=False).villages
    before = expected_units(villages, 2024)
    after = expected_units(villages, 2025)
    assert set(before["level"]) == {"district", "department"}
    assert (before["level"] == "district").sum() == 11
    assert set(after["level"]) == {"commune", "department"}
    assert set(after.loc[after["level"] == "commune", "code"]) == set(villages["commune_code"])
    assert isinstance(after, pd.DataFrame)


def test_template_from_synthetic_data_says_so(tmp_path: Path, sample_db: Path) -> None:
    from analysis.cli.main import main as cli_main

    code = cli_main(
        [
            "template",
            "--year",
            "2025",
            "--unit",
            "06187",
            "--out",
            str(tmp_path),
            "--db",
            str(sample_db),
        ]
    )
    assert code == 0
    (path,) = tmp_path.glob("*.xlsx")
    wb = openpyxl.load_workbook(path)
    first = wb.worksheets[0]
    assert first["A1"].value.startswith("DỮ LIỆU GIẢ LẬP")
    assert first["B1"].value.startswith("SYNTHETIC DATA")
    assert wb.properties.keywords == "synthetic"
