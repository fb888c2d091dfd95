"""The templates: one Excel workbook per reporting unit and year, pre-filled from the store
(its villages, their current status, its crafts), in the layout of ``analysis.intake.workbook``,
with drop-down lists, number checks, instructions, and the synthetic-data notice when it applies.
Text is always written as text, and text that begins like a formula is made inert."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analysis.core.text import defuse_formula, slugify
from analysis.data import reference
from analysis.data.timeliness import deadline, reporting_units
from analysis.intake.workbook import (
    COVER_FIELDS,
    COVER_TITLE,
    FIRST_DATA_ROW,
    HEADER_EN_ROW,
    HEADER_ROW,
    INSTRUCTIONS_TITLE,
    LEVEL_LABELS,
    LISTS_TITLE,
    NARRATIVE_SECTIONS,
    SPARE_ROWS,
    TEMPLATE_VERSION,
    TITLE_ROW,
    YES_NO,
    Field,
    SheetSpec,
    code_label,
    reporting_unit_table,
    sheet_specs,
    unit_level_for_year,
    unit_villages,
)

# ------------------------------------------------------------------------------------ templates

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_KEY_FILL = PatternFill("solid", fgColor="EDEDED")
_WRAP = Alignment(wrap_text=True, vertical="top")
_NUMBER_FORMATS = {"int": "#,##0", "float": "#,##0.0", "date": "dd/mm/yyyy", "year": "0"}


def _set_text(ws: Worksheet, row: int, column: int, value: object) -> None:
    """Write a value; text is always stored as text, never as a formula (and text that starts
    like one is made inert, ``core.text.defuse_formula``)."""
    cell = ws.cell(row=row, column=column)
    cell.value = defuse_formula(value)
    if isinstance(value, str):
        cell.data_type = "s"


def _write_lists(wb: Workbook, lists: dict[str, list[str]]) -> dict[str, str]:
    """The hidden sheet of drop-down lists; return each list's range formula."""
    ws = wb.create_sheet(LISTS_TITLE)
    ranges = {}
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        _set_text(ws, 1, index, name)
        for row, value in enumerate(values, start=2):
            _set_text(ws, row, index, value)
        last = max(2, len(values) + 1)
        ranges[name] = f"'{LISTS_TITLE}'!${letter}$2:${letter}${last}"
    ws.sheet_state = "hidden"
    return ranges


def _validation(field: Field, ranges: dict[str, str], year: int) -> DataValidation | None:
    """The Excel check of a column: a drop-down list, or a number range."""
    prompt_title = field.vi[:32]
    if (
        field.kind in ("code", "bool", "craft", "village", "reason")
        and field.name != "village_name"
    ):
        key = field.codes or field.kind
        if key not in ranges:
            return None
        dv = DataValidation(type="list", formula1=ranges[key], allow_blank=True)
        dv.error = "Hãy chọn một giá trị trong danh sách."
    elif field.kind == "int":
        dv = DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        )
        dv.error = "Hãy nhập số nguyên không âm."
    elif field.kind == "float":
        dv = DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        )
        dv.error = "Hãy nhập số không âm."
    elif field.kind == "year":
        dv = DataValidation(
            type="whole", operator="between", formula1="1900", formula2=str(year), allow_blank=True
        )
        dv.error = f"Hãy nhập năm (không sau {year})."
    else:
        return None
    dv.errorTitle = prompt_title
    dv.showErrorMessage = True
    return dv


def _write_table_sheet(
    wb: Workbook,
    spec: SheetSpec,
    rows: pd.DataFrame,
    ranges: dict[str, str],
    year: int,
    unit_name: str,
) -> None:
    """One data sheet: title, Vietnamese and English headers, pre-filled rows, checks."""
    ws = wb.create_sheet(spec.title)
    _set_text(ws, TITLE_ROW, 1, f"{spec.heading_vi.format(year=year)} — {unit_name}")
    ws.cell(row=TITLE_ROW, column=1).font = Font(bold=True, size=13)
    last_row = FIRST_DATA_ROW + len(rows) + SPARE_ROWS - 1
    for col, field in enumerate(spec.fields, start=1):
        letter = get_column_letter(col)
        head = ws.cell(row=HEADER_ROW, column=col)
        _set_text(ws, HEADER_ROW, col, field.header_vi + (" *" if field.required else ""))
        head.font = Font(bold=True)
        head.fill = _HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center")
        _set_text(ws, HEADER_EN_ROW, col, field.header_en)
        ws.cell(row=HEADER_EN_ROW, column=col).font = Font(italic=True, size=9, color="7F7F7F")
        ws.column_dimensions[letter].width = field.width
        number_format = _NUMBER_FORMATS.get(field.kind, "@")
        for offset, value in enumerate(rows.get(field.name, pd.Series(dtype=object))):
            row = FIRST_DATA_ROW + offset
            _set_text(ws, row, col, None if _is_blank(value) else value)
            cell = ws.cell(row=row, column=col)
            cell.number_format = number_format
            if field.kind in ("village", "info") and spec.key in (
                "village_year",
                "village_updates",
            ):
                cell.fill = _KEY_FILL
            if field.kind == "text":
                cell.alignment = _WRAP
        dv = _validation(field, ranges, year)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=3 if spec.key.startswith("village") else 1)


def _write_narrative(wb: Workbook, spec: SheetSpec, year: int, unit_name: str) -> None:
    """The narrative sheet: one tall row per section."""
    rows = pd.DataFrame(
        {
            "section": list(NARRATIVE_SECTIONS),
            "section_title": [s["vi"] for s in NARRATIVE_SECTIONS.values()],
            "text_vi": [None] * len(NARRATIVE_SECTIONS),
        }
    )
    _write_table_sheet(wb, spec, rows, {}, year, unit_name)
    ws = wb[spec.title]
    for offset in range(len(rows)):
        ws.row_dimensions[FIRST_DATA_ROW + offset].height = 150
        ws.cell(row=FIRST_DATA_ROW + offset, column=1).fill = _KEY_FILL
        ws.cell(row=FIRST_DATA_ROW + offset, column=2).alignment = _WRAP


def _write_cover(wb: Workbook, values: dict[str, object]) -> None:
    """The cover sheet: label, value, English label, key (hidden column D)."""
    ws = wb.create_sheet(COVER_TITLE)
    _set_text(ws, 1, 1, "BÁO CÁO SỐ LIỆU THỰC HIỆN KẾ HOẠCH 244/KH-UBND — THÔNG TIN CHUNG")
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    for offset, field in enumerate(COVER_FIELDS):
        row = 3 + offset
        _set_text(ws, row, 1, field.vi + (" *" if field.required else ""))
        ws.cell(row=row, column=1).font = Font(bold=True)
        value = values.get(field.name)
        _set_text(ws, row, 2, value)
        cell = ws.cell(row=row, column=2)
        cell.number_format = _NUMBER_FORMATS.get(field.kind, "@")
        if field.name in ("unit_code", "unit_name", "unit_level", "year", "template_version"):
            cell.fill = _KEY_FILL
        _set_text(ws, row, 3, field.en)
        ws.cell(row=row, column=3).font = Font(italic=True, size=9, color="7F7F7F")
        _set_text(ws, row, 4, field.name)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 26
    ws.column_dimensions["D"].hidden = True


def instructions(year: int, level: str) -> list[tuple[str, str]]:
    """The instructions sheet, line by line (Vietnamese, English)."""

    due = deadline(year)
    lines = [
        ("HƯỚNG DẪN ĐIỀN BIỂU MẪU", "HOW TO FILL IN THIS WORKBOOK"),
        ("", ""),
        (
            f"1. Biểu mẫu báo cáo số liệu năm {year} theo Kế hoạch 244/KH-UBND. Hạn gửi: "
            f"{due:%d/%m/%Y}.",
            f"1. Yearly figures for {year} under Plan 244/KH-UBND. Deadline: {due:%d %b %Y}.",
        ),
        (
            "2. Trang «Thông tin chung»: ghi họ tên người lập biểu, chức vụ, điện thoại và ngày "
            "gửi. Không sửa mã đơn vị và năm báo cáo.",
            "2. Cover: enter who prepared the figures and the date sent. Do not change the unit "
            "code or the year.",
        ),
    ]
    if level != "department":
        lines += [
            (
                "3. Trang «Số liệu thôn bản»: mỗi dòng là một thôn, bản có nghề (đã điền sẵn). "
                "Nhập số liệu của năm báo cáo. Cột có dấu * là bắt buộc. Số hộ tham gia nghề không "
                "vượt quá tổng số hộ của thôn; số cơ sở đạt quy định BVMT không vượt quá số cơ sở.",
                "3. Village figures: one row per village (pre-filled). Columns marked * are "
                "required. Households in the craft cannot exceed the village's households; "
                "compliant facilities cannot exceed facilities.",
            ),
            (
                "4. Trang «Cập nhật thôn bản»: tình trạng công nhận, gắn với du lịch, nhãn hiệu "
                "(đã điền theo dữ liệu hiện có). Chỉ sửa khi có thay đổi; ngày công nhận không sau "
                "năm báo cáo. Khi danh hiệu bị thu hồi: giữ nguyên thông tin công nhận, ghi năm "
                "và số quyết định thu hồi.",
                "4. Village updates: recognition, tourism and trademark as known now. Change only "
                "what changed; recognition cannot be after the reporting year. When a recognition "
                "is withdrawn: keep the recognition as it was and enter the year and number of the "
                "withdrawal decision.",
            ),
            (
                "5. Trang «Nghề hàng hóa»: các nghề được sản xuất thành hàng hóa trên địa bàn, "
                "chọn nghề và thôn, bản sản xuất trong danh sách.",
                "5. Commodity crafts: the crafts produced as commodities; pick the craft and the "
                "village from the lists.",
            ),
        ]
    lines += [
        (
            "6. Trang «Hoạt động và kinh phí»: mỗi dòng một nhóm nhiệm vụ và nguồn kinh phí; số "
            "tiền tính bằng triệu đồng.",
            "6. Activities and funding: one row per task group and funding source, in million VND.",
        ),
        (
            "7. Trang «Thuyết minh»: kết quả đạt được, tồn tại và nguyên nhân, nhiệm vụ năm sau, "
            "đề xuất, kiến nghị.",
            "7. Narrative: achievements, shortcomings and causes, next year's tasks, proposals.",
        ),
        ("", ""),
        (
            "Lưu ý: gõ tiếng Việt bằng Unicode (không dùng phông .VnTime, VNI-Times); số viết "
            "1.234,5 hoặc nhập số trực tiếp; ngày viết dd/mm/yyyy. Không đổi tên trang, không xóa "
            "cột. Gửi tệp .xlsx, không chứa macro.",
            "Note: type Vietnamese in Unicode (not the .VnTime or VNI fonts); numbers as 1.234,5 "
            "or as plain numbers; dates as dd/mm/yyyy. Do not rename sheets or delete columns. "
            "Send an .xlsx file without macros.",
        ),
    ]
    return lines


def _write_instructions(wb: Workbook, year: int, level: str) -> None:
    """The instructions sheet (first and active)."""
    ws = wb.active
    ws.title = INSTRUCTIONS_TITLE
    for row, (vi, en) in enumerate(instructions(year, level), start=1):
        _set_text(ws, row, 1, vi or None)
        _set_text(ws, row, 2, en or None)
        ws.cell(row=row, column=1).alignment = _WRAP
        ws.cell(row=row, column=2).alignment = _WRAP
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 80
    ws.column_dimensions["B"].width = 80


SYNTHETIC_NOTE = (
    "DỮ LIỆU GIẢ LẬP — biểu mẫu này được điền sẵn từ dữ liệu mẫu do máy sinh ra, chỉ để thử "
    "nghiệm; không dùng để báo cáo.",
    "SYNTHETIC DATA — this template is pre-filled from machine-generated sample data, for "
    "testing only; do not use it to report.",
)


def _mark_synthetic(wb: Workbook) -> None:
    """Put the synthetic-data warning on top of the instructions sheet and in the properties."""
    ws = wb[INSTRUCTIONS_TITLE]
    ws.insert_rows(1)
    for column, text in enumerate(SYNTHETIC_NOTE, start=1):
        _set_text(ws, 1, column, text)
        ws.cell(row=1, column=column).font = Font(bold=True, color="C0392B")
        ws.cell(row=1, column=column).alignment = _WRAP
    wb.properties.keywords = "synthetic"


def _is_blank(value: object) -> bool:
    """True for None and missing values."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _code_labels(list_name: str) -> list[str]:
    """Vietnamese labels of a code list, for a drop-down."""
    return [v["vi"] for v in reference.code_list(list_name).values()]


def _prefill(
    tables: dict[str, pd.DataFrame], unit: pd.Series, year: int
) -> dict[str, pd.DataFrame]:
    """Rows the template starts with: the unit's villages, their current status, its crafts."""
    villages = unit_villages(tables["villages"], unit["code"], unit["level"]).sort_values(
        "village_id"
    )
    crafts = tables["crafts"].set_index("craft_id")
    base = pd.DataFrame({"village_id": villages["village_id"], "village_name": villages["name_vi"]})
    updates = base.copy()
    for list_name, column in (
        ("recognition", "recognition"),
        ("regime", "recognition_regime"),
        ("trademark", "trademark"),
    ):
        labels = {k: v["vi"] for k, v in reference.code_list(list_name).items()}
        updates[column] = villages[column].map(labels)
    for column in ("recognition_decision", "withdrawal_decision"):
        updates[column] = villages[column].astype(object).where(villages[column].notna(), None)
    updates["recognition_date"] = villages["recognition_date"].map(
        lambda v: None if pd.isna(v) else pd.Timestamp(v).to_pydatetime()
    )
    for column in ("tourism_since", "trademark_since", "restored_year", "withdrawal_year"):
        updates[column] = villages[column].astype(object).where(villages[column].notna(), None)

    dc = tables["district_crafts"]
    if unit["level"] == "district":
        own = dc[(dc["district_code"] == unit["code"]) & (dc["year"] <= year)]
        latest = own[own["year"] == own["year"].max()] if len(own) else own
        crafts_rows = pd.DataFrame(
            {"craft_id": latest["craft_id"], "village_id": None, "product_vi": latest["product_vi"]}
        )
    else:
        known = dc[dc["year"] <= year]
        latest = known[known["year"] == known["year"].max()] if len(known) else known
        hits = villages.merge(latest, on=["district_code", "craft_id"], how="inner")
        crafts_rows = pd.DataFrame(
            {
                "craft_id": hits["craft_id"],
                "village_id": [
                    code_label(i, n)
                    for i, n in zip(hits["village_id"], hits["name_vi"], strict=True)
                ],
                "product_vi": hits["product_vi"],
            }
        )
    crafts_rows["craft_id"] = [
        code_label(c, crafts.at[c, "name_vi"]) if c in crafts.index else c
        for c in crafts_rows["craft_id"]
    ]
    return {
        "village_year": base.reset_index(drop=True),
        "village_updates": updates.reset_index(drop=True),
        "district_crafts": crafts_rows.reset_index(drop=True),
        "activities": pd.DataFrame(),
    }


def build_template(
    tables: dict[str, pd.DataFrame], unit: pd.Series, year: int, *, synthetic: bool = False
) -> Workbook:
    """The workbook of one reporting unit and year, pre-filled from ``tables``; a workbook
    pre-filled from synthetic data says so at the top of its first sheet."""
    level = unit["level"]
    wb = Workbook()
    _write_instructions(wb, year, level)
    if synthetic:
        _mark_synthetic(wb)
    _write_cover(
        wb,
        {
            "unit_code": unit["code"],
            "unit_name": unit["name_vi"],
            "unit_level": LEVEL_LABELS[level]["vi"],
            "year": year,
            "template_version": TEMPLATE_VERSION,
        },
    )
    villages = unit_villages(tables["villages"], unit["code"], level)
    lists = {
        "recognition": _code_labels("recognition"),
        "regime": _code_labels("regime"),
        "trademark": _code_labels("trademark"),
        "task_group": _code_labels("task_group"),
        "funding_source": _code_labels("funding_source"),
        "bool": [YES_NO["yes"]["vi"], YES_NO["no"]["vi"]],
        "village_left": _code_labels("village_left"),
        "craft": [
            code_label(c, n)
            for c, n in zip(tables["crafts"]["craft_id"], tables["crafts"]["name_vi"], strict=True)
        ],
        "village": [
            code_label(i, n)
            for i, n in zip(villages["village_id"], villages["name_vi"], strict=True)
        ],
    }
    prefill = _prefill(tables, unit, year)
    specs = sheet_specs()
    for key, spec in specs.items():
        if level not in spec.levels:
            continue
        if key == "narrative":
            _write_narrative(wb, spec, year, unit["name_vi"])
            continue
        ranges = {}  # filled after the lists sheet exists
        _write_table_sheet(
            wb, spec, prefill.get(key, pd.DataFrame()), ranges, year, unit["name_vi"]
        )
    ranges = _write_lists(wb, lists)
    for key, spec in specs.items():
        if level not in spec.levels or key == "narrative":
            continue
        _add_validations(
            wb[spec.title],
            spec,
            ranges,
            year,
            FIRST_DATA_ROW + len(prefill.get(key, pd.DataFrame())) + SPARE_ROWS - 1,
        )
    wb.active = 1  # open on the cover
    wb.properties.title = f"Kế hoạch 244/KH-UBND — số liệu năm {year} — {unit['name_vi']}"
    wb.properties.creator = "analysis.intake.workbook"
    return wb


def _add_validations(
    ws: Worksheet, spec: SheetSpec, ranges: dict[str, str], year: int, last_row: int
) -> None:
    """Drop-down lists of the coded columns (after the lists sheet exists)."""
    for col, field in enumerate(spec.fields, start=1):
        if field.kind not in ("code", "bool", "craft", "village", "reason"):
            continue
        dv = _validation(field, ranges, year)
        if dv is not None:
            letter = get_column_letter(col)
            ws.add_data_validation(dv)
            dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")


def template_file_name(unit: pd.Series, year: int) -> str:
    """A safe file name from reference data: ``bao-cao-2025-06187-phuong-ky-lua.xlsx``."""
    return f"bao-cao-{year}-{slugify(str(unit['code']))}-{slugify(str(unit['name_vi']))}.xlsx"


def write_template(
    tables: dict[str, pd.DataFrame],
    unit: pd.Series,
    year: int,
    out_dir: Path,
    *,
    synthetic: bool = False,
) -> Path:
    """Write the workbook of one unit and year under ``out_dir``; return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / template_file_name(unit, year)
    build_template(tables, unit, year, synthetic=synthetic).save(path)
    return path


def expected_units(villages: pd.DataFrame, year: int) -> pd.DataFrame:
    """Units that report for ``year`` (districts or 2025 communes with villages, departments)."""

    codes = list(dict.fromkeys(reporting_units(villages, year)["unit_code"]))
    table = reporting_unit_table()
    level = unit_level_for_year(year)
    local = table[(table["level"] == level) & table["code"].isin(codes)]
    return pd.concat([local, table[table["level"] == "department"]], ignore_index=True)
